import type { DetectionConfig, SignalConfig } from '../config/config-schema.js';
import { type AnomalyEvent, SCHEMA_VERSION } from '../contracts/index.js';
import type { SeriesColumns, SeriesIdentity } from '../sources/series-columns.js';
import { anomalyIdOf } from './anomaly-id.js';
import {
  createSeriesDetector,
  type SeriesDetector,
  type SeriesDetectorOptions,
  type SeriesDetectorState,
  seriesStateLayout,
} from './create-series-detector.js';
import type { SeasonalBaselineState } from './ensemble/seasonal-baseline.js';
import { type Episode, isAnomalousPoint, newEpisode, PAGE_SCORE, pagePoint } from './page-score.js';
import { seriesDetectorOptions } from './series-detector-options.js';
import { seriesInTimeOrder } from './series-in-time-order.js';
import { type AllocateBlob, decodeSeriesState, encodeSeriesState } from './series-state-blob.js';

const RECENT_VALUES = 30;
/**
 * Series whose recent values share one array: 240 KB, a mapping of its own (see
 * createColumnSlabs). An array per series was a malloc'd backing store each, with V8's bookkeeping
 * around it (~0.5 KB a series where the values are 240 bytes), made among a first cycle's
 * transient columns, whose holes it then kept resident.
 */
const RECENT_SLAB_SERIES = 1024;
const DAY_MS = 86_400_000;
/** Non-finite statistics cannot be serialised or compared; they are clamped for evidence. */
const STAT_LIMIT = 1e12;

export type { SeriesIdentity } from '../sources/series-columns.js';

/** Everything needed to continue a series after a restart: who it is, and its state as bytes. */
export interface PersistedSeries {
  key: string;
  identity: SeriesIdentity;
  /** Its last point (ms): also in `state`, here for the store and the checkpoints' cadence. */
  lastTs: number;
  /** See series-state-blob.ts: the detector's doubles as they are, then the engine's (ENGINE_*). */
  state: Uint8Array;
}

export interface ImportResult {
  restored: number;
  /** Series whose bytes were written for other options or another layout: they start cold. */
  rejected: Array<{ key: string; reason: string }>;
}

// The engine's own numbers of a series, after the detector's in its blob: four scalars, the two
// windows' lengths, then their values oldest first.
const ENGINE_LAST_TS = 0;
const ENGINE_FIRST_TS = 1;
const ENGINE_SEEN = 2;
/** Flags: absence reported (1), an episode open (2). */
const ENGINE_FLAGS = 3;
const FLAG_ABSENT = 1;
const FLAG_EPISODE = 2;
/** Quiet points since the open episode's last anomalous one (see Episode). */
const ENGINE_EPISODE_QUIET = 4;
const ENGINE_RECENT_N = 5;
const ENGINE_GAPS_N = 6;
const ENGINE_WINDOWS = 7;

// A series' own windows are lean because there is one per series (10 000s): its last values in one
// small typed array, and its gaps as the few points that had one (two rolling windows of closures
// and typed arrays, a window of mostly zeros among them, were ~1.5 KB per series).
interface SeriesState {
  identity: SeriesIdentity;
  detector: SeriesDetector;
  /**
   * The last min(seen, RECENT_VALUES) values, a ring in a slab shared with other series: point n
   * (1-based) at recentAt + (n - 1) % RECENT_VALUES.
   */
  recent: Float64Array;
  recentAt: number;
  /**
   * Missing steps before the points that had any, as (point n, steps) pairs oldest first, those of
   * the last window_points points (older ones may linger until the next push or read), or null.
   */
  gaps: number[] | null;
  lastTs: number;
  firstTs: number;
  seen: number;
  absentReported: boolean;
  /** Minimum calibrated score for this series, set by recalibration (undefined: the default). */
  minScore: number | undefined;
  /** Whether an anomaly of this series is open (see pageScore). */
  episode: Episode;
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
  /** Duplicate, out-of-order or non-finite points, skipped. */
  skipped: number;
  /** Keys of the series that learned something (to persist). */
  touched: string[];
}

