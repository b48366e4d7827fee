import type { Plan, SingleArray, SlotArray } from './layout.js';
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
 * W of them sorted, as the ring slots they are in (SlotArray: half the bytes of the values, read
 * through the ring), in a region with room on either side so that a trend drifts the window
 * rather than moving all of it (see slidePush). Each detector only keeps its sums and scalars of its
 * own.
 *
 * The slots are in the order of their values, and among equal values in the order they came (the
 * oldest first): a new slot goes after the values equal to its own, so the value leaving the window
 * (the oldest in it) is the first of its equals, and a lower-bound search on its value finds its very
 * slot. The values read in that order are the values sorted, so the median and the MAD are those of
 * a sorted copy of the window.
 */

/**
 * Learns a point: into the shared ring, the z-score sums, the sorted window, the level-shift sums.
 * `f` holds the series' ring from `ring` (see SingleArray), `slots` its sorted window's region
 * from `at` (see SlotArray).
 */
export function learnRecent(
  b: Float64Array,
  p: Plan,
  f: SingleArray,
  ring: number,
  slots: SlotArray,
  at: number,
): void {
  const value = b[PREVIOUS] as number;
  const W = p.W;
  const C = p.C;
  // What leaves each detector's window, read before the ring slot is overwritten.
  const zLen = (b[Z_LEN] as number) | 0;
  const mN = (b[M_N] as number) | 0;
  const lN = (b[L_N] as number) | 0;
  // The z-score's and the MAD's windows lose the same value: W points back. Writing the head
  // leaves it in place (the ring holds W + R, R ≥ 2), so slidePush reads it there later.
  const leaving = ringIndex(b, p, W - 1);
  // (Values leave by where they are in the ring, not as numbers, which a call would box; the level
  // test's slot is the one this point overwrites, so its value goes through `handed`.)
  handed[LEVEL_LEAVING] = lN === C ? (f[ring + ringIndex(b, p, C - 1)] as number) : 0;
  const head = (b[HEAD] as number) | 0;
  // The value is single precision already (see PREVIOUS): the ring keeps it exactly.
  f[ring + head] = value;
  b[HEAD] = head + 1 === C ? 0 : head + 1;
  zscorePush(b, p, f, ring, zLen, leaving);
  if (!Number.isFinite(value)) b[M_HINT] = -1;
  // The slot this point went to was W + R - 1 points back: in no window of the MAD's.
  if (mN < W) insertSlot(b, f, ring, slots, at + ((b[M_LO] as number) | 0), mN, head);
  else if (((b[M_HINT] as number) | 0) >= 0) slidePush(b, p, f, ring, slots, at, head, leaving);
  else replaceSlot(b, f, ring, slots, at + ((b[M_LO] as number) | 0), W, head, leaving);
  if (mN < W) b[M_N] = mN + 1;
  levelPush(b, p, f, ring, lN);
}

/**
 * The first place whose value is not below `x`, for a window without NaN (where `< x` is false then
 * true, never again false), without a branch on the data: a fixed number of halvings, each moving
 * by half or by nothing.
 */
function lowerBoundOrdered(f: SingleArray, ring: number, s: SlotArray, base: number, n: number, x: number): number {
  let at = base;
  let len = n;
  while (len > 1) {
    const half = len >>> 1;
    at += half * +((f[ring + (s[at + half - 1] as number)] as number) < x);
    len -= half;
  }
  return at - base + +((f[ring + (s[at] as number)] as number) < x);
}

/**
 * Whether `y` comes after `x` in the order the window is kept in: numbers in their order, NaN after
 * every number (NaNs among themselves, as equal values, in the order they came).
 */
function comesAfter(y: number, x: number): boolean {
  return y > x || (Number.isNaN(y) && !Number.isNaN(x));
}

