import type { Plan, SingleArray } from './layout.js';
import * as layout from './layout.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const {
  HEAD,
  L_FMEAN,
  L_FPOINTS,
  L_FROZEN,
  L_FSIGMA,
  L_N,
  L_REC,
  L_REF,
  L_REFSQ,
  L_SINCE,
  LEVEL,
  LEVEL_LEAVING,
  M_EXP,
  M_SIGMA,
  M_STAT,
  PER_MEMBER,
  PREVIOUS,
  RECENT_MEDIAN,
  SCALE,
  handed,
  ringIndex,
} = layout;

/** What SeriesDetector.state() shows of it: reference and recent values oldest first, and its numbers. */
export interface LevelShiftState {
  values: number[];
  /** The level before a detected step, held while the step lasts (see readLevelShift). */
  frozen: { mean: number; sigma: number; points: number } | null;
  /** Reference sum, reference sum of squares, recent sum, points since they were last recomputed. */
  sums: [number, number, number, number];
}

/**
 * The level shift: a two-window test for sustained steps that spike detectors forget, the median
 * of the last R points against the mean and spread of the W reference points before them. A step
 * that a rolling z-score has already absorbed into its baseline still shows here until the
 * reference window has moved past it. Once a step is detected, the level before it is held (for at
 * most one reference window): otherwise the step itself, entering the reference, would inflate its
 * spread and hide the step within a few points. O(1) per point: running sums over the shared ring.
 */

/** Points in the recent window for these options. */
export function recentPoints(options: { levelShiftRecent: number; windowPoints: number }): number {
  return Math.max(2, Math.min(options.levelShiftRecent, Math.floor(options.windowPoints / 3)));
}

/**
 * Judges `value` (with `head` the shared ring's next write index, before the point is learned; the
 * ring from `ring` in `f`); false while warming up. Freezes the reference level when the statistic
 * passes the threshold, and thaws it when it falls back or after W points.
 */
export function readLevelShift(b: Float64Array, p: Plan, f: SingleArray, ring: number, head: number): boolean {
  const lN = (b[L_N] as number) | 0;
  const refCount = lN - p.R;
  if (refCount < p.minPoints) return false;
  const scale = b[SCALE] as number;
  recentMedian(b, p, f, ring, head);
  const recentMedianValue = handed[RECENT_MEDIAN] as number;
  let refMean: number;
  let sigma: number;
  const frozen = b[L_FROZEN] === 1;
  if (frozen) {
    refMean = b[L_FMEAN] as number;
    sigma = b[L_FSIGMA] as number;
    b[L_FPOINTS] = (b[L_FPOINTS] as number) + 1;
  } else {
    const refSum = b[L_REF] as number;
    refMean = refSum / refCount;
    const variance = Math.max(0, ((b[L_REFSQ] as number) - refSum * refMean) / (refCount - 1));
    sigma = Math.max(Math.sqrt(variance), Math.abs(refMean) * 0.01, scale, 1e-9);
  }
  const threshold = p.thresholds[LEVEL] as number;
  const m = p.memberAt + LEVEL * PER_MEMBER;
  const statistic = ((recentMedianValue - refMean) / sigma) * p.sqrtR * 0.5;
  b[m + M_STAT] = statistic;
  b[m + M_EXP] = refMean;
  b[m + M_SIGMA] = sigma;
  const beyond = Math.abs(statistic) >= threshold;
  if (!frozen && beyond) {
    b[L_FROZEN] = 1;
    b[L_FMEAN] = refMean;
    b[L_FSIGMA] = sigma;
    b[L_FPOINTS] = 0;
  } else if (frozen && (!beyond || (b[L_FPOINTS] as number) >= p.W)) b[L_FROZEN] = 0;
  return true;
}

/**
 * The median of the level-shift test's recent points: this one and the R - 1 before it, sorted by
 * insertion; for the default five, a min/max network gives the same value
 * (the median of the same numbers) unless it is a zero, whose sign only the insertion order gives.
 * Left in handed[RECENT_MEDIAN].
 */
