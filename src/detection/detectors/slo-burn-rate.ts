import { max, min } from 'simple-statistics';
import { type Allocate, heapAllocate } from './arena.js';
import { type Detector, newReading, ringValues } from './detector.js';

export interface BurnRateWindow {
  longSeconds: number;
  shortSeconds: number;
  /** Burn-rate factor both windows must reach, e.g. 14.4 (2% of a 30-day budget in 1 h). */
  factor: number;
}

/** Google SRE workbook, "Alerting on SLOs": multiwindow, multi-burn-rate alerts. */
export const DEFAULT_BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { longSeconds: 3600, shortSeconds: 300, factor: 14.4 },
  { longSeconds: 21_600, shortSeconds: 1800, factor: 6 },
];

export interface SloBurnRateState {
  values: number[];
  sums?: number[];
}

/**
 * For an error-ratio signal with an SLO objective (e.g. 0.999): burn rate = error ratio / error
 * budget, averaged over a long and a short window; a pair fires when both windows burn at least its
 * factor (the short window makes it stop soon after the errors do). Statistic = the strongest pair's
 * min(long, short) / factor, so ≥ 1 means "page". Running sums over one ring: O(1) per point.
 */
export function createSloBurnRate(
  options: { objective: number; stepMs: number; windows: readonly BurnRateWindow[] },
  initial?: SloBurnRateState,
  alloc: Allocate = heapAllocate,
): Detector<SloBurnRateState> {
  const budget = 1 - options.objective;
  const lengths = options.windows
    .flatMap((w) => [w.longSeconds, w.shortSeconds])
    .map((s) => Math.max(1, Math.round((s * 1000) / options.stepMs)));
  const capacity = max(lengths);
  // Ready once the shortest long window is full: a burn rate over a few minutes is not one.
  const readyAt = min(lengths.filter((_, i) => i % 2 === 0));
  const ring = alloc(capacity);
  const sums = alloc(lengths.length);
  let start = 0;
  let n = 0;
  const reading = newReading(1);
  reading.expected = budget;
  reading.lower = 0;

  function push(value: number) {
    // Values leaving each window (the one `length` points back) before the new one enters.
    for (let k = 0; k < lengths.length; k += 1) {
      const len = lengths[k] as number;
      if (n >= len) sums[k] = (sums[k] as number) - (ring[(start + n - len) % capacity] as number);
      sums[k] = (sums[k] as number) + value;
    }
    if (n === capacity) {
      ring[start] = value;
      start = (start + 1) % capacity;
    } else {
      ring[(start + n) % capacity] = value;
      n += 1;
    }
  }
  for (const v of initial?.values.slice(-capacity) ?? []) push(v);
  if (initial?.sums?.length === sums.length && n === initial.values.length) sums.set(initial.sums);

  return {
    name: 'slo_burn_rate',
    update(value) {
      push(value);
      let strongest = 0;
      let upper = Number.POSITIVE_INFINITY;
      options.windows.forEach((w, i) => {
        const longLen = lengths[2 * i] as number;
        const shortLen = lengths[2 * i + 1] as number;
        const longBurn = (sums[2 * i] as number) / Math.min(n, longLen) / budget;
        const shortBurn = (sums[2 * i + 1] as number) / Math.min(n, shortLen) / budget;
        strongest = Math.max(strongest, Math.min(longBurn, shortBurn) / w.factor);
        upper = Math.min(upper, budget * w.factor);
      });
      reading.ready = n >= readyAt;
      reading.statistic = strongest;
      reading.upper = upper;
      return reading;
    },
    state() {
      return { values: ringValues(ring, start, n), sums: Array.from(sums) };
    },
  };
}
