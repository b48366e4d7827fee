/**
 * One scenario replayed with nothing hand-kept: no `services:` (so no depends_on and no configured
 * team), the call graph only as service-graph counters in a real Prometheus (backfilled with
 * promtool from the scenario's topology.json, over the samples' time span) read by the production
 * topology_discovery, and each service's owner only as a `team` label on its own series, read by
 * the production ownership (`ownership.team_label`).
 */
import { ConfigSchema, type VigilConfig } from '../../src/config/config-schema.js';
import type { MetricSample } from '../../src/contracts/index.js';
import type { Logger } from '../../src/logger.js';
import { type ReplayResult, runReplay } from '../../src/replay/run-replay.js';
import { sampleSpanOf } from '../../src/replay/sample-span.js';
import type { Scenario } from '../../src/sources/load-scenario.js';
import { createPrometheusClient } from '../../src/sources/prometheus-client.js';
import { startRealPrometheus } from '../../test/helpers/real-prometheus.js';
import { edgesOf, serviceGraphHistory } from './service-graph-history.js';

/** The label the samples carry their owner in, as a relabelling of the team's pods would. */
export const TEAM_LABEL = 'team';

export interface DiscoveredReplay {
  result: ReplayResult;
  /** depends_on edges in topology.json (what configured mode lists). */
  configuredEdges: number;
  /** Edges the first read of the service graph found (before the first cycle), and how they differ. */
  discoveredEdges: number;
  missing: string[];
  extra: string[];
}

/** The documented settings, and nothing configured about services (see README, topology_discovery). */
export function discoveredBase(base: VigilConfig): VigilConfig {
  return ConfigSchema.parse({
    ...base,
    services: [],
    topology_discovery: { enabled: true, preset: 'tempo' },
    ownership: { ...base.ownership, team_label: TEAM_LABEL },
  });
}

/** Each sample with its service's team as a label (a sample of a service topology.json does not name keeps none). */
export function withTeamLabels(scenario: Scenario): MetricSample[] {
  const teams = new Map(scenario.topology.services.map((s) => [s.name, s.team]));
  return scenario.samples.map((s) => {
    const team = teams.get(s.service);
    return team ? { ...s, labels: { ...s.labels, [TEAM_LABEL]: team } } : s;
  });
}

export async function replayDiscovered(options: {
  scenario: Scenario;
  base: VigilConfig;
  logger: Logger;
}): Promise<DiscoveredReplay> {
  const { scenario } = options;
  const { first, last } = sampleSpanOf(scenario.samples);
  const history = serviceGraphHistory(scenario.topology, first, last);
  const prometheus = await startRealPrometheus(history);
  try {
    const result = await runReplay({
      scenario: { ...scenario, samples: withTeamLabels(scenario) },
      base: discoveredBase(options.base),
      listServices: false,
      serviceGraph: createPrometheusClient({ baseUrl: prometheus.url, timeoutMs: 30_000 }),
      logger: options.logger,
    });
    const configured = edgesOf(scenario.topology).map((e) => `${e.client} → ${e.server}`);
    const firstRead = result.serviceGraph?.first;
    const found = new Set(firstRead?.appeared ?? []);
    return {
      result,
      configuredEdges: configured.length,
      discoveredEdges: firstRead?.edges ?? 0,
      missing: configured.filter((e) => !found.has(e)),
      extra: [...found].filter((e) => !configured.includes(e)),
    };
  } finally {
    await prometheus.stop();
  }
}
