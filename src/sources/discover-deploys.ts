/**
 * Deploys read from what Prometheus already records, so the starting-service ranking sees them
 * without anyone wiring a CD webhook: each change of the configured query's value per series
 * (kube-state-metrics' `kube_deployment_status_observed_generation` by default) is a deploy of the
 * series' `service_label` at the time of the first sample with the new value. So is a series that
 * appears while another of the same service was there the step before (an image or version label
 * that changed: `kube_pod_container_info{image}` made one series per image).
 *
 * Each refresh reads `lookback_seconds` up to now on the step grid (the range's start is a
 * multiple of the step), so a change is seen at the same timestamp by every refresh that covers
 * it, and after a restart: the deploy is stored once (ops_events' unique identity is type,
 * service, namespace and time), through the same `record` as POST /events.
 */
import type { DeployDiscoveryConfig } from '../config/discovery-schema.js';
import type { DeployEvent } from '../contracts/index.js';
import { createTimeSlicer } from '../event-loop/create-time-slicer.js';
import type { Logger } from '../logger.js';
import type { PrometheusClient, RangeSeries } from './prometheus-client.js';

export interface DeployDiscovery {
  /** Reads the query if `refresh_seconds` passed since the last read; the deploys newly stored. */
  refresh(now: Date): Promise<number>;
}

export interface DeployDiscoveryOptions {
  config: DeployDiscoveryConfig;
  client: PrometheusClient;
  stepSeconds: number;
  /** Stores and applies a deploy (Pipeline.recordOpsEvent); true when it was new. */
  record: (event: DeployEvent) => boolean;
  logger: Logger;
}

/** The deploys in one series' points: where its value changes from one sample to the next. */
export function deploysInSeries(
  labels: Readonly<Record<string, string>>,
  timestamps: Float64Array,
  values: Float64Array,
  config: Pick<DeployDiscoveryConfig, 'service_label' | 'namespace_label' | 'version_label'>,
): DeployEvent[] {
  const service = labels[config.service_label];
  const namespace = labels[config.namespace_label];
  if (!service || !namespace) return [];
  const version = config.version_label ? labels[config.version_label] : undefined;
  const out: DeployEvent[] = [];
  for (let i = 1; i < values.length; i++) {
    if (values[i] === values[i - 1]) continue;
    out.push({
      type: 'deploy',
      service,
      namespace,
      version: version ?? `generation ${values[i]}`,
      timestamp: new Date(timestamps[i] as number).toISOString(),
    });
  }
  return out;
}

/**
 * The deploys that are a new series of a service already seen: a series whose first point comes
 * after the range's start while another series of the same service and namespace had a point the
 * step before (a new image label, say). A service first seen in the range is no deploy.
 */
export function deploysInNewSeries(
  series: ReadonlyArray<Pick<RangeSeries, 'labels' | 'timestamps' | 'values'>>,
  config: Pick<DeployDiscoveryConfig, 'service_label' | 'namespace_label' | 'version_label'>,
  startMs: number,
  stepMs: number,
): DeployEvent[] {
  const byService = new Map<string, Array<Pick<RangeSeries, 'labels' | 'timestamps' | 'values'>>>();
  for (const s of series) {
    const service = s.labels[config.service_label];
    const namespace = s.labels[config.namespace_label];
    if (!service || !namespace || s.timestamps.length === 0) continue;
    const key = `${namespace}/${service}`;
    const group = byService.get(key) ?? [];
    group.push(s);
    byService.set(key, group);
  }
  const out: DeployEvent[] = [];
  for (const group of byService.values()) {
    if (group.length < 2) continue;
    // The times any series of the service had a point: linear in the points, whatever the series.
    const present = new Set<number>();
    for (const s of group) for (const t of s.timestamps) present.add(t);
    for (const s of group) {
      const first = s.timestamps[0] as number;
      // The series itself has no point before its first: any point then is another's.
      if (first <= startMs || !present.has(first - stepMs)) continue;
      const version = config.version_label ? s.labels[config.version_label] : undefined;
      out.push({
        type: 'deploy',
        service: s.labels[config.service_label] as string,
        namespace: s.labels[config.namespace_label] as string,
        version: version ?? `generation ${s.values[0]}`,
        timestamp: new Date(first).toISOString(),
      });
    }
  }
  return out;
}

export function createDeployDiscovery(options: DeployDiscoveryOptions): DeployDiscovery {
  const { config, client, logger } = options;
  let nextRefreshMs = Number.NEGATIVE_INFINITY;
  return {
    async refresh(now) {
      const nowMs = now.getTime();
      if (!config.enabled || nowMs < nextRefreshMs) return 0;
      const step = options.stepSeconds;
      const end = Math.floor(nowMs / 1000 / step) * step;
      const start = end - Math.ceil(config.lookback_seconds / step) * step;
      const series = await client.queryRange({ query: config.query, start, end, stepSeconds: step });
      // Only after an answer: a failed read is tried again next cycle.
      nextRefreshMs = nowMs + config.refresh_seconds * 1000;
      let added = 0;
      let seen = 0;
      const slicer = createTimeSlicer();
      const record = (deploy: DeployEvent) => {
        seen++;
        if (options.record(deploy)) added++;
      };
      for (const s of series) {
        if (slicer.due()) await slicer.pause();
        for (const deploy of deploysInSeries(s.labels, s.timestamps, s.values, config)) record(deploy);
      }
      for (const deploy of deploysInNewSeries(series, config, start * 1000, step * 1000)) record(deploy);
      // `seen` counts those stored before too (an earlier refresh, a previous process): `added` is new.
      if (seen > 0) logger.info({ added, seen }, 'deploys read from Prometheus');
      return added;
    },
  };
}