export interface DetectionEngine {
  /** Scores and learns each series' new points; a series may come in any order, duplicates skipped. */
  ingest(series: readonly SeriesColumns[], options: IngestOptions): IngestResult;
  /** Series of these metrics silent for `absentAfterMs`, reported once each until they report again. */
  absent(nowMs: number, metrics: ReadonlySet<string>): AnomalyEvent[];
  /**
   * Drops the series of these metrics silent for `forget_after_seconds` (their places and rings go
   * to new series; one that comes back starts cold); returns their keys, for the store to drop too.
   */
  forget(nowMs: number, metrics: ReadonlySet<string>): string[];
  seriesCount(): number;
  /** The state of these series (all by default) as bytes; series that have seen nothing are left out. */
  exportSeries(keys?: Iterable<string>, allocate?: AllocateBlob): PersistedSeries[];
  /** Continues these series exactly where their bytes were taken; bytes of other options are rejected. */
  importSeries(series: readonly PersistedSeries[]): ImportResult;
  /** Per-series minimum calibrated score (from batch recalibration). */
  setMinScore(key: string, minScore: number): void;
  minScore(key: string): number | undefined;
  /** Swaps in a seasonal baseline rebuilt from history, keeping everything else. */
  replaceSeasonal(key: string, seasonal: SeasonalBaselineState | null): boolean;
  /**
   * Series changed since the last call other than by points (an absence reported, a seasonal
   * baseline swapped in): replaying their points after a restart cannot redo that, so their state
   * must be saved now rather than in their turn.
   */
  takeUnreplayable(): string[];
  /** A series' detector state, as numbers by detector (diagnostics and tests). */
  detectorState(key: string): SeriesDetectorState | undefined;
  keys(): string[];
}

export interface EngineOptions {
  detection: DetectionConfig;
  stepSeconds: number;
  signals: readonly SignalConfig[];
  /** A new series' minimum calibrated score (a shadow challenger takes the champion's); default none. */
  initialMinScore?: (key: string) => number | undefined;
}

function finite(x: number): number {
  return Number.isFinite(x) ? Math.max(-STAT_LIMIT, Math.min(STAT_LIMIT, x)) : x > 0 ? STAT_LIMIT : -STAT_LIMIT;
}

/**
 * The streaming detector: one ensemble per series (see createSeriesDetector), fed point by point in
 * time order. A point is scored against the points before it (never itself), then learned.
 */
