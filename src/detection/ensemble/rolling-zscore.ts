import type { Plan, SingleArray } from './layout.js';
import * as layout from './layout.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { M_EXP, M_SIGMA, M_STAT, PER_MEMBER, PREVIOUS, SCALE, Z_LEN, Z_PHASE, Z_SINCE, Z_SQ, Z_SUM, ZSCORE, ringIndex } =
  layout;

/** What SeriesDetector.state() shows of it: the window oldest first, and its running sums as they are. */
export interface RollingZscoreState {
  values: number[];
  /** Sum, sum of squares, points since they were last recomputed. */
  sums: [number, number, number];
}

/**
 * The rolling z-score: distance from the mean of the last W points, in their standard deviations
 * (floored, see layout.ts). Running sum and sum of squares over the shared ring: O(1) per point.
 */

/** Judges `value` against the window before it (the statistic, mean and sigma to its member's numbers); false while warming up. */
export function readZscore(b: Float64Array, p: Plan): boolean {
  const value = b[PREVIOUS] as number;
  const zLen = (b[Z_LEN] as number) | 0;
  if (zLen < p.minPoints) return false;
  const scale = b[SCALE] as number;
  const sum = b[Z_SUM] as number;
  const mean = sum / zLen;
  const variance = zLen > 1 ? Math.max(0, ((b[Z_SQ] as number) - sum * mean) / (zLen - 1)) : 0;
  const sigma = Math.max(Math.sqrt(variance), Math.abs(mean) * 0.01, scale, 1e-9);
  const m = p.memberAt + ZSCORE * PER_MEMBER;
  b[m + M_STAT] = (value - mean) / sigma;
  b[m + M_EXP] = mean;
  b[m + M_SIGMA] = sigma;
  return true;
}

/**
 * Learns the point into the running sums (the window's values are the shared ring's, `f` from
 * `ring`), the value in ring slot `oldSlot` leaving once the window is full; every W points the sums
 * are recomputed so that rounding cannot drift.
 */
export function zscorePush(
  b: Float64Array,
  p: Plan,
  f: SingleArray,
  ring: number,
  zLen: number,
  oldSlot: number,
): void {
  const value = b[PREVIOUS] as number;
  const W = p.W;
  let sum = b[Z_SUM] as number;
  let sumSq = b[Z_SQ] as number;
  let len = zLen;
  if (len < W) len += 1;
  else {
    const old = f[ring + oldSlot] as number;
    sum -= old;
    sumSq -= old * old;
  }
  sum += value;
  sumSq += value * value;
  const phase = ((b[Z_PHASE] as number) | 0) + 1;
  b[Z_PHASE] = phase === W ? 0 : phase;
  let since = (b[Z_SINCE] as number) + 1;
  if (since >= W) {
    // Exact sums, in the order of a ring of W indexed by pushes mod W (Z_PHASE): the order of the
    // additions is part of the numbers (saved state goes on with them), so it is kept.
    sum = 0;
    sumSq = 0;
    const newest = (phase === W ? 0 : phase) - 1;
    for (let i = 0; i < len; i += 1) {
      let age = newest - i;
      if (age < 0) age += W;
      const v = f[ring + ringIndex(b, p, age)] as number;
      sum += v;
      sumSq += v * v;
    }
    since = 0;
  }
  b[Z_LEN] = len;
  b[Z_SUM] = sum;
  b[Z_SQ] = sumSq;
  b[Z_SINCE] = since;
}