function recentMedian(b: Float64Array, p: Plan, f: SingleArray, ring: number, head: number): void {
  const value = b[PREVIOUS] as number;
  const R = p.R;
  const C = p.C;
  if (R === 5) {
    const a0 = f[ring + (head >= 1 ? head - 1 : head - 1 + C)] as number;
    const a1 = f[ring + (head >= 2 ? head - 2 : head - 2 + C)] as number;
    const a2 = f[ring + (head >= 3 ? head - 3 : head - 3 + C)] as number;
    const a3 = f[ring + (head >= 4 ? head - 4 : head - 4 + C)] as number;
    // Median of five: drop the smallest and the largest of four, then the median of three.
    const low = Math.max(Math.min(a0, a1), Math.min(a2, a3));
    const high = Math.min(Math.max(a0, a1), Math.max(a2, a3));
    const median = Math.max(Math.min(value, low), Math.min(Math.max(value, low), high));
    if (median !== 0 && !Number.isNaN(median)) {
      handed[RECENT_MEDIAN] = median;
      return;
    }
  }
  const scratch = p.scratch;
  scratch[0] = value;
  for (let i = 1; i < R; i += 1) {
    let at = head - i;
    if (at < 0) at += C;
    const v = f[ring + at] as number;
    let j = i;
    while (j > 0 && (scratch[j - 1] as number) > v) {
      scratch[j] = scratch[j - 1] as number;
      j -= 1;
    }
    scratch[j] = v;
  }
  handed[RECENT_MEDIAN] =
    R % 2 === 1 ? (scratch[R >> 1] as number) : ((scratch[R / 2 - 1] as number) + (scratch[R / 2] as number)) / 2;
}

/**
 * Learns the point into the running sums of the reference and recent parts (`old` leaving the
 * reference once the ring is full; the ring from `ring` in `f`); every C points the sums are
 * recomputed (resumLevel).
 */
export function levelPush(b: Float64Array, p: Plan, f: SingleArray, ring: number, lN: number): void {
  const value = b[PREVIOUS] as number;
  const old = handed[LEVEL_LEAVING] as number;
  const R = p.R;
  const C = p.C;
  let refSum = b[L_REF] as number;
  let refSq = b[L_REFSQ] as number;
  let recSum = b[L_REC] as number;
  let n = lN;
  if (n === C) {
    refSum -= old;
    refSq -= old * old;
  } else n += 1;
  recSum += value;
  if (n > R) {
    // The point that just left the recent part joins the reference part.
    const moved = f[ring + ringIndex(b, p, R)] as number;
    recSum -= moved;
    refSum += moved;
    refSq += moved * moved;
  }
  b[L_N] = n;
  let since = (b[L_SINCE] as number) + 1;
  if (since >= C) {
    // Oldest first: the ring from n places behind the head, which push has moved on already.
    // (No closure here: its variables would be allocated on the heap at every call.)
    const head = (b[HEAD] as number) | 0;
    resumLevel(b, n, R, f, ring, head >= n ? head - n : head - n + C, C);
    since = 0;
  } else {
    b[L_REF] = refSum;
    b[L_REFSQ] = refSq;
    b[L_REC] = recSum;
  }
  b[L_SINCE] = since;
}

/**
 * Recomputes the level-shift test's running sums from its `count` values, oldest first at
 * values[base + first] and on, wrapping round after `wrap` (a ring), the last `recent` of them in the
 * recent part: the periodic re-summation that keeps rounding from drifting, oldest first (the order
 * of the additions is part of the numbers that saved state goes on with).
 */
function resumLevel(
  b: Float64Array,
  count: number,
  recent: number,
  values: SingleArray,
  base: number,
  first: number,
  wrap: number,
): void {
  let refSum = 0;
  let refSq = 0;
  let recSum = 0;
  const refCount = Math.max(0, count - recent);
  for (let i = 0; i < count; i += 1) {
    const v = values[base + (first + i < wrap ? first + i : first + i - wrap)] as number;
    if (i < refCount) {
      refSum += v;
      refSq += v * v;
    } else recSum += v;
  }
  b[L_REF] = refSum;
  b[L_REFSQ] = refSq;
  b[L_REC] = recSum;
}
