import type { SliceDetector } from './slice-detector.js';

// Slice: points learned, the highest and the lowest of them.
const POINTS = 0;
const HIGHEST = 1;
const LOWEST = 2;

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
 * A value beyond anything this series has done since it was first seen, by more than its typical
 * point-to-point change × `margin`: "highest in 14 days of history". A fault that takes a series
 * somewhere it has never been (a leak's new peak, a queue that never grew this long) is caught at
 * once, however slowly it got there and whatever the rolling windows have got used to; a series
 * that sets records all the time (a growing one) learns, through the calibration, that they are not
 * rare. O(1) per point, three numbers of state.
 *
 * Its band is the record range widened by the margin: expected is its middle, sigma its half-width,
 * so the statistic passes ±1 exactly when the value leaves the band.
 */
export function createRecordDetector(margin: number, warmupPoints: number): SliceDetector {
  return {
    name: 'record',
    doubles: 3,
    threshold: 1,
    start(b, at) {
      b[at + HIGHEST] = Number.NEGATIVE_INFINITY;
      b[at + LOWEST] = Number.POSITIVE_INFINITY;
    },
    read(b, at, value, scale, out, outAt) {
      if ((b[at + POINTS] as number) < warmupPoints) return false;
      const highest = b[at + HIGHEST] as number;
      const lowest = b[at + LOWEST] as number;
      const middle = (highest + lowest) / 2;
      const halfWidth = Math.max((highest - lowest) / 2 + margin * scale, Math.abs(middle) * 1e-9, 1e-12);
      out[outAt] = (value - middle) / halfWidth;
      out[outAt + 1] = middle;
      out[outAt + 2] = halfWidth;
      return true;
    },
    learn(b, at, value) {
      // A value that is not a number would poison the extremes for good: it is not learned.
      if (Number.isNaN(value)) return;
      b[at + POINTS] = (b[at + POINTS] as number) + 1;
      if (value > (b[at + HIGHEST] as number)) b[at + HIGHEST] = value;
      if (value < (b[at + LOWEST] as number)) b[at + LOWEST] = value;
    },
  };
}
