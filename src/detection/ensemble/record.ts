import type { SliceDetector } from './slice-detector.js';
import * as slicePoint from './slice-detector.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { POINT_SCALE, POINT_VALUE } = slicePoint;

// Slice: points learned, the highest and the lowest of them up to the last block, and of the
// block going on.
const POINTS = 0;
const HIGHEST = 1;
const LOWEST = 2;
const BLOCK_HIGHEST = 3;
const BLOCK_LOWEST = 4;

/**
 * History needed before a new extreme means anything: early on every few points set a record. At
 * least a few hundred points, and at least a day, so that a daily curve's peak has been seen once
 * before a higher one can count (the first morning ramp of a new series is not a record).
 */
const RECORD_WARMUP_POINTS = 300;
const DAY_MS = 86_400_000;

export function recordWarmupPoints(stepMs: number): number {
  return Math.max(RECORD_WARMUP_POINTS, Math.ceil(DAY_MS / stepMs));
}

/**
 * A value beyond anything this series did before its current block of `blockPoints` points, by more
 * than its typical point-to-point change × `margin`: "highest in 14 days of history". A fault that
 * takes a series somewhere it has never been (a leak's new peak, a queue that never grew this long)
 * is caught however slowly it got there and whatever the rolling windows have got used to. The
 * block's own values join the record only when the block ends, so a slow climb is measured against
 * where the series was before it started, not against its own last step. A series that sets records
 * all the time (a growing one) learns, through the calibration, that they are not rare. O(1) per
 * point, five numbers of state.
 *
 * Its band is the record range widened by the margin: expected is its middle, sigma its half-width,
 * so the statistic passes ±1 exactly when the value leaves the band.
 */
export function createRecordDetector(margin: number, warmupPoints: number, blockPoints: number): SliceDetector {
  return {
    name: 'record',
    doubles: 5,
    seasonBlind: false,
    threshold: 1,
    start(b, at) {
      b[at + HIGHEST] = Number.NEGATIVE_INFINITY;
      b[at + LOWEST] = Number.POSITIVE_INFINITY;
      b[at + BLOCK_HIGHEST] = Number.NEGATIVE_INFINITY;
      b[at + BLOCK_LOWEST] = Number.POSITIVE_INFINITY;
    },
    read(b, at, outAt) {
      if ((b[at + POINTS] as number) < warmupPoints) return false;
      const value = b[POINT_VALUE] as number;
      const scale = b[POINT_SCALE] as number;
      const highest = b[at + HIGHEST] as number;
      const lowest = b[at + LOWEST] as number;
      const middle = (highest + lowest) / 2;
      const halfWidth = Math.max((highest - lowest) / 2 + margin * scale, Math.abs(middle) * 1e-9, 1e-12);
      b[outAt] = (value - middle) / halfWidth;
      b[outAt + 1] = middle;
      b[outAt + 2] = halfWidth;
      return true;
    },
    learn(b, at) {
      const value = b[POINT_VALUE] as number;
      // A value that is not a number would poison the extremes for good: it is not learned.
      if (Number.isNaN(value)) return;
      const points = (b[at + POINTS] as number) + 1;
      b[at + POINTS] = points;
      if (value > (b[at + BLOCK_HIGHEST] as number)) b[at + BLOCK_HIGHEST] = value;
      if (value < (b[at + BLOCK_LOWEST] as number)) b[at + BLOCK_LOWEST] = value;
      // Until the warm-up ends every point is history at once; after it, a block at a time.
      // (An integer remainder: a double one is a call into the runtime, on every point of every series.)
      if ((points | 0) % blockPoints !== 0 && points > warmupPoints) return;
      if ((b[at + BLOCK_HIGHEST] as number) > (b[at + HIGHEST] as number))
        b[at + HIGHEST] = b[at + BLOCK_HIGHEST] as number;
      if ((b[at + BLOCK_LOWEST] as number) < (b[at + LOWEST] as number))
        b[at + LOWEST] = b[at + BLOCK_LOWEST] as number;
      b[at + BLOCK_HIGHEST] = Number.NEGATIVE_INFINITY;
      b[at + BLOCK_LOWEST] = Number.POSITIVE_INFINITY;
    },
  };
}
