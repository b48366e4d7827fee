import { type AnomalyEvent, type MetricSample, SCHEMA_VERSION, seriesKeyOf } from '../contracts/index.js';
import { anomalyIdOf } from './anomaly-id.js';
import { createRollingWindow, type RollingWindow } from './rolling-window.js';
import { type DetectorSettings, scorePoint } from './score-point.js';

const RECENT_VALUES = 30;
const DAY_MS = 86_400_000;

export interface DetectionSettings {
  windowPoints: number;
  minPoints: number;
  zscoreThreshold: number;
  madThreshold: number;
  combine: 'all' | 'any';
  stepSeconds: number;
  /** Per metric name; metrics not listed are scored in both directions. */
  directions: ReadonlyMap<string, 'up' | 'down' | 'both'>;
}

interface SeriesState {
  window: RollingWindow;
  /** Missing steps before each value in the window, aligned with it. */
  gaps: RollingWindow;
  timestamps: RollingWindow;
  lastTs: number;
  seen: number;
}

export interface IngestOptions {
  /** A series first seen in this call emits anomalies only for points at or after this time (ms). */
  coldStartEmitAfterMs: number;
  /** The deploy of a service shortly before a time, if any (a version string). */
  recentDeploy?: (service: string, namespace: string, atMs: number) => string | null;
}

export interface IngestResult {
  anomalies: AnomalyEvent[];
  seriesScored: number;
  pointsScored: number;
  /** Duplicate or out-of-order points, skipped. */
  skipped: number;
}

export interface DetectionEngine {
  ingest(samples: readonly MetricSample[], options: IngestOptions): IngestResult;
  seriesCount(): number;
}

/**
 * The streaming detector: per-series rolling baselines in memory, fed point by point in time order.
 * A point is scored against the points before it (never itself), then joins the baseline.
 */
export function createDetectionEngine(settings: DetectionSettings): DetectionEngine {
  const series = new Map<string, SeriesState>();
  const stepMs = settings.stepSeconds * 1000;

  function newState(): SeriesState {
    return {
      window: createRollingWindow(settings.windowPoints),
      gaps: createRollingWindow(settings.windowPoints),
      timestamps: createRollingWindow(settings.windowPoints),
      lastTs: Number.NEGATIVE_INFINITY,
      seen: 0,
    };
  }

  return {
    seriesCount: () => series.size,
    ingest(samples, options) {
      const byKey = new Map<string, MetricSample[]>();
      for (const sample of samples) {
        const key = seriesKeyOf(sample);
        const list = byKey.get(key);
        if (list) list.push(sample);
        else byKey.set(key, [sample]);
      }
      const anomalies: AnomalyEvent[] = [];
      let pointsScored = 0;
      let skipped = 0;
      for (const [key, points] of byKey) {
        let state = series.get(key);
        const coldStart = state === undefined;
        if (!state) {
          state = newState();
          series.set(key, state);
        }
        const ordered = points.map((p) => ({ sample: p, ts: Date.parse(p.timestamp) })).sort((a, b) => a.ts - b.ts);
        for (const { sample, ts } of ordered) {
          if (!(ts > state.lastTs) || !Number.isFinite(sample.value)) {
            skipped += 1;
            continue;
          }
          const gap = state.seen === 0 ? 0 : Math.max(0, Math.round((ts - state.lastTs) / stepMs) - 1);
          if (state.window.size() >= settings.minPoints) {
            pointsScored += 1;
            const event = scoreSeriesPoint(key, sample, ts, state, settings, options, gap);
            if (event && (!coldStart || ts >= options.coldStartEmitAfterMs)) anomalies.push(event);
          }
          state.window.push(sample.value);
          state.gaps.push(gap);
          state.timestamps.push(ts);
          state.lastTs = ts;
          state.seen += 1;
        }
      }
      return { anomalies, seriesScored: byKey.size, pointsScored, skipped };
    },
  };
}

function scoreSeriesPoint(
  key: string,
  sample: MetricSample,
  ts: number,
  state: SeriesState,
  settings: DetectionSettings,
  options: IngestOptions,
  gapBefore: number,
): AnomalyEvent | null {
  const baseline = state.window.values();
  const detectorSettings: DetectorSettings = {
    zscoreThreshold: settings.zscoreThreshold,
    madThreshold: settings.madThreshold,
    combine: settings.combine,
    direction: settings.directions.get(sample.metric_name) ?? 'both',
  };
  const verdict = scorePoint(sample.value, baseline, detectorSettings);
  if (!verdict.anomalous) return null;
  const timestamps = state.timestamps.values();
  const oldest = timestamps[0] ?? ts;
  const missing = state.gaps.values().reduce((sum, g) => sum + g, 0) + gapBefore;
  const recent = [...baseline.slice(-(RECENT_VALUES - 1)), sample.value];
  return {
    schema_version: SCHEMA_VERSION,
    id: anomalyIdOf(key, ts),
    timestamp: new Date(ts).toISOString(),
    series_key: key,
    service: sample.service,
    namespace: sample.namespace,
    metric_name: sample.metric_name,
    labels: sample.labels ?? {},
    window_seconds: settings.windowPoints * settings.stepSeconds,
    value: sample.value,
    expected: verdict.primary.expected,
    lower_bound: verdict.primary.lower,
    upper_bound: verdict.primary.upper,
    anomaly_score: verdict.score,
    detector: verdict.primary.detector,
    direction: verdict.direction,
    evidence: {
      sample_count: baseline.length + 1,
      baseline_points: baseline.length,
      baseline_days: Math.round(((ts - oldest) / DAY_MS) * 1000) / 1000,
      z_score: verdict.zscore.statistic,
      robust_z_score: verdict.mad.statistic,
      missing_samples: missing,
      recent_deploy: options.recentDeploy?.(sample.service, sample.namespace, ts) ?? null,
      recent_values: recent,
    },
  };
}
