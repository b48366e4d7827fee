import type { DetectionConfig, SignalConfig } from '../config/config-schema.js';
import type { SeriesDetectorOptions } from './create-series-detector.js';

/** The one place where configuration becomes detector options: the tick and the benchmarks share it. */
export function seriesDetectorOptions(
  detection: DetectionConfig,
  stepMs: number,
  signal?: Pick<SignalConfig, 'direction' | 'min_abs_deviation' | 'slo'>,
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
