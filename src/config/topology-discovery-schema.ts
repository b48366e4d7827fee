import { z } from 'zod';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name, e.g. client');
const serviceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" or "-"');

/**
 * Service graphs Vigil knows how to read: the query and the two labels naming caller and callee.
 * Tempo's (and the OpenTelemetry Collector's servicegraph connector's) request counter, and Istio's
 * (reporter="source": each call counted once, by the calling side's proxy).
 */
export const TOPOLOGY_PRESETS = {
  tempo: {
    query: 'sum by (client, server) (rate(traces_service_graph_request_total[5m]))',
    client_label: 'client',
    server_label: 'server',
  },
  istio: {
    query: 'sum by (source_workload, destination_workload) (rate(istio_requests_total{reporter="source"}[5m]))',
    client_label: 'source_workload',
    server_label: 'destination_workload',
  },
} as const;

/** A cron expression running every `seconds`, or '' (refused) when no such expression is regular. */
function cronEvery(seconds: number): string {
  if (seconds < 60) return 60 % seconds === 0 ? `*/${seconds} * * * * *` : '';
  const minutes = seconds / 60;
  if (Number.isInteger(minutes) && minutes < 60) return 60 % minutes === 0 ? `0 */${minutes} * * * *` : '';
  const hours = seconds / 3600;
  if (Number.isInteger(hours) && hours <= 24) return 24 % hours === 0 ? `0 0 */${hours} * * *` : '';
  return '';
}

/**
 * `topology_discovery`: call edges read from service-graph metrics already in Prometheus, merged
 * with the configured depends_on (configured wins: see src/correlation/topology.ts). Off unless
 * `enabled`; `preset` fills in the query and labels, which may still be set to override it.
 */
export const TopologyDiscoveryConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    preset: z.enum(['tempo', 'istio']).optional(),
    /** PromQL giving one series per edge, its value a call rate; the two labels name the services. */
    query: z.string().min(1).optional(),
    client_label: labelName.optional(),
    server_label: labelName.optional(),
    /** The name an edge's source has on /vigil topology and cards; the preset's name by default. */
    source: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, "_" or "-" (1-32), e.g. tempo')
      .optional(),
    /** How often the graph is read again: a node-cron expression, or seconds (made into one). */
    refresh: z
      .union([z.string().min(1), z.number().int().positive().transform(cronEvery)])
      .pipe(z.string().min(1, 'seconds that divide a minute, an hour or a day (e.g. 30, 600, 3600)'))
      .default('*/5 * * * *'),
    /** The query is evaluated over the last this many seconds (a short query_range, one point a minute). */
    lookback_seconds: z.number().int().min(60).max(3600).default(300),
    /** Calls per second at or under which an edge is not one (a health check, a stray retry). */
    min_rate: z.number().nonnegative().default(0),
    /**
     * An edge missing from this many refreshes in a row is dropped: one missed scrape or a quiet
     * minute does not cut a caller from its callee. A failed refresh (Prometheus down) is no miss.
     */
    drop_after_refreshes: z.number().int().min(1).max(1000).default(3),
    /** Node names that are no service: Tempo's `user` (an unknown client), Istio's `unknown`. */
    ignore_nodes: z.array(z.string()).default(['unknown']),
    /**
     * Services whose configured depends_on is the whole truth: discovered calls from them are
     * ignored (so a configured `depends_on: []` pins "calls nothing that matters").
     */
    pinned_services: z.array(serviceName).default([]),
    /** At most this many edges are kept; more is a query that does not aggregate to (client, server). */
    max_edges: z.number().int().min(1).max(200_000).default(50_000),
  })
  .superRefine((d, ctx) => {
    if (!d.enabled || d.preset) return;
    for (const key of ['query', 'client_label', 'server_label'] as const)
      if (d[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `set ${key}, or a preset (tempo or istio)` });
  })
  // Filled in so that a parsed config parses again to itself (tests and the detection thread do):
  // a block that is off and names nothing holds Tempo's values, never read.
  .transform((d) => {
    const preset = TOPOLOGY_PRESETS[d.preset ?? 'tempo'];
    return {
      ...d,
      query: d.query ?? preset.query,
      client_label: d.client_label ?? preset.client_label,
      server_label: d.server_label ?? preset.server_label,
      source: d.source ?? d.preset ?? 'service_graph',
    };
  });
export type TopologyDiscoveryConfig = z.infer<typeof TopologyDiscoveryConfigSchema>;
