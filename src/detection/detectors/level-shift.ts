import { type Allocate, heapAllocate } from './arena.js';
import { type Detector, newReading, ringValues, type ScaleFloor, spreadFloor } from './detector.js';

export interface LevelShiftState {
  values: number[];
  /** The level before a detected step, held while the step lasts (see below). */
  frozen?: { mean: number; sigma: number; points: number } | null;
  /** Running sums as they were (not recomputed), so a restored detector scores bit for bit the same. */
  sums?: [number, number, number, number];
}

/**
 * A two-window test for sustained steps that spike detectors forget: the median of the last
 * `recent` points against the mean and spread of the `reference` points before them. A step that
 * a rolling z-score has already absorbed into its baseline still shows here until the reference
 * window has moved past it. Once a step is detected, the level before it is held (for at most one
 * reference window): otherwise the step itself, entering the reference, would inflate its spread and
 * hide the step within a few points. O(1) per point: running sums over one ring.
 */
export function createLevelShift(
  options: { recent: number; reference: number; minPoints: number; threshold: number; scale?: ScaleFloor },
  initial?: LevelShiftState,
  alloc: Allocate = heapAllocate,
): Detector<LevelShiftState> {
  const R = options.recent;
  const W = options.recent + options.reference;
  const ring = alloc(W);
  let start = 0;
  let n = 0;
  // Sums over the reference part (oldest W-R points) and over the recent part (newest R points).
  let refSum = 0;
  let refSq = 0;
  let recSum = 0;
  let sinceExact = 0;
  const reading = newReading(options.threshold);
  const at = (i: number) => ring[(start + i) % W] as number;
  const scratch = new Float64Array(R);
  let frozen: { mean: number; sigma: number; points: number } | null = initial?.frozen ?? null;

  function recompute() {
    refSum = 0;
    refSq = 0;
    recSum = 0;
    const refCount = Math.max(0, n - R);
    for (let i = 0; i < n; i += 1) {
      const v = at(i);
      if (i < refCount) {
        refSum += v;
        refSq += v * v;
      } else recSum += v;
    }
    sinceExact = 0;
  }

  function push(value: number) {
    if (n === W) {
      const old = at(0);
      refSum -= old;
      refSq -= old * old;
      ring[start] = value;
      start = (start + 1) % W;
    } else {
      ring[(start + n) % W] = value;
      n += 1;
    }
    recSum += value;
    if (n > R) {
      // The point that just left the recent part joins the reference part.
      const moved = at(n - R - 1);
      recSum -= moved;
      refSum += moved;
      refSq += moved * moved;
    }
    sinceExact += 1;
    if (sinceExact >= W) recompute();
  }
  for (const v of initial?.values.slice(-W) ?? []) push(v);
  if (initial?.sums && n === initial.values.length) [refSum, refSq, recSum, sinceExact] = initial.sums;

  return {
    name: 'level_shift',
    update(value) {
      const refCount = n - R;
      reading.ready = refCount >= options.minPoints;
      if (reading.ready) {
        // The median of the last R points including this one: a step moves it, a lone spike does not
        // (a mean would carry one spike for R points and "detect" a shift that is not there).
        // Insertion sort: R is a handful of points, and a typed-array sort call costs more than it.
        scratch[0] = value;
        for (let i = 1; i < R; i += 1) {
          const v = at(n - i);
          let j = i;
          while (j > 0 && (scratch[j - 1] as number) > v) {
            scratch[j] = scratch[j - 1] as number;
            j -= 1;
          }
          scratch[j] = v;
        }
        const recentMean =
          R % 2 === 1 ? (scratch[R >> 1] as number) : ((scratch[R / 2 - 1] as number) + (scratch[R / 2] as number)) / 2;
        let refMean: number;
        let sigma: number;
        if (frozen) {
          refMean = frozen.mean;
          sigma = frozen.sigma;
          frozen.points += 1;
        } else {
          refMean = refSum / refCount;
          const variance = Math.max(0, (refSq - refSum * refMean) / (refCount - 1));
          sigma = Math.max(Math.sqrt(variance), spreadFloor(refMean, options.scale));
        }
        reading.statistic = ((recentMean - refMean) / sigma) * Math.sqrt(R) * 0.5;
        reading.expected = refMean;
        const band = (options.threshold * sigma * 2) / Math.sqrt(R);
        reading.lower = refMean - band;
        reading.upper = refMean + band;
        const beyond = Math.abs(reading.statistic) >= options.threshold;
        if (!frozen && beyond) frozen = { mean: refMean, sigma, points: 0 };
        // Released when the level is back, or after a reference window: by then it is the new normal.
        else if (frozen && (!beyond || frozen.points >= options.reference)) frozen = null;
      }
      push(value);
      return reading;
    },
    state() {
      const values = ringValues(ring, start, n);
      return { values, sums: [refSum, refSq, recSum, sinceExact], frozen: frozen ? { ...frozen } : null };
    },
  };
}
