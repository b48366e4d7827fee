/**
 * The per-member tail calibrator: turns a detector statistic into a calibrated score, how rare a
 * deviation this large is in this series' own (recent) history. 0.999 means "larger than 99.9% of
 * what this series has shown". Scores of different detectors and different series are then
 * comparable, which a single global threshold (and the NAB optimiser) needs, and which a hand-set
 * sigma threshold is not.
 *
 * A small log-spaced histogram of |statistic| kept as suffix sums (bins × 4 bytes, single precision:
 * see SingleArray; interleaved by bin with the other members' in the series' array: the tick
 * touches thousands of series, so memory traffic, not arithmetic, is the cost). Old behaviour is
 * forgotten exponentially by growing the weight of new points (rescaled rarely) instead of decaying
 * every bin. Beyond the largest deviation seen, the tail is extrapolated (Pareto).
 */

import type { Plan, SingleArray } from './layout.js';
import * as layout from './layout.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { C_COUNT, C_MAX, C_WEIGHT, PER_MEMBER } = layout;

/**
 * Bins of a calibrator. Used here as BINS, a constant of this module: an exported binding is read
 * like an imported one (see layout.ts).
 */
const BINS = 24;
export const CALIBRATION_BINS = BINS;
const MIN_STAT = 0.5;
const MAX_STAT = 50;
const LOG_MIN = Math.log(MIN_STAT);
const BIN_SCALE = BINS / Math.log(MAX_STAT / MIN_STAT);
/**
 * The weight at which the bins are divided down. A bin holds at most the sum of every weight so far,
 * about 1.44 × the half-life (in points) times the current weight: ~1.5e36 at this weight with the
 * configuration's largest half-life, 10^6 points, where single precision ends at 3.4e38. Reached
 * after 100 half-lives (two years of 1-minute points at the default).
 */
const RESCALE_AT = 1e30;
const TAIL_EXPONENT = 2;

export interface TailCalibratorState {
  /** suffix[b] = weight of history with |statistic| in bin b or above. */
  suffix: number[];
  weight: number;
  /** Points seen (not decayed): how much history the calibration rests on. */
  count: number;
  /** Largest |statistic| seen, slowly forgotten: beyond it the tail is extrapolated. */
  max: number;
}

export function binOf(statistic: number): number {
  const a = Math.abs(statistic);
  if (!(a > MIN_STAT)) return 0;
  const b = Math.floor((Math.log(a) - LOG_MIN) * BIN_SCALE);
  return b >= BINS ? BINS - 1 : b;
}

/**
 * binOf without a logarithm: the bin's edges found once (by bisection on binOf itself), and binOf
 * asked only within a relative 1e-9 of one. Math.log errs by less than an ulp (~1e-16 relative to a
 * log of at most a few hundred), so apart by more than 1e-9, log(a) < log(b) whenever a < b: outside
 * those margins the edges give binOf's answer exactly, inside them binOf gives it.
 */
const EDGES = new Float64Array(BINS);
const SAFE_ABOVE = new Float64Array(BINS);
const SAFE_BELOW = new Float64Array(BINS);
const MARGIN = 1e-9;
EDGES[0] = MIN_STAT;
for (let k = 1; k < BINS; k += 1) {
  // Smallest double with binOf ≥ k: binOf(lo) < k ≤ binOf(hi), halved until adjacent.
  let lo = MIN_STAT;
  let hi = MAX_STAT * 2;
  for (;;) {
    const mid = lo + (hi - lo) / 2;
    if (mid === lo || mid === hi) break;
    if (binOf(mid) >= k) hi = mid;
    else lo = mid;
  }
  EDGES[k] = hi;
}
for (let k = 0; k < BINS; k += 1) {
  SAFE_ABOVE[k] = (EDGES[k] as number) * (1 + MARGIN);
  SAFE_BELOW[k] = k + 1 < BINS ? (EDGES[k + 1] as number) * (1 - MARGIN) : Number.POSITIVE_INFINITY;
}

