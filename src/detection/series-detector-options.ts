import type { DetectionConfig, SignalConfig } from '../config/config-schema.js';
import type { SeriesDetectorOptions } from './create-series-detector.js';
import type { ValueScale } from './ensemble/value-scale.js';

/**
 * Units that are not counts or volumes: a duration (a latency quantile) or a share (an error ratio,
 * CPU). Their noise does not grow like a count's, and the square-root scale would squeeze the very
 * rises that matter in them: they are judged as they are unless the signal says otherwise.
 */
const LINEAR_UNITS: ReadonlySet<string> = new Set(['seconds', 'ratio', 'percent']);

/**
 * A signal's scale (value-scale.ts): its own `value_scale`, else linear for a duration or a share,
 * else the detection default (square root: counts, volumes, and series of no declared unit).
 */
function valueScaleOf(
  detection: DetectionConfig,
  signal?: Partial<Pick<SignalConfig, 'value_scale' | 'unit'>>,
): ValueScale {
  if (signal?.value_scale) return signal.value_scale;
  if (signal?.unit && LINEAR_UNITS.has(signal.unit)) return 'linear';
  return detection.value_scale;
}

/** The one place where configuration becomes detector options: the tick and the benchmarks share it. */
export function seriesDetectorOptions(
  detection: DetectionConfig,
  stepMs: number,
  signal?: Pick<SignalConfig, 'direction' | 'min_abs_deviation' | 'slo'> &
    Partial<Pick<SignalConfig, 'value_scale' | 'unit' | 'role'>>,
): SeriesDetectorOptions {
  return {
    stepMs,
    windowPoints: detection.window_points,
    minPoints: detection.min_points,
    direction: signal?.direction ?? 'both',
    minAbsDeviation: signal?.min_abs_deviation ?? 0,
    zscoreThreshold: detection.zscore_threshold,
    madThreshold: detection.mad_threshold,
    levelShiftThreshold: detection.level_shift_threshold,
    levelShiftRecent: detection.level_shift_recent_points,
    seasonal: detection.seasonal,
    seasonalThreshold: detection.seasonal_threshold,
    calibrationHalfLife: detection.calibration_half_life_points,
    calibrationMinPoints: detection.calibration_min_points,
    minScore: detection.min_score,
    recordMargin: detection.record_margin,
    valueScale: valueScaleOf(detection, signal),
    countNoiseFloor: detection.count_noise_floor,
    // Demand that moves a little and stays is a quieter day or a new customer, not a fault; and the
    // correlation reads a traffic anomaly at an edge as load entering there (the starting service).
    ...(signal?.role === 'traffic' ? { drift: false } : {}),
    ...(signal?.slo
      ? {
          slo: {
            objective: signal.slo.objective,
            windows: signal.slo.windows.map((w) => ({
              longSeconds: w.long_seconds,
              shortSeconds: w.short_seconds,
              factor: w.factor,
            })),
          },
        }
      : {}),
  };
}
