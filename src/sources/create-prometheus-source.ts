import type { ServiceConfig, SignalConfig } from '../config/config-schema.js';
import { type MetricSample, MetricSampleSchema } from '../contracts/index.js';
import type { PrometheusClient } from './prometheus-client.js';
import type { SampleBatch, SampleRange, SampleSource } from './sample-source.js';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Fills the placeholders a signal's PromQL may use. */
export function renderSignalQuery(query: string, stepSeconds: number, namespaces: readonly string[]): string {
  const nsRegex = namespaces.length > 0 ? namespaces.map(escapeRegex).join('|') : '.+';
  return query.replaceAll('{{step}}', `${stepSeconds}s`).replaceAll('{{namespaces}}', nsRegex);
}

/** Evaluates each signal with query_range and maps series to services by the signal's label. */
export function createPrometheusSource(client: PrometheusClient, services: readonly ServiceConfig[]): SampleSource {
  const byName = new Map(services.map((s) => [s.name, s]));
  const namespaces = [...new Set(services.map((s) => s.namespace))];
  return {
    async fetch(signal: SignalConfig, range: SampleRange): Promise<SampleBatch> {
      const series = await client.queryRange({
        query: renderSignalQuery(signal.query, range.stepSeconds, namespaces),
        start: range.startMs / 1000,
        end: range.endMs / 1000,
        stepSeconds: range.stepSeconds,
      });
      const samples: MetricSample[] = [];
      let rejected = 0;
      for (const s of series) {
        rejected += s.dropped;
        const { [signal.service_label]: service, __name__: _name, ...rest } = s.labels;
        const namespace =
          (signal.namespace_label ? s.labels[signal.namespace_label] : undefined) ??
          (service ? byName.get(service)?.namespace : undefined);
        if (!service || !namespace) {
          // Without service identity an anomaly can be neither correlated nor routed.
          rejected += s.points.length;
          continue;
        }
        if (signal.namespace_label) delete rest[signal.namespace_label];
        const labels = Object.keys(rest).length > 0 ? rest : undefined;
        for (const [ts, value] of s.points) {
          const sample = {
            timestamp: new Date(ts * 1000).toISOString(),
            service,
            namespace,
            metric_name: signal.name,
            value,
            ...(labels ? { labels } : {}),
          };
          if (MetricSampleSchema.safeParse(sample).success) samples.push(sample);
          else rejected += 1;
        }
      }
      return { samples, rejected };
    },
  };
}
