import type { DetectionConfig, RecalibrationConfig, SignalConfig } from '../config/config-schema.js';
import type { LabelCounts } from '../detection/feedback-adjustment.js';
import { readStoredBaseline, type StoredBaseline } from '../detection/read-stored-baseline.js';
import type { CalibrationChange, DetectorStateRepo } from '../storage/detector-state-repo.js';
import type { FeedbackCalibrationRepo, FeedbackChangeRecord } from '../storage/feedback-calibration-repo.js';
import type { SeriesLookupRepo } from '../storage/series-lookup-repo.js';

/** Changes of each kind `/vigil explain` shows, newest first. */
export const EXPLAIN_CHANGES_SHOWN = 5;
/** Series keys suggested for an unknown one. */
export const EXPLAIN_SUGGESTIONS = 5;

/** The configuration an explanation reads: what the thresholds and the saved state mean. */
export interface ExplainConfig {
  detection: DetectionConfig;
  stepSeconds: number;
  signals: readonly SignalConfig[];
  feedback: RecalibrationConfig['feedback'];
}

export interface SeriesExplanation {
  seriesKey: string;
  /** The threshold in force and where it comes from. */
  minScore: number;
  source: 'recalibrated' | 'configured';
  updatedAt: string | null;
  stepSeconds: number;
  /** Baseline from the saved state; a string says why there is none. */
  baseline: StoredBaseline | string;
  savedAt: string | null;
  unit: string | undefined;
  feedback: {
    tailFactor: number;
    labels: LabelCounts;
    pending: LabelCounts;
    countedAt: string | null;
  };
  thresholdChanges: Array<CalibrationChange & { changedAt: string }>;
  feedbackChanges: FeedbackChangeRecord[];
}

export type ExplainResult =
  | { found: true; explanation: SeriesExplanation }
  | { found: false; seriesKey: string; suggestions: string[] };

export interface ExplainDeps {
  lookup: SeriesLookupRepo;
  /** Its threshold's history (index calibration_changes_series). */
  calibration: Pick<DetectorStateRepo, 'changes'>;
  feedback: FeedbackCalibrationRepo;
  config: ExplainConfig;
  now: Date;
}

/**
 * Close keys for one Vigil does not know: those starting with what was typed, else with its
 * namespace/service (each prefix an index range, LIMITed).
 */
function suggestionsFor(lookup: SeriesLookupRepo, seriesKey: string): string[] {
  let prefix = seriesKey;
  // The key as typed, then up to its metric, service and namespace: a few index ranges at most.
  for (let tries = 0; tries < 4; tries += 1) {
    const keys = lookup.keysStartingWith(prefix, EXPLAIN_SUGGESTIONS);
    if (keys.length > 0) return keys;
    const cut = prefix.lastIndexOf('/', prefix.endsWith('/') ? prefix.length - 2 : prefix.length - 1);
    if (cut <= 0) return [];
    prefix = prefix.slice(0, cut + 1);
  }
  return [];
}

/**
 * Everything `/vigil explain <series>` says about a series, read by key from indexed rows only:
 * its threshold, its baseline (its own saved state), its labels (as counted by the last
 * recalibration) and the latest changes of its threshold and of its feedback factor.
 */
export function explainSeries(seriesKey: string, deps: ExplainDeps): ExplainResult {
  const { lookup, config } = deps;
  const stored = lookup.stored(seriesKey);
  const calibrated = lookup.minScore(seriesKey);
  const snapshot = deps.feedback.snapshotOf(seriesKey);
  if (!stored && !calibrated && !snapshot)
    return { found: false, seriesKey, suggestions: suggestionsFor(lookup, seriesKey) };
  const metric = stored?.identity.metric_name;
  return {
    found: true,
    explanation: {
      seriesKey,
      minScore: calibrated?.minScore ?? config.detection.min_score,
      source: calibrated ? 'recalibrated' : 'configured',
      updatedAt: calibrated?.updatedAt ?? null,
      stepSeconds: config.stepSeconds,
      baseline: stored
        ? readStoredBaseline(config, stored.identity.metric_name, stored.state, deps.now.getTime())
        : 'no saved state yet (it is saved a share of the series per cycle)',
      savedAt: stored?.savedAt ?? null,
      unit: config.signals.find((s) => s.name === metric)?.unit,
      feedback: {
        tailFactor: snapshot?.tailFactor ?? 1,
        labels: snapshot?.labels ?? {},
        pending: snapshot?.pending ?? {},
        countedAt: snapshot?.countedAt ?? null,
      },
      thresholdChanges: deps.calibration.changes(seriesKey, EXPLAIN_CHANGES_SHOWN),
      feedbackChanges: deps.feedback.history(seriesKey, EXPLAIN_CHANGES_SHOWN),
    },
  };
}
