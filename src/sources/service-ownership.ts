/**
 * Who owns a service that `services:` does not name. Two sources, both read from what is already
 * there: a label on the service's own series (`ownership.team_label`), learnt as its series arrive,
 * and a Kubernetes label of its Deployment as kube-state-metrics exposes it
 * (`kube_deployment_labels{deployment, namespace, label_team}`), read again every
 * `ownership.refresh_seconds`. A configured team is looked up before either (see buildIncident).
 * Both maps are bounded (`discovery.max_services`): a label with unbounded values costs a log line,
 * not memory.
 */
import type { OwnershipConfig } from '../config/discovery-schema.js';
import type { Logger } from '../logger.js';
import type { PrometheusClient } from './prometheus-client.js';

export interface ServiceOwnership {
  /** The series of `service` carry these labels (called once per series, not per point). */
  learn(service: string, labels: Readonly<Record<string, string>>): void;
  teamOf(service: string): string | undefined;
  /** Reads the Kubernetes labels again if `refresh_seconds` passed since the last read (nowMs: the cycle's clock). */
  refresh(nowMs: number): Promise<void>;
}

export interface ServiceOwnershipOptions {
  config: OwnershipConfig;
  maxServices: number;
  /** Absent: Kubernetes labels are not read (a replay). */
  client?: PrometheusClient;
  stepSeconds: number;
  logger?: Logger;
}

/** kube-state-metrics samples every scrape; a window of a few steps finds each Deployment's latest. */
const KUBE_WINDOW_STEPS = 5;

export function createServiceOwnership(options: ServiceOwnershipOptions): ServiceOwnership {
  const { config, maxServices } = options;
  const fromSeries = new Map<string, string>();
  let fromKube = new Map<string, string>();
  let nextRefreshMs = Number.NEGATIVE_INFINITY;
  let warnedFull = false;
  const full = (size: number) => {
    if (size < maxServices) return false;
    if (!warnedFull) {
      warnedFull = true;
      options.logger?.warn(
        { max_services: maxServices },
        'ownership: more services than discovery.max_services; the rest go to the default channel',
      );
    }
    return true;
  };

  return {
    learn(service, labels) {
      const label = config.team_label;
      if (!label) return;
      const team = labels[label];
      if (!team || fromSeries.get(service) === team) return;
      if (!fromSeries.has(service) && full(fromSeries.size)) return;
      fromSeries.set(service, team);
    },
    teamOf: (service) => fromSeries.get(service) ?? fromKube.get(service),
    async refresh(nowMs) {
      const label = config.kube_label;
      const client = options.client;
      if (!label || !client || nowMs < nextRefreshMs) return;
      nextRefreshMs = nowMs + config.refresh_seconds * 1000;
      const step = options.stepSeconds;
      const end = Math.floor(nowMs / 1000 / step) * step;
      try {
        const series = await client.queryRange({
          query: `max by (deployment, ${label}) (${config.kube_metric}{${label}!=""})`,
          start: end - KUBE_WINDOW_STEPS * step,
          end,
          stepSeconds: step,
        });
        const next = new Map<string, string>();
        for (const s of series) {
          const deployment = s.labels.deployment;
          const team = s.labels[label];
          if (!deployment || !team || s.timestamps.length === 0) continue;
          if (!next.has(deployment) && full(next.size)) break;
          next.set(deployment, team);
        }
        fromKube = next;
        options.logger?.debug({ deployments: next.size }, 'ownership: Kubernetes labels read');
      } catch (error) {
        // The last good map stays: owners change rarely, and a failed read must not reroute cards.
        options.logger?.warn({ err: error }, 'ownership: reading Kubernetes labels failed; the last ones stay');
      }
    },
  };
}
