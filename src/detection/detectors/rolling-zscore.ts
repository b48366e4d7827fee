import { type Allocate, heapAllocate } from './arena.js';
import { type Detector, newReading, ringValues, type ScaleFloor, setDeviation, spreadFloor } from './detector.js';

export interface RollingZscoreState {
  values: number[];
  /** Running sums as they were (not recomputed), so a restored detector scores bit for bit the same. */
  sums?: [number, number, number];
}

/**
 * Distance from the rolling mean in rolling standard deviations. O(1) per point: running sums
 * over a ring buffer, recomputed exactly once per window to stop floating-point drift.
 */
export function createRollingZscore(
  options: { window: number; minPoints: number; threshold: number; scale?: ScaleFloor },
  initial?: RollingZscoreState,
  alloc: Allocate = heapAllocate,
): Detector<RollingZscoreState> {
  const W = options.window;
  const ring = alloc(W);
  let start = 0;
  let length = 0;
  let sum = 0;
  let sumSq = 0;
  let sinceExact = 0;
  const reading = newReading(options.threshold);

  function push(value: number) {
    if (length < W) {
      ring[length] = value;
      length += 1;
    } else {
      const old = ring[start] as number;
      sum -= old;
      sumSq -= old * old;
      ring[start] = value;
      start = start + 1 === W ? 0 : start + 1;
    }
    sum += value;
    sumSq += value * value;
    sinceExact += 1;
    if (sinceExact >= W) {
      sum = 0;
      sumSq = 0;
      for (let i = 0; i < length; i += 1) {
        const v = ring[i] as number;
        sum += v;
        sumSq += v * v;
      }
      sinceExact = 0;
    }
  }
  for (const v of initial?.values.slice(-W) ?? []) push(v);
  if (initial?.sums && length === initial.values.length) [sum, sumSq, sinceExact] = initial.sums;

  return {
    name: 'rolling_zscore',
    update(value) {
      reading.ready = length >= options.minPoints;
      if (reading.ready) {
        const mean = sum / length;
        const variance = length > 1 ? Math.max(0, (sumSq - sum * mean) / (length - 1)) : 0;
        const sigma = Math.max(Math.sqrt(variance), spreadFloor(mean, options.scale));
        setDeviation(reading, value, mean, sigma);
      }
      push(value);
      return reading;
    },
    state() {
      return { values: ringValues(ring, start, length), sums: [sum, sumSq, sinceExact] };
    },
  };
}
