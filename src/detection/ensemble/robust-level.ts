import { POINT_SCALE } from './slice-detector.js';

// The first numbers of a slice that codes points against a slowly moving robust level: points
// learned, the level, the spread (mean absolute deviation of clipped residuals).
export const POINTS = 0;
export const LEVEL = 1;
export const SPREAD = 2;

/** A residual moves the level by at most this many spreads: one spike barely moves it. */
const CLIP_SPREADS = 3;

/**
 * Counts a value into the slice and returns how many points it has learned with it, or 0 when
 * there is nothing more to learn from it: a value that is not a number (it would poison the level
 * for good) is not counted, and the first point only sets the level.
 */
export function admitPoint(b: Float64Array, at: number, value: number): number {
  if (!Number.isFinite(value)) return 0;
  const points = (b[at + POINTS] as number) + 1;
  b[at + POINTS] = points;
  if (points === 1) {
    b[at + LEVEL] = value;
    return 0;
  }
  return points;
}

/**
 * The spread points are judged in: the learned one, never below the series' point scale, nor a
 * millionth of the level (a series that never moved would divide by zero).
 */
export function spreadOf(b: Float64Array, at: number): number {
  return Math.max(b[at + SPREAD] as number, b[POINT_SCALE] as number, Math.abs(b[at + LEVEL] as number) * 1e-6, 1e-12);
}

/**
 * Learns a value into the level and spread from clipped residuals (a Huber-like M-estimate), at
 * `alpha`, as a plain mean of what there is until the average's own memory (1 / alpha) is reached.
 * `points` counts this value; `spread` is spreadOf before it.
 */
export function learnRobustLevel(
  b: Float64Array,
  at: number,
  value: number,
  spread: number,
  alpha: number,
  points: number,
): void {
  const level = b[at + LEVEL] as number;
  const residual = value - level;
  const limit = CLIP_SPREADS * spread;
  const clipped = residual > limit ? limit : residual < -limit ? -limit : residual;
  const rate = alpha > 1 / points ? alpha : 1 / points;
  b[at + LEVEL] = level + rate * clipped;
  b[at + SPREAD] = (b[at + SPREAD] as number) + rate * (Math.abs(clipped) - (b[at + SPREAD] as number));
}
