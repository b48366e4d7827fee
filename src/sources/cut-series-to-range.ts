import type { SeriesColumns } from './series-columns.js';

/** First index whose timestamp is at least `x` (timestamps increasing). */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index range [from, to) of the points of a time-ordered series within [startMs, endMs]. */
export function pointsInRange(timestamps: Float64Array, startMs: number, endMs: number): { from: number; to: number } {
  return { from: lowerBound(timestamps, startMs), to: lowerBound(timestamps, endMs + 1) };
}

/** The series' points within [startMs, endMs] as views (no copy), or null when it has none there. */
export function cutSeriesToRange(series: SeriesColumns, startMs: number, endMs: number): SeriesColumns | null {
  const { from, to } = pointsInRange(series.timestamps, startMs, endMs);
  if (to <= from) return null;
  return {
    key: series.key,
    identity: series.identity,
    timestamps: series.timestamps.subarray(from, to),
    values: series.values.subarray(from, to),
  };
}
