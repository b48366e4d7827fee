import { type MetricSample, seriesKeyOf } from '../contracts/index.js';
import { cutSeriesToRange, pointsInRange } from './cut-series-to-range.js';
import type { SampleSource } from './sample-source.js';
import type { SeriesColumns } from './series-columns.js';
import type { ServiceOwnership } from './service-ownership.js';

interface RecordedSeries extends SeriesColumns {
  /** Position of each point in its metric's samples sorted by time (file order among equal times). */
  ranks: Float64Array;
  /** Whether its labels were shown to the ownership yet (once per series, at its first fetch). */
  learnt: boolean;
}

export interface ReplaySourceOptions {
  /**
   * Owners of services not under `services:` from the labels of their series, learnt as a series
   * first comes out of a fetch, as the Prometheus source does (see service-ownership.ts).
   */
  ownership?: ServiceOwnership;
}

/**
 * Serves recorded samples as if Prometheus were answering query_range over them. The samples are
 * turned into columns once; a fetch only cuts each series to the range. Series come out in the
 * order their first point in the range has among the metric's time-sorted samples, as they did
 * when a fetch returned those samples themselves.
 */
export function createReplaySource(samples: readonly MetricSample[], options: ReplaySourceOptions = {}): SampleSource {
  const { ownership } = options;
  const byMetric = new Map<string, Array<{ ts: number; sample: MetricSample }>>();
  for (const sample of samples) {
    const list = byMetric.get(sample.metric_name) ?? [];
    list.push({ ts: Date.parse(sample.timestamp), sample });
    byMetric.set(sample.metric_name, list);
  }
  const seriesByMetric = new Map<string, RecordedSeries[]>();
  for (const [metric, list] of byMetric) {
    // A stable sort: points at the same time keep the file's order.
    list.sort((a, b) => a.ts - b.ts);
    const rows = new Map<string, { sample: MetricSample; at: number[] }>();
    list.forEach(({ sample }, rank) => {
      const key = seriesKeyOf(sample);
      const row = rows.get(key);
      if (row) row.at.push(rank);
      else rows.set(key, { sample, at: [rank] });
    });
    const recorded: RecordedSeries[] = [];
    for (const [key, { sample, at }] of rows) {
      recorded.push({
        key,
        identity: {
          service: sample.service,
          namespace: sample.namespace,
          metric_name: sample.metric_name,
          labels: sample.labels ?? {},
        },
        timestamps: Float64Array.from(at, (rank) => (list[rank] as { ts: number }).ts),
        values: Float64Array.from(at, (rank) => (list[rank] as { sample: MetricSample }).sample.value),
        ranks: Float64Array.from(at),
        learnt: false,
      });
    }
    seriesByMetric.set(metric, recorded);
  }

  return {
    ...(ownership ? { teamOf: ownership.teamOf } : {}),
    async fetch(signal, range) {
      const cut: Array<{ rank: number; series: SeriesColumns }> = [];
      const only = range.services ? new Set(range.services) : null;
      for (const s of seriesByMetric.get(signal.name) ?? []) {
        if (only && !only.has(s.identity.service)) continue;
        const series = cutSeriesToRange(s, range.startMs, range.endMs);
        if (!series) continue;
        if (ownership && !s.learnt) {
          s.learnt = true;
          ownership.learn(s.identity.service, s.identity.labels);
        }
        cut.push({ rank: s.ranks[pointsInRange(s.timestamps, range.startMs, range.endMs).from] as number, series });
      }
      cut.sort((a, b) => a.rank - b.rank);
      return { series: cut.map((c) => c.series), rejected: 0 };
    },
  };
}

/** The metric names present in a sample set, in first-seen order. */
export function metricNamesOf(samples: readonly MetricSample[]): string[] {
  return [...new Set(samples.map((s) => s.metric_name))];
}
