import type { SeriesDetectorOptions } from '../create-series-detector.js';
import { createDriftDetector } from './drift.js';
import { createExcursionRateDetector } from './excursion-rate.js';
import { createNovelPatternDetector } from './novel-pattern.js';
import { createRecordDetector, recordWarmupPoints } from './record.js';
import type { SliceDetector } from './slice-detector.js';

/** The ensemble's slice detectors (see SliceDetector), in member order after the built-in ones. */
export function sliceDetectorsFor(options: SeriesDetectorOptions): SliceDetector[] {
  const warmup = recordWarmupPoints(options.stepMs);
  const detectors = [
    createRecordDetector(options.recordMargin, warmup, options.windowPoints),
    createExcursionRateDetector(warmup, options.windowPoints),
    createNovelPatternDetector(warmup, options.windowPoints),
  ];
  if (options.drift !== false) detectors.push(createDriftDetector(warmup, options.windowPoints));
  return detectors;
}
