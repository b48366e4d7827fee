import { type Detector, newReading, type ScaleFloor, spreadFloor } from './detector.js';

/** Scales the MAD to the standard deviation of a normal distribution (1 / Φ⁻¹(3/4)). */
const MAD_TO_SIGMA = 1.4826;

export interface RobustMadState {
  /** Window values in arrival order. */
  values: number[];
}

/**
 * Distance from the rolling median in robust sigmas (1.4826 × MAD): one outlier in the window does
 * not blind it to the next. The window is kept sorted (binary search, then a block move of at most
 * `window` numbers); the median is O(1) and the MAD O(log window), as the k-th smallest of the two
 * sorted "arms" of deviations around the median.
 */
export function createRobustMad(
  options: { window: number; minPoints: number; threshold: number; scale?: ScaleFloor },
  initial?: RobustMadState,
): Detector<RobustMadState> {
  const W = options.window;
  const ring = new Float64Array(W);
  const sorted = new Float64Array(W);
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
      const old = ring[start] as number;
      const at = lowerBound(old);
      sorted.copyWithin(at, at + 1, n);
      n -= 1;
      ring[start] = value;
      start = (start + 1) % W;
    } else {
      ring[(start + n) % W] = value;
    }
    const at = lowerBound(value);
    sorted.copyWithin(at + 1, at, n);
    sorted[at] = value;
    n += 1;
  }

  function median(): number {
    const h = n >>> 1;
    return n % 2 === 1 ? (sorted[h] as number) : ((sorted[h - 1] as number) + (sorted[h] as number)) / 2;
  }

  /** k-th smallest (0-based) of |x - m| over the window, from the two sorted arms around index h. */
  function kthDeviation(k: number, m: number, h: number): number {
    const a = h; // left arm: A[i] = m - sorted[h - 1 - i]
    const b = n - h; // right arm: B[j] = sorted[h + j] - m
    const A = (i: number) => m - (sorted[h - 1 - i] as number);
    const B = (j: number) => (sorted[h + j] as number) - m;
    let lo = Math.max(0, k + 1 - b);
    let hi = Math.min(k + 1, a);
    // Find i = how many of the k+1 smallest come from A.
    while (lo < hi) {
      const i = (lo + hi) >>> 1;
      const j = k + 1 - i;
      if (j > 0 && i < a && B(j - 1) > A(i)) lo = i + 1;
      else hi = i;
    }
    const i = lo;
    const j = k + 1 - i;
    const fromA = i > 0 ? A(i - 1) : Number.NEGATIVE_INFINITY;
    const fromB = j > 0 ? B(j - 1) : Number.NEGATIVE_INFINITY;
    return Math.max(fromA, fromB);
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
        reading.statistic = (value - m) / sigma;
        reading.expected = m;
        reading.lower = m - options.threshold * sigma;
        reading.upper = m + options.threshold * sigma;
      }
      push(value);
      return reading;
    },
    state() {
      const values: number[] = [];
      for (let i = 0; i < n; i += 1) values.push(ring[(start + i) % W] as number);
      return { values };
    },
  };
}
