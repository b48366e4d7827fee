import { concatFloat64 } from '../collections/concat-float64.js';
import type { SeriesColumns } from '../sources/series-columns.js';

/**
 * The series of one batch, one entry per key (in first-seen order), each with its points in time
 * order. Points at the same time keep their order, so the later one is the duplicate a detector
 * skips. Sources already deliver series this way: the common case is one pass that checks it;
 * entries of the same key are joined, and a series is sorted (by index, stable) only when it is out
 * of order.
 */
export function seriesInTimeOrder(series: readonly SeriesColumns[]): SeriesColumns[] {
  const byKey = new Map<string, SeriesColumns[]>();
  for (const s of series) {
    const group = byKey.get(s.key);
    if (group) group.push(s);
    else byKey.set(s.key, [s]);
  }
  const out: SeriesColumns[] = [];
  for (const group of byKey.values()) {
    const first = group[0] as SeriesColumns;
    const joined =
      group.length === 1
        ? first
        : {
            ...first,
            timestamps: concatFloat64(group.map((s) => s.timestamps)),
            values: concatFloat64(group.map((s) => s.values)),
          };
    out.push(increasing(joined.timestamps) ? joined : sortedByTime(joined));
  }
  return out;
}

function increasing(timestamps: Float64Array): boolean {
  for (let i = 1; i < timestamps.length; i += 1) {
    if ((timestamps[i] as number) < (timestamps[i - 1] as number)) return false;
  }
  return true;
}

function sortedByTime(series: SeriesColumns): SeriesColumns {
  const { timestamps, values } = series;
  const order = Array.from(timestamps, (_, i) => i);
  order.sort((a, b) => (timestamps[a] as number) - (timestamps[b] as number) || a - b);
  return {
    ...series,
    timestamps: Float64Array.from(order, (i) => timestamps[i] as number),
    values: Float64Array.from(order, (i) => values[i] as number),
  };
}
