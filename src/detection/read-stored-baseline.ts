import type { DetectionConfig, SignalConfig } from '../config/config-schema.js';
import { createSeriesDetector, seriesStateLayout } from './create-series-detector.js';
import { fromSqrtScale, judgesOnSqrtScale } from './ensemble/value-scale.js';
import { seriesDetectorOptions } from './series-detector-options.js';
import { decodeSeriesState } from './series-state-blob.js';

/** What a series' saved state says it normally looks like, for a person. */
export interface StoredBaseline {
  /**
   * The rolling window: its median and the band the robust MAD detector draws (a fault inside the
   * window hardly moves them), and its mean and standard deviation (which it does move).
   */
  recent: { points: number; median: number; lower: number; upper: number; mean: number; sd: number } | null;
  /** The seasonal profile at `atMs`'s hour of day: the long-run level plus that hour's shape. */
  seasonal: { hourUtc: number; expected: number; lower: number; upper: number; points: number } | null;
}

export interface BaselineOptions {
  detection: DetectionConfig;
  stepSeconds: number;
  signals: readonly SignalConfig[];
}

const HOUR_MS = 3_600_000;
const MAD_TO_SIGMA = 1.4826;

/** The median of a window (a copy is sorted: a window is at most 1 440 values). */
function medianOf(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Reads one series' baseline back from its saved bytes (series_state.state), with the detector
 * that wrote them: the same decode a restart uses, so nothing here can drift from what the tick
 * learned. Costs one series' state (~7 KB), and gives its place back at once. A string: why the
 * bytes cannot be read under the current options (they are rewritten by the next checkpoint).
 */
export function readStoredBaseline(
  options: BaselineOptions,
  metricName: string,
  state: Uint8Array,
  atMs: number,
): StoredBaseline | string {
  const detectorOptions = seriesDetectorOptions(
    options.detection,
    options.stepSeconds * 1000,
    options.signals.find((s) => s.name === metricName),
  );
  const layout = seriesStateLayout(detectorOptions);
  const parts = decodeSeriesState(state, layout.fingerprint, layout.doubles);
  if ('rejected' in parts) return parts.rejected;
  const detector = createSeriesDetector(detectorOptions, parts.detector);
  try {
    const s = detector.state();
    // The state is on the detectors' scale (value-scale.ts): what a person reads is in the signal's
    // units, each band's ends turned back as the detector draws them.
    const sqrt = judgesOnSqrtScale(detectorOptions);
    const back = (v: number) => (sqrt ? fromSqrtScale(v) : v);
    const onScale = s.zscore.values;
    const values = sqrt ? onScale.map(fromSqrtScale) : onScale;
    let recent: StoredBaseline['recent'] = null;
    if (values.length > 0) {
      let sum = 0;
      for (const v of values) sum += v;
      const mean = sum / values.length;
      let squares = 0;
      for (const v of values) squares += (v - mean) * (v - mean);
      const sd = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
      const median = medianOf(onScale);
      const mad = medianOf(onScale.map((v) => Math.abs(v - median)));
      // As the MAD detector draws it: 1.4826 × MAD ≈ one standard deviation for normal noise.
      const band = options.detection.mad_threshold * MAD_TO_SIGMA * mad;
      recent = {
        points: values.length,
        median: back(median),
        lower: back(median - band),
        upper: back(median + band),
        mean,
        sd,
      };
    }
    let seasonal: StoredBaseline['seasonal'] = null;
    if (s.seasonal) {
      const hour = Math.floor(atMs / HOUR_MS) % 24;
      const shape = s.seasonal.day.mean[hour] ?? 0;
      // As the seasonal detector draws it: mean absolute deviation × 1.25 ≈ one standard deviation.
      const band = options.detection.seasonal_threshold * 1.25 * (s.seasonal.day.dev[hour] ?? 0);
      const expected = s.seasonal.level + shape;
      const points = s.seasonal.day.count[hour] ?? 0;
      if (points > 0)
        seasonal = {
          hourUtc: hour,
          expected: back(expected),
          lower: back(expected - band),
          upper: back(expected + band),
          points: Math.round(points),
        };
    }
    return { recent, seasonal };
  } finally {
    detector.release();
  }
}
