import type { RecalibrationConfig, SignalConfig, VigilConfig } from '../config/config-schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SampleSource } from '../sources/sample-source.js';
import type { CalibrationChange, DetectorStateRepo } from '../storage/detector-state-repo.js';
import type { DetectionEngine } from './create-detection-engine.js';
import { createSeriesDetector } from './create-series-detector.js';
import { createSeasonalBaseline, type SeasonalBaselineState } from './detectors/seasonal-baseline.js';
import { seriesDetectorOptions } from './series-detector-options.js';
import { seriesInTimeOrder } from './series-in-time-order.js';

const DAY_MS = 86_400_000;
/** Never stricter than one alert-worthy point in a million. */
const MAX_MIN_SCORE = 0.999999;

export interface RecalibrationDeps {
  config: Pick<VigilConfig, 'signals' | 'detection' | 'prometheus'> & { recalibration: RecalibrationConfig };
  source: SampleSource;
  engine: DetectionEngine;
  repo: DetectorStateRepo;
  /** Feedback labels per series (👍 useful / 👎 noisy …), to tighten series people call noisy. */
  feedbackBySeries?: () => Map<string, Record<string, number>>;
  logger: Logger;
}

export interface RecalibrationReport {
  runId: number;
  status: 'ok' | 'failed';
  series: number;
  changes: CalibrationChange[];
  seasonalRebuilt: number;
  error?: string;
}

interface SeriesPlan {
  key: string;
  minScore: number | undefined;
  seasonal: SeasonalBaselineState | null;
}

/** Onsets (first anomalous point of an episode) of a history, with the calibrated score that opened each. */
function onsetScores(
  timestamps: Float64Array,
  values: Float64Array,
  options: ReturnType<typeof seriesDetectorOptions>,
): number[] {
  // Every point may alert here: the gate under study is the one being recalibrated.
  const detector = createSeriesDetector({ ...options, minScore: 0 });
  const scores: number[] = [];
  let previous = false;
  for (let i = 0; i < timestamps.length; i += 1) {
    const r = detector.update(values[i] as number, timestamps[i] as number);
    if (r.anomalous && !previous && r.primary.name !== 'slo_burn_rate') scores.push(r.primary.score);
    previous = r.anomalous;
  }
  return scores;
}

/**
 * The slow path, e.g. hourly: reads days of history at a coarse step, rebuilds each series' seasonal
 * baseline from it, and sets each series' minimum calibrated score so that it would have alerted
 * about `target_alerts_per_day` times a day (half that for series people mostly marked 👎).
 * Everything is computed first and applied at the end, in one transaction that records every change
 * (old → new, why): if anything fails, the streaming tick keeps the calibration it had.
 */
export async function recalibrate(deps: RecalibrationDeps, now: Date): Promise<RecalibrationReport> {
  const { config, engine, repo, logger } = deps;
  const settings = config.recalibration;
  const runId = repo.startRun(now.toISOString());
  try {
    const endMs = Math.floor(now.getTime() / (settings.step_seconds * 1000)) * settings.step_seconds * 1000;
    const startMs = endMs - settings.history_days * DAY_MS;
    const historyDays = settings.history_days;
    const feedback = deps.feedbackBySeries?.() ?? new Map<string, Record<string, number>>();
    const plans: SeriesPlan[] = [];
    const changes: CalibrationChange[] = [];
    for (const signal of config.signals as SignalConfig[]) {
      const batch = await deps.source.fetch(signal, { startMs, endMs, stepSeconds: settings.step_seconds });
      const coarseMs = settings.step_seconds * 1000;
      const options = seriesDetectorOptions(config.detection, coarseMs, signal);
      for (const { key, timestamps, values } of seriesInTimeOrder(batch.series)) {
        // Seasonal baseline from the whole history; bucket counts rescaled to the tick's step so the
        // streaming detector trusts them as if it had seen that many points itself.
        let seasonal: SeasonalBaselineState | null = null;
        if (config.detection.seasonal) {
          const baseline = createSeasonalBaseline({ stepMs: coarseMs, threshold: 1, memoryDays: 3 });
          for (let i = 0; i < timestamps.length; i += 1) baseline.update(values[i] as number, timestamps[i] as number);
          const ratio = settings.step_seconds / config.prometheus.step_seconds;
          const state = baseline.state();
          seasonal = {
            ...state,
            day: { ...state.day, count: state.day.count.map((c) => c * ratio) },
            week: { ...state.week, count: state.week.count.map((c) => c * ratio) },
            levelCount: state.levelCount * ratio,
          };
        }
        // Threshold: the score that would have let through about the target number of onsets.
        const onsets = onsetScores(timestamps, values, options).sort((a, b) => b - a);
        const labels = feedback.get(key) ?? {};
        const noisy = (labels.noisy ?? 0) + (labels.duplicate ?? 0);
        const useful = labels.useful ?? 0;
        const distrusted = noisy >= 2 && noisy > useful;
        const target = settings.target_alerts_per_day * (distrusted ? 0.5 : 1);
        const allowed = Math.max(0, Math.floor(target * historyDays));
        const old = engine.minScore(key) ?? null;
        const floor = config.detection.min_score;
        let next = floor;
        if (onsets.length > allowed) {
          // Just above the onset that would have been one too many.
          const cut = onsets[allowed] as number;
          next = Math.min(MAX_MIN_SCORE, Math.max(floor, 1 - (1 - cut) * 0.9));
        }
        const current = old ?? floor;
        let minScore: number | undefined = old ?? undefined;
        if (Math.abs(next - current) > 1e-9) {
          minScore = next;
          const perDay = (onsets.filter((s) => s >= current).length / historyDays).toFixed(2);
          const after = (onsets.filter((s) => s >= next).length / historyDays).toFixed(2);
          changes.push({
            seriesKey: key,
            field: 'min_score',
            oldValue: old,
            newValue: next,
            reason:
              `${perDay} alerts/day at ${current} over the last ${historyDays} days (${timestamps.length} points at ` +
              `${settings.step_seconds} s); ${after}/day at ${next.toPrecision(7)}, target ${target}/day` +
              (distrusted ? ` (halved: ${noisy} noisy vs ${useful} useful in feedback)` : ''),
          });
        }
        plans.push({ key, minScore, seasonal });
      }
    }
    // Apply: store first (the audit trail must not miss a change the engine made), then the engine.
    repo.finishRun(runId, new Date().toISOString(), plans.length, changes);
    let seasonalRebuilt = 0;
    for (const plan of plans) {
      if (plan.minScore !== undefined) engine.setMinScore(plan.key, plan.minScore);
      if (plan.seasonal && engine.replaceSeasonal(plan.key, plan.seasonal)) seasonalRebuilt += 1;
    }
    logger.info(
      { run: runId, series: plans.length, changes: changes.length, seasonalRebuilt },
      'recalibration finished',
    );
    return { runId, status: 'ok', series: plans.length, changes, seasonalRebuilt };
  } catch (error) {
    repo.failRun(runId, new Date().toISOString(), errorMessage(error));
    logger.error({ err: error, run: runId }, 'recalibration failed; the tick keeps its current calibration');
    return { runId, status: 'failed', series: 0, changes: [], seasonalRebuilt: 0, error: errorMessage(error) };
  }
}
