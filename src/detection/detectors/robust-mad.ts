import { type Allocate, heapAllocate } from './arena.js';
import { type Detector, newReading, ringValues, type ScaleFloor, setDeviation, spreadFloor } from './detector.js';

/** Scales the MAD to the standard deviation of a normal distribution (1 / Φ⁻¹(3/4)). */
const MAD_TO_SIGMA = 1.4826;

export interface RobustMadState {
  /** Window values in arrival order. */
  values: number[];
}

/**
 * Distance from the rolling median in robust sigmas (1.4826 × MAD): one outlier in the window does
 * not blind it to the next. The window is kept sorted: the oldest value is replaced in place by
 * moving the elements between its slot and the new value's (O(log window) to find, a short move);
 * the median is O(1) and the MAD O(log window).
 */
export function createRobustMad(
  options: { window: number; minPoints: number; threshold: number; scale?: ScaleFloor },
  initial?: RobustMadState,
  alloc: Allocate = heapAllocate,
): Detector<RobustMadState> {
  const W = options.window;
  const ring = alloc(W);
  const sorted = alloc(W);
  let start = 0;
  let n = 0;
  const reading = newReading(options.threshold);

  function lowerBound(x: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function push(value: number) {
    if (n === W) {
      // Replace the oldest value in the sorted array by moving only the elements between its place
      // and the new value's place (usually a short distance).
      const old = ring[start] as number;
      ring[start] = value;
      start = start + 1 === W ? 0 : start + 1;
      const from = lowerBound(old);
      let i = from;
      if (value > old) {
        // Where the new value goes, then one block move (memmove) of what lies between.
        const to = lowerBound(value) - 1;
        if (to > from) sorted.copyWithin(from, from + 1, to + 1);
        i = to > from ? to : from;
      } else {
        const to = lowerBound(value);
        if (to < from) sorted.copyWithin(to + 1, to, from);
        i = to < from ? to : from;
      }
      sorted[i] = value;
      return;
    }
    ring[n] = value;
    let i = n;
    while (i > 0 && (sorted[i - 1] as number) > value) {
      sorted[i] = sorted[i - 1] as number;
      i -= 1;
    }
    sorted[i] = value;
    n += 1;
  }

  function median(): number {
    const h = n >>> 1;
    return n % 2 === 1 ? (sorted[h] as number) : ((sorted[h - 1] as number) + (sorted[h] as number)) / 2;
  }

  /**
   * k-th smallest (0-based) of |x - m| over the window: the deviations form two sorted arms around
   * index h, A[i] = m - sorted[h-1-i] and B[j] = sorted[h+j] - m; a binary search on how many of the
   * k+1 smallest come from A finds it in O(log window).
   */
  function kthDeviation(k: number, m: number, h: number): number {
    const a = h;
    const b = n - h;
    let lo = k + 1 - b > 0 ? k + 1 - b : 0;
    let hi = k + 1 < a ? k + 1 : a;
    while (lo < hi) {
      const i = (lo + hi) >>> 1;
      const j = k + 1 - i;
      // B[j-1] > A[i]: take more from A.
      if (j > 0 && i < a && (sorted[h + j - 1] as number) - m > m - (sorted[h - 1 - i] as number)) lo = i + 1;
      else hi = i;
    }
    const j = k + 1 - lo;
    const fromA = lo > 0 ? m - (sorted[h - lo] as number) : Number.NEGATIVE_INFINITY;
    const fromB = j > 0 ? (sorted[h + j - 1] as number) - m : Number.NEGATIVE_INFINITY;
    return fromA > fromB ? fromA : fromB;
  }

  function mad(m: number): number {
    const h = n >>> 1;
    const lowK = (n - 1) >>> 1;
    const highK = n >>> 1;
    const low = kthDeviation(lowK, m, h);
    return lowK === highK ? low : (low + kthDeviation(highK, m, h)) / 2;
  }

  for (const v of initial?.values.slice(-W) ?? []) push(v);

  return {
    name: 'robust_mad',
    update(value) {
      reading.ready = n >= options.minPoints;
      if (reading.ready) {
        const m = median();
        const sigma = Math.max(MAD_TO_SIGMA * mad(m), spreadFloor(m, options.scale));
        setDeviation(reading, value, m, sigma);
      }
      push(value);
      return reading;
    },
    state() {
      return { values: ringValues(ring, start, n) };
    },
  };
}
