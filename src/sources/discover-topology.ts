import type { TopologyDiscoveryConfig } from '../config/topology-discovery-schema.js';
import { type DiscoveredEdge, edgeKey } from '../correlation/topology.js';
import type { Logger } from '../logger.js';
import type { PrometheusClient } from './prometheus-client.js';

/** What one refresh of the service graph found. */
export interface TopologyRefreshReport {
  /** Edges kept after this refresh (seen now, or missed fewer than drop_after_refreshes times). */
  edges: number;
  /** Edges seen now that were not known before. */
  appeared: string[];
  /** Edges dropped now: missed drop_after_refreshes refreshes in a row. */
  dropped: string[];
  /** Series the answer had that name no edge (a label missing, an ignored node, a pinned caller). */
  skipped: number;
}

export interface TopologyDiscovery {
  /** Reads the graph as of `now` and applies the new edge set; throws (edges unchanged) when the query fails. */
  refresh(now: Date): Promise<TopologyRefreshReport>;
  /** The edges known now. */
  edges(): DiscoveredEdge[];
}

export interface TopologyDiscoveryOptions {
  client: PrometheusClient;
  config: TopologyDiscoveryConfig;
  /** Where the new edge set goes: the main thread's topology and the detection thread's. */
  apply: (edges: readonly DiscoveredEdge[]) => void;
  logger: Logger;
}

interface KnownEdge extends DiscoveredEdge {
  /** Refreshes in a row that did not see it. */
  misses: number;
}

/** One point a minute over the lookback: a short range, so a scrape or two missing does not hide an edge. */
const STEP_SECONDS = 60;

const label = (caller: string, callee: string) => `${caller} → ${callee}`;

/**
 * Call edges read from service-graph metrics (Tempo's or the OpenTelemetry Collector's
 * traces_service_graph_request_total, Istio's istio_requests_total): each series of the configured
 * query is one edge, client label → server label, there while its rate is above min_rate. An edge
 * that stops showing is dropped only after drop_after_refreshes refreshes without it.
 */
export function createTopologyDiscovery(options: TopologyDiscoveryOptions): TopologyDiscovery {
  const { client, config, logger } = options;
  const known = new Map<string, KnownEdge>();
  const ignored = new Set(config.ignore_nodes);
  const pinned = new Set(config.pinned_services);
  const edges = () =>
    [...known.values()].map(({ caller, callee, source, lastSeenMs }) => ({ caller, callee, source, lastSeenMs }));

  return {
    edges,
    async refresh(now) {
      const end = Math.floor(now.getTime() / 1000);
      const series = await client.queryRange({
        query: config.query,
        start: end - config.lookback_seconds,
        end,
        stepSeconds: STEP_SECONDS,
      });
      const seen = new Map<string, DiscoveredEdge>();
      let skipped = 0;
      for (const s of series) {
        const caller = s.labels[config.client_label];
        const callee = s.labels[config.server_label];
        if (
          !caller ||
          !callee ||
          caller === callee ||
          ignored.has(caller) ||
          ignored.has(callee) ||
          pinned.has(caller)
        ) {
          skipped += 1;
          continue;
        }
        let at = -1;
        for (let i = s.values.length - 1; i >= 0; i -= 1)
          if ((s.values[i] as number) > config.min_rate) {
            at = i;
            break;
          }
        if (at < 0) continue;
        const lastSeenMs = s.timestamps[at] as number;
        const key = edgeKey(caller, callee);
        const before = seen.get(key);
        if (before) before.lastSeenMs = Math.max(before.lastSeenMs, lastSeenMs);
        else if (seen.size < config.max_edges) seen.set(key, { caller, callee, source: config.source, lastSeenMs });
        else skipped += 1;
      }
      if (seen.size >= config.max_edges)
        logger.warn(
          { maxEdges: config.max_edges },
          'the service graph has more edges than topology_discovery.max_edges; the rest are left out (does the query aggregate by the two labels?)',
        );
      const appeared: string[] = [];
      const dropped: string[] = [];
      for (const [key, edge] of seen) {
        if (!known.has(key)) appeared.push(label(edge.caller, edge.callee));
        known.set(key, { ...edge, misses: 0 });
      }
      for (const [key, edge] of known) {
        if (seen.has(key)) continue;
        edge.misses += 1;
        if (edge.misses >= config.drop_after_refreshes) {
          known.delete(key);
          dropped.push(label(edge.caller, edge.callee));
        }
      }
      options.apply(edges());
      const report = { edges: known.size, appeared, dropped, skipped };
      logger.info(
        {
          source: config.source,
          edges: report.edges,
          appeared: appeared.slice(0, 20),
          dropped: dropped.slice(0, 20),
          skipped,
        },
        'service graph read',
      );
      return report;
    },
  };
}