/** How many of the window's values come at or before `x` (see comesAfter). */
function upperBound(f: SingleArray, ring: number, s: SlotArray, base: number, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comesAfter(f[ring + (s[base + mid] as number)] as number, x)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Below this many elements a loop moves them faster than copyWithin (a call into the runtime). */
const SHORT_MOVE = 24;

/**
 * The window full and without NaN or infinities: the old value's slot leaves from the first place
 * holding a value not below it (its own, see above; found without branches on the data), the new
 * one goes after the last value ≤ its own. What moves is what lies between the two places, the
 * insertion sort's loop finding the second on the way; or, when the window drifts (a trend: the
 * smallest leaves as a new largest comes, or the other way round), the few slots on the far side of
 * each place, the window's start moving by one within its region. When it reaches the region's end
 * the window is moved back to the middle, once every `slack` points of a steady trend.
 */
function slidePush(
  b: Float64Array,
  p: Plan,
  f: SingleArray,
  ring: number,
  s: SlotArray,
  at: number,
  slot: number,
  oldSlot: number,
): void {
  const value = b[PREVIOUS] as number;
  const old = f[ring + oldSlot] as number;
  const W = p.W;
  let base = at + ((b[M_LO] as number) | 0);
  const i = lowerBoundOrdered(f, ring, s, base, W, old);
  // Which way moves less: between the two places, about |new place - i| slots; by drifting, i plus
  // those beyond the new value. With the new value past the one `half` places beyond i, drifting
  // moves at most about W / 2, and between at least as many: drift then (either is exact). A value
  // equal to the old one goes up, past the old one's equals.
  const half = (W - 1) >> 1;
  if (value >= old) {
    if (i + half < W && value > (f[ring + (s[base + i + half] as number)] as number)) {
      // Close the old slot's place from below, open the new one's from above.
      if (base === at + 2 * p.slack) base = recentre(b, p, s, at, base);
      for (let k = base + i; k > base; k -= 1) s[k] = s[k - 1] as number;
      let k = base + W;
      while (k > base + 1 && (f[ring + (s[k - 1] as number)] as number) > value) {
        s[k] = s[k - 1] as number;
        k -= 1;
      }
      s[k] = slot;
      b[M_LO] = base + 1 - at;
      return;
    }
    let k = base + i;
    const last = base + W - 1;
    while (k < last && (f[ring + (s[k + 1] as number)] as number) <= value) {
      s[k] = s[k + 1] as number;
      k += 1;
    }
    s[k] = slot;
    return;
  }
  if (i >= half && value < (f[ring + (s[base + i - half] as number)] as number)) {
    // The mirror image: close from above, open from below.
    if (base === at) base = recentre(b, p, s, at, base);
    const top = base + W - 1;
    for (let k = base + i; k < top; k += 1) s[k] = s[k + 1] as number;
    let k = base - 1;
    while (k < top - 1 && (f[ring + (s[k + 1] as number)] as number) <= value) {
      s[k] = s[k + 1] as number;
      k += 1;
    }
    s[k] = slot;
    b[M_LO] = base - 1 - at;
    return;
  }
  let k = base + i;
  while (k > base && (f[ring + (s[k - 1] as number)] as number) > value) {
    s[k] = s[k - 1] as number;
    k -= 1;
  }
  s[k] = slot;
}

/** Moves the sorted window back to the middle of its region (from `at`); returns where it starts now. */
function recentre(b: Float64Array, p: Plan, s: SlotArray, at: number, base: number): number {
  const middle = at + p.slack;
  const W = p.W;
  // A loop rather than copyWithin (a call into the runtime, dearer than the copy); the order of the
  // copy is the one that reads every slot before the overlap overwrites it.
  if (middle < base) for (let i = 0; i < W; i += 1) s[middle + i] = s[base + i] as number;
  else for (let i = W - 1; i >= 0; i -= 1) s[middle + i] = s[base + i] as number;
  b[M_LO] = p.slack;
  return middle;
}

/**
 * The window filling (n < W values): the new slot goes after every value at or before its own, an
 * insertion sort's step from the end (in the window's order, see comesAfter).
 */
function insertSlot(
  b: Float64Array,
  f: SingleArray,
  ring: number,
  s: SlotArray,
  base: number,
  n: number,
  slot: number,
): void {
  const value = b[PREVIOUS] as number;
  let i = n;
  while (i > 0 && comesAfter(f[ring + (s[base + i - 1] as number)] as number, value)) {
    s[base + i] = s[base + i - 1] as number;
    i -= 1;
  }
  s[base + i] = slot;
}

/**
 * The window full, once a value that is not finite has entered it: the old slot is found by where
 * it is (a scan: with a NaN, no search on values is sure to find it, and this path is rare), the new
 * one's place by upperBound (NaN after every number), then one move of what lies between. So the
 * window always holds exactly the last W slots, in order, NaN last; once the NaNs have left, it is
 * the window a series that never had one would hold.
 */
function replaceSlot(
  b: Float64Array,
  f: SingleArray,
  ring: number,
  s: SlotArray,
  base: number,
  W: number,
  slot: number,
  oldSlot: number,
): void {
  const value = b[PREVIOUS] as number;
  let from = 0;
  while (from < W - 1 && (s[base + from] as number) !== oldSlot) from += 1;
  // Where the new slot goes among all W: after the old one when that one's value is at or before its own.
  const to = upperBound(f, ring, s, base, W, value);
  let i = from;
  if (to > from + 1) {
    i = to - 1;
    if (i - from < SHORT_MOVE) for (let k = base + from; k < base + i; k += 1) s[k] = s[k + 1] as number;
    else s.copyWithin(base + from, base + from + 1, base + i + 1);
  } else if (to < from) {
    i = to;
    if (from - to < SHORT_MOVE) for (let k = base + from; k > base + to; k -= 1) s[k] = s[k - 1] as number;
    else s.copyWithin(base + to + 1, base + to, base + from);
  }
  s[base + i] = slot;
}

/** The median of the sorted window's n values (slots from base), in handed[MEDIAN_VALUE] (see handed). */
function medianOf(f: SingleArray, ring: number, s: SlotArray, base: number, n: number): void {
  const h = n >>> 1;
  handed[MEDIAN_VALUE] =
    n % 2 === 1
      ? (f[ring + (s[base + h] as number)] as number)
      : ((f[ring + (s[base + h - 1] as number)] as number) + (f[ring + (s[base + h] as number)] as number)) / 2;
}

/**
 * The MAD of the sorted window around its median `m`: the middle order statistic(s) of |x - m|. The
 * deviations form two sorted arms around index h, A[i] = m - sorted[h-1-i] and B[j] = sorted[h+j] - m;
 * a binary search on how many of the k+1 smallest come from A finds the k-th in O(log window), and
 * the (k+1)-th (for an even window) is then the smaller of the next of each arm. sorted[x] is the
 * value of the x-th slot from base, f[ring + s[base + x]].
 * The answer is left in handed[MAD_VALUE], the median in handed[MEDIAN_VALUE] (see handed).
 */
export function madOf(b: Float64Array, f: SingleArray, ring: number, s: SlotArray, base: number, n: number): void {
  medianOf(f, ring, s, base, n);
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
    if (
      lo > first &&
      !(
        (f[ring + (s[top - lo + 1] as number)] as number) - m >
        m - (f[ring + (s[bottom - lo + 1] as number)] as number)
      )
    ) {
      lo -= 1;
      while (
        lo > first &&
        !(
          (f[ring + (s[top - lo + 1] as number)] as number) - m >
          m - (f[ring + (s[bottom - lo + 1] as number)] as number)
        )
      )
        lo -= 1;
    } else
      while (
        lo < end &&
        (f[ring + (s[top - lo] as number)] as number) - m > m - (f[ring + (s[bottom - lo] as number)] as number)
      )
        lo += 1;
    b[M_HINT] = lo;
  } else {
    let hi = end;
    while (lo < hi) {
      const i = (lo + hi) >>> 1;
      const j = k + 1 - i;
      // B[j-1] > A[i]: take more from A.
      if (
        j > 0 &&
        i < a &&
        (f[ring + (s[base + h + j - 1] as number)] as number) - m >
          m - (f[ring + (s[base + h - 1 - i] as number)] as number)
      )
        lo = i + 1;
      else hi = i;
    }
  }
  const j = k + 1 - lo;
  const fromA = lo > 0 ? m - (f[ring + (s[base + h - lo] as number)] as number) : Number.NEGATIVE_INFINITY;
  const fromB = j > 0 ? (f[ring + (s[base + h + j - 1] as number)] as number) - m : Number.NEGATIVE_INFINITY;
  const low = fromA > fromB ? fromA : fromB;
  if (k === n >>> 1) {
    handed[MAD_VALUE] = low;
    return;
  }
  const nextA = lo < a ? m - (f[ring + (s[base + h - 1 - lo] as number)] as number) : Number.POSITIVE_INFINITY;
  const nextB = j < nb ? (f[ring + (s[base + h + j] as number)] as number) - m : Number.POSITIVE_INFINITY;
  handed[MAD_VALUE] = (low + (nextA < nextB ? nextA : nextB)) / 2;
}
