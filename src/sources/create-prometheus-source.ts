import type { ServiceConfig, SignalConfig } from '../config/config-schema.js';
import type { ServiceDiscoveryConfig } from '../config/discovery-schema.js';
import { seriesKeyOf } from '../contracts/index.js';
import { createTimeSlicer } from '../event-loop/create-time-slicer.js';
import type { PrometheusClient } from './prometheus-client.js';
import { regexAlternation } from './regex-alternation.js';
import { restrictToServices } from './restrict-to-services.js';
import type { SampleBatch, SampleRange, SampleSource } from './sample-source.js';
import type { SeriesColumns, SeriesIdentity } from './series-columns.js';
import type { ServiceOwnership } from './service-ownership.js';

/** Fills the placeholders a signal's PromQL may use. */
export function renderSignalQuery(query: string, stepSeconds: number, namespaces: readonly string[]): string {
  const nsRegex = namespaces.length > 0 ? regexAlternation(namespaces) : '.+';
  return query.replaceAll('{{step}}', `${stepSeconds}s`).replaceAll('{{namespaces}}', nsRegex);
}

interface KnownSeries {
  key: string;
  identity: SeriesIdentity;
}

/**
 * Services not under `services:`: without it, their series are dropped (as before discovery); with
 * it, they are scored under `default_namespace` unless the signal names one, up to `max_services`.
 */
export interface SourceDiscovery {
  config: ServiceDiscoveryConfig;
  ownership?: ServiceOwnership;
  /** Told once, when the first service past `max_services` is dropped. */
  onLimit?: (maxServices: number) => void;
}

/** Evaluates each signal with query_range and maps series to services by the signal's label. */
export function createPrometheusSource(
  client: PrometheusClient,
  services: readonly ServiceConfig[],
  discovery?: SourceDiscovery,
): SampleSource {
  const byName = new Map(services.map((s) => [s.name, s]));
  const discovered = new Set<string>();
  let limitTold = false;
  /** Whether a series of `service` may be scored: configured, already discovered, or room for one more. */
  const admit = (service: string): boolean => {
    if (byName.has(service) || discovered.has(service)) return true;
    if (!discovery) return false;
    if (discovered.size >= discovery.config.max_services) {
      if (!limitTold) {
        limitTold = true;
        discovery.onLimit?.(discovery.config.max_services);
      }
      return false;
    }
    discovered.add(service);
    return true;
  };
  const namespaces = [...new Set(services.map((s) => s.namespace))];
  // The client gives the same labels object whenever a series comes again (LabelsCache): its
  // identity and key are worked out once, and the engine keeps that one identity object.
  const bySignal = new Map<string, WeakMap<object, KnownSeries | null>>();
  const identitiesOf = (signal: SignalConfig) => {
    let identities = bySignal.get(signal.name);
    if (!identities) {
      identities = new WeakMap();
      bySignal.set(signal.name, identities);
    }
    return identities;
  };

  /** The series' identity under this signal, or null when it has no service identity. */
  function identityOf(signal: SignalConfig, all: Readonly<Record<string, string>>): KnownSeries | null {
    const service = all[signal.service_label];
    const namespace =
      (signal.namespace_label ? all[signal.namespace_label] : undefined) ??
      (service ? byName.get(service)?.namespace : undefined) ??
      discovery?.config.default_namespace;
    if (!service || !namespace || !admit(service)) return null;
    discovery?.ownership?.learn(service, all);
    // The other labels, added one by one to an object of their own: a `delete` from a copy (of the
    // namespace label) turned each series' labels into a dictionary, ~270 bytes of V8 heap where a
    // fast object with one label is ~40 (2.5 MB at 10 000 series, kept for the process' life).
    const labels: Record<string, string> = {};
    for (const name of Object.keys(all)) {
      if (name === signal.service_label || name === '__name__' || name === signal.namespace_label) continue;
      // An own property even for a label named __proto__ (an assignment would set the prototype).
      if (name === '__proto__')
        Object.defineProperty(labels, name, { value: all[name], enumerable: true, writable: true, configurable: true });
      else labels[name] = all[name] as string;
    }
    const identity = { service, namespace, metric_name: signal.name, labels };
    return { key: seriesKeyOf(identity), identity };
  }

  const ownership = discovery?.ownership;
  return {
    ...(ownership ? { teamOf: ownership.teamOf } : {}),
    async fetch(signal: SignalConfig, range: SampleRange): Promise<SampleBatch> {
      await ownership?.refresh(range.endMs);
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
      const identities = identitiesOf(signal);
      // Tens of thousands of series: in slices, like the rest of a cycle.
      const slicer = createTimeSlicer();
      for (const s of series) {
        if (slicer.due()) await slicer.pause();
        rejected += s.dropped;
        let known = identities.get(s.labels);
        if (known === undefined) {
          known = identityOf(signal, s.labels);
          identities.set(s.labels, known);
        }
        if (known === null) {
          // Without service identity an anomaly can be neither correlated nor routed.
          rejected += s.values.length;
          continue;
        }
        out.push({ key: known.key, identity: known.identity, timestamps: s.timestamps, values: s.values });
      }
      return { series: out, rejected };
    },
  };
}