/**
 * Where to start looking for the edge below a: by the top bits of a's double (its exponent and the
 * first 8 bits of its mantissa, a relative width under 1/256, far finer than a bin), the number of
 * edges at or below the smallest double with those bits. Only an edge inside that sliver can lie
 * between it and a, so the walk up from there is zero steps but near an edge.
 */
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
bits[0] = 2;
/** The index of the 32 bits holding the sign, exponent and top of the mantissa (endianness). */
const HIGH = words[1] === 0x40000000 ? 1 : 0;
/** 0.5 = 2^-1: biased exponent 1022; slivers from there on, 256 per power of two, up to 128 (past every edge). */
const SLIVER_FROM = 1022 << 8;
const SLIVERS = 8 << 8;
const FIRST_EDGE = new Uint8Array(SLIVERS);
for (let i = 0; i < SLIVERS; i += 1) {
  words[HIGH] = (SLIVER_FROM + i) << 12;
  words[1 - HIGH] = 0;
  const low = bits[0] as number;
  let k = 0;
  while (k + 1 < BINS && low >= (EDGES[k + 1] as number)) k += 1;
  FIRST_EDGE[i] = k;
}

/** binOf(|statistic|) for a ≥ 0, the hot path's version (see EDGES). */
export function binOfAbs(a: number): number {
  if (!(a > MIN_STAT)) return 0;
  bits[0] = a;
  const sliver = ((words[HIGH] as number) >>> 12) - SLIVER_FROM;
  // The largest edge at or below a: from the sliver's on (the loop binOf's edges would have run).
  let k = sliver < SLIVERS ? (FIRST_EDGE[sliver] as number) : BINS - 1;
  while (k + 1 < BINS && a >= (EDGES[k + 1] as number)) k += 1;
  return a >= (SAFE_ABOVE[k] as number) && a <= (SAFE_BELOW[k] as number) ? k : binOf(a);
}

/**
 * Calibrator `c` (member c's histogram, interleaved from `binsAt`, this series' calAt in `bins`, at
 * c + bin × p.calibrated, and its weight, count and max among the member's numbers in `b`): the tail
 * of |statistic| under the history before it, in (0, 1], then the statistic added to the history.
 */
export function tailThenAdd(
  b: Float64Array,
  bins: SingleArray,
  binsAt: number,
  p: Plan,
  c: number,
  statistic: number,
): number {
  const a = Math.abs(statistic);
  const bin = binOfAbs(a);
  const s = p.memberAt + c * PER_MEMBER;
  const stride = p.calibrated;
  const suffix = binsAt + c;
  const weight = b[s + C_WEIGHT] as number;
  const max = b[s + C_MAX] as number;
  // The tail. +weight: the point itself counts, so a first-ever extreme is rare but never
  // "impossible". Beyond anything seen a histogram cannot say how rare: extrapolate, so that three
  // times the largest deviation ever is rarer than just past it, and a short history caps nothing.
  const total = bins[suffix] as number;
  let t: number;
  if (total <= 0) t = 1;
  else {
    const u = Math.min(1, ((bins[suffix + bin * stride] as number) + weight) / (total + weight));
    t = a > max && max > 0 ? u * (max / a) ** TAIL_EXPONENT : u;
  }
  // Then add it.
  for (let i = 0; i <= bin; i += 1) bins[suffix + i * stride] = (bins[suffix + i * stride] as number) + weight;
  b[s + C_COUNT] = (b[s + C_COUNT] as number) + 1;
  const decayed = max * p.maxDecay;
  b[s + C_MAX] = decayed > a ? decayed : a;
  const grown = weight * p.growth;
  if (grown > RESCALE_AT) {
    for (let i = 0; i < BINS; i += 1) bins[suffix + i * stride] = (bins[suffix + i * stride] as number) / grown;
    b[s + C_WEIGHT] = 1;
  } else b[s + C_WEIGHT] = grown;
  return t;
}