export function createDetectionEngine(options: EngineOptions): DetectionEngine {
  const { detection } = options;
  const stepMs = options.stepSeconds * 1000;
  const signals = new Map(options.signals.map((s) => [s.name, s]));
  const series = new Map<string, SeriesState>();
  const absentAfterMs = detection.absent_after_seconds * 1000;
  const forgetAfterMs = detection.forget_after_seconds * 1000;
  const unreplayable = new Set<string>();

  // One options object per signal: the detector finds its plan (and layout) by object, at once.
  const optionsByMetric = new Map<string, SeriesDetectorOptions>();
  function optionsOf(identity: SeriesIdentity): SeriesDetectorOptions {
    let options = optionsByMetric.get(identity.metric_name);
    if (!options) {
      options = seriesDetectorOptions(detection, stepMs, signals.get(identity.metric_name));
      optionsByMetric.set(identity.metric_name, options);
    }
    return options;
  }

  // A restored series takes over the ring of the one it replaces; a forgotten one's goes to the next
  // new series.
  let recentSlab = new Float64Array(0);
  let recentUsed = 0;
  const freeRings: Array<{ recent: Float64Array; recentAt: number }> = [];
  function takeRing(): { recent: Float64Array; recentAt: number } {
    const freed = freeRings.pop();
    if (freed) return freed;
    if (recentUsed === recentSlab.length) {
      recentSlab = new Float64Array(RECENT_SLAB_SERIES * RECENT_VALUES);
      recentUsed = 0;
    }
    recentUsed += RECENT_VALUES;
    return { recent: recentSlab, recentAt: recentUsed - RECENT_VALUES };
  }

  function newState(identity: SeriesIdentity): SeriesState {
    const { recent, recentAt } = takeRing();
    return {
      identity,
      detector: createSeriesDetector(optionsOf(identity)),
      recent,
      recentAt,
      gaps: null,
      lastTs: Number.NEGATIVE_INFINITY,
      firstTs: Number.NaN,
      seen: 0,
      absentReported: false,
      minScore: undefined,
      episode: newEpisode(),
    };
  }

  /** The last values, oldest first. */
  function recentValues(s: SeriesState): number[] {
    const n = Math.min(s.seen, RECENT_VALUES);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i += 1) out[i] = s.recent[s.recentAt + ((s.seen - n + i) % RECENT_VALUES)] as number;
    return out;
  }

  /** Drops the gaps of points no longer in the last window. */
  function trimGaps(s: SeriesState): void {
    const gaps = s.gaps;
    if (!gaps) return;
    let k = 0;
    while (k < gaps.length && (gaps[k] as number) <= s.seen - detection.window_points) k += 2;
    if (k === gaps.length) s.gaps = null;
    else if (k > 0) gaps.splice(0, k);
  }

  /** Steps missing before the last window's points. */
  function missingSteps(s: SeriesState): number {
    trimGaps(s);
    const gaps = s.gaps ?? [];
    let sum = 0;
    for (let k = 1; k < gaps.length; k += 2) sum += gaps[k] as number;
    return sum;
  }

  // A series' engine numbers are copied into its blob as soon as they are written: one array serves
  // every encode. One of its own each (~1.3 KB, malloc'd) was 10 000 of them when a recalibration's
  // baselines were saved, at the run's peak, each freed only by the scavenge after.
  const ownScratch = new Float64Array(ENGINE_WINDOWS + RECENT_VALUES + detection.window_points);

  function encode(s: SeriesState, allocate?: AllocateBlob): Uint8Array {
    const recentN = Math.min(s.seen, RECENT_VALUES);
    const gapsN = Math.min(s.seen, detection.window_points);
    const own = ownScratch.subarray(0, ENGINE_WINDOWS + recentN + gapsN);
    own.fill(0);
    own[ENGINE_LAST_TS] = s.lastTs;
    own[ENGINE_FIRST_TS] = s.firstTs;
    own[ENGINE_SEEN] = s.seen;
    own[ENGINE_FLAGS] = (s.absentReported ? FLAG_ABSENT : 0) | (s.episode.open ? FLAG_EPISODE : 0);
    own[ENGINE_EPISODE_QUIET] = s.episode.quiet;
    own[ENGINE_RECENT_N] = recentN;
    own[ENGINE_GAPS_N] = gapsN;
    // Both windows oldest first, as the blob has always held them: the gaps as a window of
    // gapsN steps, zero but where a point had some.
    for (let i = 0; i < recentN; i += 1)
      own[ENGINE_WINDOWS + i] = s.recent[s.recentAt + ((s.seen - recentN + i) % RECENT_VALUES)] as number;
    trimGaps(s);
    const gaps = s.gaps ?? [];
    const newestGap = ENGINE_WINDOWS + recentN + gapsN - 1;
    for (let k = 0; k < gaps.length; k += 2) own[newestGap - (s.seen - (gaps[k] as number))] = gaps[k + 1] as number;
    const layout = seriesStateLayout(optionsOf(s.identity));
    return encodeSeriesState(
      layout.fingerprint,
      layout.doubles,
      (into, at) => s.detector.saveState(into, at),
      own,
      allocate,
    );
  }

  /** `replacing`: the series' state before, whose ring the restored state takes over. */
  function decode(p: PersistedSeries, replacing: SeriesState | undefined): SeriesState | string {
    const layout = seriesStateLayout(optionsOf(p.identity));
    const parts = decodeSeriesState(p.state, layout.fingerprint, layout.doubles);
    if ('rejected' in parts) return parts.rejected;
    const own = parts.engine;
    const recentN = own[ENGINE_RECENT_N] as number;
    const gapsN = own[ENGINE_GAPS_N] as number;
    const seen = own[ENGINE_SEEN] as number;
    // Each window holds its last min(seen, capacity) points (both take every point encode counted).
    if (
      !(Number.isSafeInteger(seen) && seen >= 0) ||
      recentN !== Math.min(seen, RECENT_VALUES) ||
      gapsN !== Math.min(seen, detection.window_points) ||
      own.length !== ENGINE_WINDOWS + recentN + gapsN
    )
      return `engine windows of ${recentN} and ${gapsN} values in ${own.length} doubles after ${seen} points`;
    const { recent, recentAt } = replacing ?? takeRing();
    for (let i = 0; i < recentN; i += 1)
      recent[recentAt + ((seen - recentN + i) % RECENT_VALUES)] = own[ENGINE_WINDOWS + i] as number;
    const pairs: number[] = [];
    const gapsAt = ENGINE_WINDOWS + recentN;
    for (let i = 0; i < gapsN; i += 1) {
      const gap = own[gapsAt + i] as number;
      if (gap !== 0) pairs.push(seen - gapsN + 1 + i, gap);
    }
    return {
      identity: p.identity,
      detector: createSeriesDetector(optionsOf(p.identity), parts.detector),
      recent,
      recentAt,
      gaps: pairs.length > 0 ? pairs : null,
      lastTs: own[ENGINE_LAST_TS] as number,
      firstTs: own[ENGINE_FIRST_TS] as number,
      seen,
      absentReported: ((own[ENGINE_FLAGS] as number) & FLAG_ABSENT) !== 0,
      minScore: undefined,
      episode: {
        open: ((own[ENGINE_FLAGS] as number) & FLAG_EPISODE) !== 0,
        quiet: own[ENGINE_EPISODE_QUIET] as number,
      },
    };
  }

  function event(
    key: string,
    state: SeriesState,
    ts: number,
    fields: Omit<
      AnomalyEvent,
      | 'schema_version'
      | 'id'
      | 'timestamp'
      | 'series_key'
      | 'service'
      | 'namespace'
      | 'metric_name'
      | 'labels'
      | 'window_seconds'
    >,
  ): AnomalyEvent {
    return {
      schema_version: SCHEMA_VERSION,
      id: anomalyIdOf(key, ts),
      timestamp: new Date(ts).toISOString(),
      series_key: key,
      ...state.identity,
      window_seconds: detection.window_points * options.stepSeconds,
      ...fields,
    };
  }

  return {
    seriesCount: () => series.size,
    keys: () => [...series.keys()],
    ingest(input, ingestOptions) {
      const batch = seriesInTimeOrder(input);
      const anomalies: AnomalyEvent[] = [];
      const touched: string[] = [];
      let pointsScored = 0;
      let skipped = 0;
      for (const { key, identity, timestamps, values } of batch) {
        let state = series.get(key);
        const coldStart = state === undefined;
        if (!state) {
          // The source's own identity object (it keeps one per series: create-prometheus-source.ts),
          // not a copy: a copy was ~56 bytes of heap more per series for the life of the process.
          state = newState(identity);
          state.minScore = options.initialMinScore?.(key);
          series.set(key, state);
        }
        let learned = false;
        for (let i = 0; i < timestamps.length; i += 1) {
          const ts = timestamps[i] as number;
          const value = values[i] as number;
          if (!(ts > state.lastTs) || !Number.isFinite(value) || !Number.isFinite(ts)) {
            skipped += 1;
            continue;
          }
          const gap = state.seen === 0 ? 0 : Math.max(0, Math.round((ts - state.lastTs) / stepMs) - 1);
          const reading = state.detector.update(value, ts);
          state.seen += 1;
          state.recent[state.recentAt + ((state.seen - 1) % RECENT_VALUES)] = value;
          if (gap > 0) {
            trimGaps(state);
            if (state.gaps) state.gaps.push(state.seen, gap);
            else state.gaps = [state.seen, gap];
          }
          state.lastTs = ts;
          if (Number.isNaN(state.firstTs)) state.firstTs = ts;
          state.absentReported = false;
          learned = true;
          if (!reading.ready) continue;
          pointsScored += 1;
          const mayOpen = !(coldStart && ts < ingestOptions.coldStartEmitAfterMs);
          const score = pagePoint(reading, state.minScore, state.episode, detection.episode_gap_points, mayOpen);
          if (!mayOpen || !isAnomalousPoint(reading, state.minScore)) continue;
          const opens = score >= PAGE_SCORE;
          const z = reading.verdicts.find((v) => v.name === 'rolling_zscore');
          const seasonalDays = state.detector.seasonalDays(ts);
          const mad = reading.verdicts.find((v) => v.name === 'robust_mad');
          anomalies.push(
            event(key, state, ts, {
              value,
              expected: finite(reading.expected),
              lower_bound: finite(reading.lower),
              upper_bound: finite(reading.upper),
              anomaly_score: Math.min(1, Math.max(0, reading.score)),
              opens,
              detector: reading.primary.name,
              direction: reading.direction,
              evidence: {
                sample_count: state.seen,
                baseline_points: Math.min(state.seen - 1, detection.window_points),
                baseline_days: Math.round(((ts - state.firstTs) / DAY_MS) * 1000) / 1000,
                ...(seasonalDays === undefined ? {} : { seasonal_days: seasonalDays }),
                z_score: finite(z?.statistic ?? 0),
                robust_z_score: finite(mad?.statistic ?? 0),
                missing_samples: missingSteps(state),
                recent_deploy:
                  ingestOptions.recentDeploy?.(state.identity.service, state.identity.namespace, ts) ?? null,
                recent_values: recentValues(state),
                detectors: reading.verdicts.map((v) => ({
                  name: v.name,
                  statistic: finite(v.statistic),
                  threshold: v.threshold,
                  score: Math.min(1, Math.max(0, v.score)),
                  fired: v.fired,
                })),
              },
            }),
          );
        }
        if (learned) touched.push(key);
      }
      return { anomalies, seriesScored: batch.length, pointsScored, skipped, touched };
    },
    absent(nowMs, metrics) {
      const out: AnomalyEvent[] = [];
      for (const [key, state] of series) {
        if (state.absentReported || !metrics.has(state.identity.metric_name)) continue;
        if (!(nowMs - state.lastTs >= absentAfterMs)) continue;
        state.absentReported = true;
        unreplayable.add(key);
        const last = state.seen > 0 ? (state.recent[state.recentAt + ((state.seen - 1) % RECENT_VALUES)] as number) : 0;
        out.push(
          event(key, state, nowMs, {
            value: last,
            expected: last,
            lower_bound: last,
            upper_bound: last,
            anomaly_score: 1,
            detector: 'absent',
            direction: 'down',
            evidence: {
              sample_count: state.seen,
              baseline_points: Math.min(state.seen, detection.window_points),
              baseline_days: Math.round(((state.lastTs - state.firstTs) / DAY_MS) * 1000) / 1000,
              z_score: 0,
              robust_z_score: 0,
              missing_samples: Math.round((nowMs - state.lastTs) / stepMs),
              recent_deploy: null,
              recent_values: recentValues(state),
            },
          }),
        );
      }
      return out;
    },
    forget(nowMs, metrics) {
      const gone: string[] = [];
      for (const [key, state] of series) {
        if (!metrics.has(state.identity.metric_name) || !(nowMs - state.lastTs >= forgetAfterMs)) continue;
        series.delete(key);
        unreplayable.delete(key);
        // Given back now, not when the detector is collected: the next new series takes the place.
        state.detector.release();
        freeRings.push({ recent: state.recent, recentAt: state.recentAt });
        gone.push(key);
      }
      return gone;
    },
    exportSeries(keys, allocate) {
      const out: PersistedSeries[] = [];
      for (const key of keys ?? series.keys()) {
        const s = series.get(key);
        if (!s || s.seen === 0) continue;
        out.push({ key, identity: s.identity, lastTs: s.lastTs, state: encode(s, allocate) });
      }
      return out;
    },
    importSeries(list) {
      const result: ImportResult = { restored: 0, rejected: [] };
      for (const p of list) {
        const before = series.get(p.key);
        const state = decode(p, before);
        if (typeof state === 'string') {
          result.rejected.push({ key: p.key, reason: state });
          continue;
        }
        state.minScore = before?.minScore;
        series.set(p.key, state);
        result.restored += 1;
      }
      return result;
    },
    minScore: (key) => series.get(key)?.minScore,
    setMinScore(key, minScore) {
      const s = series.get(key);
      if (s) s.minScore = minScore;
    },
    takeUnreplayable() {
      const keys = [...unreplayable];
      unreplayable.clear();
      return keys;
    },
    detectorState: (key) => series.get(key)?.detector.state(),
    replaceSeasonal(key, seasonal) {
      const s = series.get(key);
      if (!s || !seasonal) return false;
      s.detector.replaceSeasonal(seasonal);
      unreplayable.add(key);
      return true;
    },
  };
}
