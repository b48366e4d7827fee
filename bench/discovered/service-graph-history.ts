/**
 * A scenario's call graph as a tracing pipeline would have written it to Prometheus: Tempo's
 * metrics-generator (or the OpenTelemetry Collector's servicegraph connector) keeps one request
 * counter per caller → callee pair, `traces_service_graph_request_total{client, server}`, scraped
 * every minute. Here each depends_on edge of topology.json is such a counter over the replay's time
 * span, growing at a steady rate (the graph's query only asks whether its rate is above min_rate).
 */
import type { ScenarioTopology } from '../../src/sources/load-scenario.js';
import type { GaugeSeries } from '../../test/helpers/real-prometheus.js';

export const SERVICE_GRAPH_METRIC = 'traces_service_graph_request_total';
const STEP_MS = 60_000;
/** Calls per second on every edge: any rate above topology_discovery.min_rate (0) makes an edge. */
const CALLS_PER_SECOND = 5;

/** The configured call edges of a topology, caller → callee, self-calls left out (they explain nothing). */
export function edgesOf(topology: ScenarioTopology): Array<{ client: string; server: string }> {
  const seen = new Set<string>();
  const edges: Array<{ client: string; server: string }> = [];
  for (const s of topology.services)
    for (const callee of s.depends_on) {
      const key = `${s.name}\u0000${callee}`;
      if (callee === s.name || seen.has(key)) continue;
      seen.add(key);
      edges.push({ client: s.name, server: callee });
    }
  return edges;
}

/** One counter per edge, a point a minute from `firstMs` to `lastMs` (Unix ms, inclusive). */
export function serviceGraphHistory(topology: ScenarioTopology, firstMs: number, lastMs: number): GaugeSeries[] {
  return edgesOf(topology).map(({ client, server }) => {
    const points: Array<[number, number]> = [];
    for (let t = firstMs, n = 0; t <= lastMs; t += STEP_MS, n += 1)
      points.push([t / 1000, n * CALLS_PER_SECOND * (STEP_MS / 1000)]);
    return { name: SERVICE_GRAPH_METRIC, labels: { client, server }, points, type: 'counter' as const };
  });
}
