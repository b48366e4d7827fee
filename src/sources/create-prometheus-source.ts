import type { ServiceConfig, SignalConfig } from '../config/config-schema.js';
import { seriesKeyOf } from '../contracts/index.js';
import { createTimeSlicer } from '../event-loop/create-time-slicer.js';
import type { PrometheusClient } from './prometheus-client.js';
import { regexAlternation } from './regex-alternation.js';
import { restrictToServices } from './restrict-to-services.js';
import type { SampleBatch, SampleRange, SampleSource } from './sample-source.js';
import type { SeriesColumns } from './series-columns.js';

/** Fills the placeholders a signal's PromQL may use. */
export function renderSignalQuery(query: string, stepSeconds: number, namespaces: readonly string[]): string {
  const nsRegex = namespaces.length > 0 ? regexAlternation(namespaces) : '.+';
  return query.replaceAll('{{step}}', `${stepSeconds}s`).replaceAll('{{namespaces}}', nsRegex);
}

/** Evaluates each signal with query_range and maps series to services by the signal's label. */
export function createPrometheusSource(client: PrometheusClient, services: readonly ServiceConfig[]): SampleSource {
  const byName = new Map(services.map((s) => [s.name, s]));
  const namespaces = [...new Set(services.map((s) => s.namespace))];
  return {
    async fetch(signal: SignalConfig, range: SampleRange): Promise<SampleBatch> {
      const series = await client.queryRange({
        query: restrictToServices(
          renderSignalQuery(signal.query, range.stepSeconds, namespaces),
          signal.service_label,
          range.services,
        ),
        start: range.startMs / 1000,
        end: range.endMs / 1000,
        stepSeconds: range.stepSeconds,
      });
      const out: SeriesColumns[] = [];
      let rejected = 0;
      // Tens of thousands of series each get their key built: in slices, like the rest of a cycle.
      const slicer = createTimeSlicer();
      for (const s of series) {
        if (slicer.due()) await slicer.pause();
        rejected += s.dropped;
        const { [signal.service_label]: service, __name__: _name, ...labels } = s.labels;
        const namespace =
          (signal.namespace_label ? s.labels[signal.namespace_label] : undefined) ??
          (service ? byName.get(service)?.namespace : undefined);
        if (!service || !namespace) {
          // Without service identity an anomaly can be neither correlated nor routed.
          rejected += s.values.length;
          continue;
        }
        if (signal.namespace_label) delete labels[signal.namespace_label];
        // The client checked the points (finite values, millisecond times); the identity is checked
        // here, once per series rather than once per point.
        const identity = { service, namespace, metric_name: signal.name, labels };
        out.push({ key: seriesKeyOf(identity), identity, timestamps: s.timestamps, values: s.values });
      }
      return { series: out, rejected };
    },
  };
}
