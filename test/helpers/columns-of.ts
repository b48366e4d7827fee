/** Samples written as MetricSample objects (easy to read in a test) turned into the columns detection reads. */
import { type MetricSample, seriesKeyOf } from '../../src/contracts/index.js';
import type { SeriesColumns } from '../../src/sources/series-columns.js';

export function columnsOf(samples: readonly MetricSample[]): SeriesColumns[] {
  const rows = new Map<string, { first: MetricSample; ts: number[]; values: number[] }>();
  for (const s of samples) {
    const key = seriesKeyOf(s);
    let row = rows.get(key);
    if (!row) {
      row = { first: s, ts: [], values: [] };
      rows.set(key, row);
    }
    row.ts.push(Date.parse(s.timestamp));
    row.values.push(s.value);
  }
  return [...rows].map(([key, { first, ts, values }]) => ({
    key,
    identity: {
      service: first.service,
      namespace: first.namespace,
      metric_name: first.metric_name,
      labels: first.labels ?? {},
    },
    timestamps: Float64Array.from(ts),
    values: Float64Array.from(values),
  }));
}
