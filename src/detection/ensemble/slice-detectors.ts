import type { SeriesDetectorOptions } from '../create-series-detector.js';
import { createRecordDetector, recordWarmupPoints } from './record.js';
import type { SliceDetector } from './slice-detector.js';

/** The ensemble's slice detectors (see SliceDetector), in member order after the built-in ones. */
export function sliceDetectorsFor(options: SeriesDetectorOptions): SliceDetector[] {
  return [createRecordDetector(options.recordMargin, recordWarmupPoints(options.stepMs), options.windowPoints)];
}
