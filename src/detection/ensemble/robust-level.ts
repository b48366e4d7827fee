import * as slicePoint from './slice-detector.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { POINT_SCALE, POINT_VALUE } = slicePoint;

// The first numbers of a slice that codes points against a slowly moving robust level: points
// learned, the level, the spread (mean absolute deviation of clipped residuals).
// Used here under names of this module's own: an exported binding is read like an imported one
// (see layout.ts), a module's own constant is folded into the code. The spread is read only here.
const POINTS_AT = 0;
const LEVEL_AT = 1;
const SPREAD_AT = 2;
export const POINTS = POINTS_AT;
export const LEVEL = LEVEL_AT;

/** A residual moves the level by at most this many spreads: one spike barely moves it. */
const CLIP_SPREADS = 3;

/**
 * Where spreadOf leaves its answer. These functions take and return no double (the point is read
 * from b[POINT_VALUE]): V8 boxes a double on the heap at every call it does not inline, and which
 * calls it inlines changes with the code around them (see handed in layout.ts).
 */
const spread = new Float64Array(1);
/** The same array, for the detectors (this module writes and reads it as `spread`: see POINTS_AT). */
export const spreadOut = spread;

/**
 * Counts the point into the slice and returns how many points it has learned with it, or 0 when
 * there is nothing more to learn from it: a value that is not a number (it would poison the level
 * for good) is not counted, and the first point only sets the level.
 */
export function admitPoint(b: Float64Array, at: number): number {
  const value = b[POINT_VALUE] as number;
  if (!Number.isFinite(value)) return 0;
  const points = (b[at + POINTS_AT] as number) + 1;
  b[at + POINTS_AT] = points;
  if (points === 1) {
    b[at + LEVEL_AT] = value;
    return 0;
  }
  // A small integer (a count), returned as one rather than boxed as a double.
  return points | 0;
}

/**
 * The spread points are judged in, to spreadOut[0]: the learned one, never below the series' point
 * scale, nor a millionth of the level (a series that never moved would divide by zero).
 */
export function spreadOf(b: Float64Array, at: number): void {
  spread[0] = Math.max(
    b[at + SPREAD_AT] as number,
    b[POINT_SCALE] as number,
    Math.abs(b[at + LEVEL_AT] as number) * 1e-6,
    1e-12,
  );
}

/**
 * Learns the point into the level and spread from clipped residuals (a Huber-like M-estimate), at
 * 1 / `memory` (points, an integer: a rate passed as a double was boxed at every call), as a plain
 * mean of what there is until that memory is reached. `points` counts this value (admitPoint's
 * answer); the residual is clipped at spreadOf before it.
 */
export function learnRobustLevel(b: Float64Array, at: number, memory: number, points: number): void {
  const alpha = 1 / memory;
  const value = b[POINT_VALUE] as number;
  spreadOf(b, at);
  const level = b[at + LEVEL_AT] as number;
  const residual = value - level;
  const limit = CLIP_SPREADS * (spread[0] as number);
  const clipped = residual > limit ? limit : residual < -limit ? -limit : residual;
  const rate = alpha > 1 / points ? alpha : 1 / points;
  b[at + LEVEL_AT] = level + rate * clipped;
  b[at + SPREAD_AT] = (b[at + SPREAD_AT] as number) + rate * (Math.abs(clipped) - (b[at + SPREAD_AT] as number));
}
