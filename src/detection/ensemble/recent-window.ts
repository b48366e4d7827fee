import type { Plan } from './layout.js';
import * as layout from './layout.js';
import * as levelShift from './level-shift.js';
import * as rollingZscore from './rolling-zscore.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { HEAD, L_N, LEVEL_LEAVING, M_HINT, M_LO, M_N, MAD_VALUE, MEDIAN_VALUE, PREVIOUS, Z_LEN, handed, ringIndex } =
  layout;
const { levelPush } = levelShift;
const { zscorePush } = rollingZscore;

/**
 * The recent values that the rolling z-score, the robust MAD and the level-shift test share: one
 * ring of the last W + R points (each test reads its own window of it, see ringIndex) and the last
 * W of them sorted, in a region with room on either side so that a trend drifts the window rather
 * than moving all of it (see slidePush). Each detector only keeps its sums and scalars of its own.
 */

/** Learns a point: into the shared ring, the z-score sums, the sorted window, the level-shift sums. */
export function learnRecent(b: Float64Array, p: Plan): void {
  const value = b[PREVIOUS] as number;
  const W = p.W;
  const C = p.C;
  // What leaves each detector's window, read before the ring slot is overwritten.
  const zLen = (b[Z_LEN] as number) | 0;
  const mN = (b[M_N] as number) | 0;
  const lN = (b[L_N] as number) | 0;
  // The z-score's and the MAD's windows lose the same value: W points back. Writing the head
  // leaves it in place (the ring holds W + R), so slidePush reads it there later.
  const leavingAt = ringIndex(b, p, W - 1);
  // (Values leave by where they are in the ring, not as numbers, which a call would box; the level
  // test's slot is the one this point overwrites, so its value goes through `handed`.)
  handed[LEVEL_LEAVING] = lN === C ? (b[ringIndex(b, p, C - 1)] as number) : 0;
  const head = (b[HEAD] as number) | 0;
  b[p.ringAt + head] = value;
  b[HEAD] = head + 1 === C ? 0 : head + 1;
  zscorePush(b, p, zLen, leavingAt);
  if (!Number.isFinite(value)) b[M_HINT] = -1;
  if (mN === W && ((b[M_HINT] as number) | 0) >= 0) slidePush(b, p, leavingAt);
  else sortedPush(b, p.sortedAt + ((b[M_LO] as number) | 0), mN, W, leavingAt);
  if (mN < W) b[M_N] = mN + 1;
  levelPush(b, p, lN);
}

/**
 * lowerBound's answer for a window without NaN (where `< x` is false then true, never again false),
 * without a branch on the data: a fixed number of halvings, each moving by half or by nothing.
 */
function lowerBoundOrdered(b: Float64Array, base: number, n: number, x: number): number {
  let at = base;
  let len = n;
  while (len > 1) {
    const half = len >>> 1;
    at += half * +((b[at + half - 1] as number) < x);
    len -= half;
  }
  return at - base + +((b[at] as number) < x);
}

