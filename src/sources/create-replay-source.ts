import type { MetricSample } from '../contracts/index.js';
import type { SampleSource } from './sample-source.js';

/** Serves recorded samples as if Prometheus were answering query_range over them. */
export function createReplaySource(samples: readonly MetricSample[]): SampleSource {
  const byMetric = new Map<string, Array<{ ts: number; sample: MetricSample }>>();
  for (const sample of samples) {
    const list = byMetric.get(sample.metric_name) ?? [];
    list.push({ ts: Date.parse(sample.timestamp), sample });
    byMetric.set(sample.metric_name, list);
  }
  for (const list of byMetric.values()) list.sort((a, b) => a.ts - b.ts);

  function lowerBound(list: ReadonlyArray<{ ts: number }>, ts: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as { ts: number }).ts < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    async fetch(signal, range) {
      const list = byMetric.get(signal.name) ?? [];
      const from = lowerBound(list, range.startMs);
      const to = lowerBound(list, range.endMs + 1);
      return { samples: list.slice(from, to).map((x) => x.sample), rejected: 0 };
    },
  };
}

/** The metric names present in a sample set, in first-seen order. */
export function metricNamesOf(samples: readonly MetricSample[]): string[] {
  return [...new Set(samples.map((s) => s.metric_name))];
}