function lowerBound(b: Float64Array, base: number, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((b[base + mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Below this many elements a loop moves them faster than copyWithin (a call into the runtime). */
const SHORT_MOVE = 24;

/**
 * sortedPush of a full window without NaN or infinities, with the same result: the old value leaves
 * from the first place holding a value not below it (found without branches on the data), the new
 * value goes before the first value ≥ it. What moves is what lies between the two places, the
 * insertion sort's loop finding the second on the way; or, when the window drifts (a trend: the
 * smallest leaves as a new largest comes, or the other way round), the few values on the far side
 * of each place, the window's start moving by one within its region. When it reaches the region's
 * end the window is moved back to the middle, once every `slack` points of a steady trend.
 */
function slidePush(b: Float64Array, p: Plan, oldAt: number): void {
  const value = b[PREVIOUS] as number;
  const old = b[oldAt] as number;
  const W = p.W;
  let base = p.sortedAt + ((b[M_LO] as number) | 0);
  const i = lowerBoundOrdered(b, base, W, old);
  // Which way moves less: between the two places, about |new place - i| values; by drifting, i plus
  // those beyond the new value. With the new value past the one `half` places beyond i, drifting
  // moves at most about W / 2, and between at least as many: drift then (either is exact).
  const half = (W - 1) >> 1;
  if (value > old) {
    if (i + half < W && value > (b[base + i + half] as number)) {
      // Close the old value's place from below, open the new one's from above.
      if (base + W === p.sortedAt + W + 2 * p.slack) base = recentre(b, p, base);
      for (let k = base + i; k > base; k -= 1) b[k] = b[k - 1] as number;
      let k = base + W;
      while (k > base + 1 && (b[k - 1] as number) >= value) {
        b[k] = b[k - 1] as number;
        k -= 1;
      }
      b[k] = value;
      b[M_LO] = base + 1 - p.sortedAt;
      return;
    }
    let k = base + i;
    const last = base + W - 1;
    while (k < last && (b[k + 1] as number) < value) {
      b[k] = b[k + 1] as number;
      k += 1;
    }
    b[k] = value;
    return;
  }
  if (i >= half && value < (b[base + i - half] as number)) {
    // The mirror image: close from above, open from below.
    if (base === p.sortedAt) base = recentre(b, p, base);
    const top = base + W - 1;
    for (let k = base + i; k < top; k += 1) b[k] = b[k + 1] as number;
    let k = base - 1;
    while (k < top - 1 && (b[k + 1] as number) < value) {
      b[k] = b[k + 1] as number;
      k += 1;
    }
    b[k] = value;
    b[M_LO] = base - 1 - p.sortedAt;
    return;
  }
  let k = base + i;
  while (k > base && (b[k - 1] as number) >= value) {
    b[k] = b[k - 1] as number;
    k -= 1;
  }
  b[k] = value;
}

/** Moves the sorted window back to the middle of its region; returns where it starts now. */
function recentre(b: Float64Array, p: Plan, base: number): number {
  const middle = p.sortedAt + p.slack;
  const W = p.W;
  // A loop rather than copyWithin (a call into the runtime, dearer than the copy); the order of the
  // copy is the one that reads every value before the overlap overwrites it.
  if (middle < base) for (let i = 0; i < W; i += 1) b[middle + i] = b[base + i] as number;
  else for (let i = W - 1; i >= 0; i -= 1) b[middle + i] = b[base + i] as number;
  b[M_LO] = p.slack;
  return middle;
}

/**
 * Replaces `old` (the value leaving the window) by `value` once the window is full: both places by
 * binary search, then one move of what lies between (an O(log window) search, a short move).
 */
function sortedPush(b: Float64Array, base: number, n: number, W: number, oldAt: number): void {
  const value = b[PREVIOUS] as number;
  if (n === W) {
    const old = b[oldAt] as number;
    const from = lowerBound(b, base, n, old);
    let i = from;
    if (value > old) {
      const to = lowerBound(b, base, n, value) - 1;
      if (to > from) {
        if (to - from < SHORT_MOVE) for (let k = base + from; k < base + to; k += 1) b[k] = b[k + 1] as number;
        else b.copyWithin(base + from, base + from + 1, base + to + 1);
        i = to;
      }
    } else {
      const to = lowerBound(b, base, n, value);
      if (to < from) {
        if (from - to < SHORT_MOVE) for (let k = base + from; k > base + to; k -= 1) b[k] = b[k - 1] as number;
        else b.copyWithin(base + to + 1, base + to, base + from);
        i = to;
      }
    }
    b[base + i] = value;
    return;
  }
  let i = n;
  while (i > 0 && (b[base + i - 1] as number) > value) {
    b[base + i] = b[base + i - 1] as number;
    i -= 1;
  }
  b[base + i] = value;
}

/** The median of the sorted window's n values from base, in handed[MEDIAN_VALUE] (see handed). */
function medianOf(b: Float64Array, base: number, n: number): void {
  const h = n >>> 1;
  handed[MEDIAN_VALUE] =
    n % 2 === 1 ? (b[base + h] as number) : ((b[base + h - 1] as number) + (b[base + h] as number)) / 2;
}

/**
 * The MAD of the sorted window around its median `m`: the middle order statistic(s) of |x - m|. The
 * deviations form two sorted arms around index h, A[i] = m - sorted[h-1-i] and B[j] = sorted[h+j] - m;
 * a binary search on how many of the k+1 smallest come from A finds the k-th in O(log window), and
 * the (k+1)-th (for an even window) is then the smaller of the next of each arm.
 * The answer is left in handed[MAD_VALUE], the median in handed[MEDIAN_VALUE] (see handed).
 */
export function madOf(b: Float64Array, base: number, n: number): void {
  medianOf(b, base, n);
  const m = handed[MEDIAN_VALUE] as number;
  const h = n >>> 1;
  const k = (n - 1) >>> 1;
  const a = h;
  const nb = n - h;
  const first = k + 1 - nb > 0 ? k + 1 - nb : 0;
  const end = k + 1 < a ? k + 1 : a;
  let lo = first;
  const hint = (b[M_HINT] as number) | 0;
  if (hint >= 0) {
    // No NaN: "B[j-1] > A[i]" is true then false as i grows (both arms are sorted and rounding
    // keeps order), so the binary search's answer is its one change, found from where it was last.
    // Within first..end, j ≥ 1 and i < a: only the comparison is left.
    const top = base + h + k;
    const bottom = base + h - 1;
    lo = hint < first ? first : hint > end ? end : hint;
    if (lo > first && !((b[top - lo + 1] as number) - m > m - (b[bottom - lo + 1] as number))) {
      lo -= 1;
      while (lo > first && !((b[top - lo + 1] as number) - m > m - (b[bottom - lo + 1] as number))) lo -= 1;
    } else while (lo < end && (b[top - lo] as number) - m > m - (b[bottom - lo] as number)) lo += 1;
    b[M_HINT] = lo;
  } else {
    let hi = end;
    while (lo < hi) {
      const i = (lo + hi) >>> 1;
      const j = k + 1 - i;
      // B[j-1] > A[i]: take more from A.
      if (j > 0 && i < a && (b[base + h + j - 1] as number) - m > m - (b[base + h - 1 - i] as number)) lo = i + 1;
      else hi = i;
    }
  }
  const j = k + 1 - lo;
  const fromA = lo > 0 ? m - (b[base + h - lo] as number) : Number.NEGATIVE_INFINITY;
  const fromB = j > 0 ? (b[base + h + j - 1] as number) - m : Number.NEGATIVE_INFINITY;
  const low = fromA > fromB ? fromA : fromB;
  if (k === n >>> 1) {
    handed[MAD_VALUE] = low;
    return;
  }
  const nextA = lo < a ? m - (b[base + h - 1 - lo] as number) : Number.POSITIVE_INFINITY;
  const nextB = j < nb ? (b[base + h + j] as number) - m : Number.POSITIVE_INFINITY;
  handed[MAD_VALUE] = (low + (nextA < nextB ? nextA : nextB)) / 2;
}
