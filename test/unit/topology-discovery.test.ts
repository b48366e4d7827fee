/**
 * Topology discovery without Prometheus: the config block (presets, every bad key named), the merge
 * of configured and discovered edges (configured wins), the grace before a vanished edge is
 * dropped (a failed read is no miss), the card's reason naming edges from the service graph, and
 * /vigil topology's replies within Block Kit limits. The real Prometheus and Slack paths are in
 * test/integration/topology-discovery.test.ts; here the PrometheusClient is the edge that is faked.
 */
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { ConfigError, parseConfigText } from '../../src/config/load-config.js';
import { TOPOLOGY_PRESETS, TopologyDiscoveryConfigSchema } from '../../src/config/topology-discovery-schema.js';
import { correlateAnomalies } from '../../src/correlation/correlate-anomalies.js';
import type { IncidentDraft } from '../../src/correlation/incident-draft.js';
import { rankHypothesis } from '../../src/correlation/rank-hypothesis.js';
import { createTopology, type DiscoveredEdge, dependsOnTransitively, edgeKey } from '../../src/correlation/topology.js';
import { createSilentLogger } from '../../src/logger.js';
import { checkBlockKitLimits } from '../../src/slack/blocks/block-kit-limits.js';
import { answerTopologyCommand } from '../../src/slack/listeners/commands/answer-topology-command.js';
import { createTopologyDiscovery } from '../../src/sources/discover-topology.js';
import type { PrometheusClient, RangeSeries } from '../../src/sources/prometheus-client.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const MINIMAL = `
prometheus:
  url: http://prometheus.local:9090
signals:
  - name: latency_p99
    query: histogram_quantile(0.99, rate(x_bucket[5m]))
`;

function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, 'vigil.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const service = (name: string, depends_on: string[] = []) => ({
  name,
  namespace: 'shop',
  team: 't',
  tier: 1,
  depends_on,
});

describe('topology_discovery config', () => {
  it('is off by default, and a preset fills in the query, labels and source name', () => {
    const off = parseConfigText(MINIMAL, 'vigil.yaml');
    expect(off.topology_discovery.enabled).toBe(false);
    // A parsed config parses again to itself (the detection thread and tests re-parse).
    expect(ConfigSchema.parse(off)).toEqual(off);
    const istio = parseConfigText(`${MINIMAL}topology_discovery:\n  enabled: true\n  preset: istio\n`, 'v.yaml');
    expect(istio.topology_discovery).toMatchObject({
      ...TOPOLOGY_PRESETS.istio,
      source: 'istio',
      refresh: '*/5 * * * *',
      drop_after_refreshes: 3,
    });
    const own = TopologyDiscoveryConfigSchema.parse({
      enabled: true,
      preset: 'tempo',
      query: 'sum by (client, server) (rate(traces_service_graph_request_total{env="prod"}[10m]))',
      source: 'tempo-prod',
    });
    expect(own).toMatchObject({ client_label: 'client', server_label: 'server', source: 'tempo-prod' });
    expect(TopologyDiscoveryConfigSchema.parse(own)).toEqual(own);
    // Seconds become a cron expression; ones no expression runs evenly are refused.
    const every = (refresh: number) => TopologyDiscoveryConfigSchema.safeParse({ refresh }).data?.refresh;
    expect([every(30), every(600), every(3600), every(86_400)]).toEqual([
      '*/30 * * * * *',
      '0 */10 * * * *',
      '0 0 */1 * * *',
      '0 0 */24 * * *',
    ]);
    expect([every(7), every(420), every(5 * 3600)]).toEqual([undefined, undefined, undefined]);
  });

  it('names every bad key at startup: no query without a preset, a bad cron, label, rate and preset', () => {
    const problems = problemsOf(
      `${MINIMAL}topology_discovery:\n  enabled: true\n  client_label: "9x"\n  refresh: every minute\n  min_rate: -1\n`,
    );
    const paths = problems.map((p) => p.slice(0, p.indexOf(':'))).sort();
    // No preset: query and server_label are missing too, and said so in the same run.
    expect(paths).toEqual([
      'topology_discovery.client_label',
      'topology_discovery.min_rate',
      'topology_discovery.query',
      'topology_discovery.refresh',
      'topology_discovery.server_label',
    ]);
    const missing = problemsOf(`${MINIMAL}topology_discovery:\n  enabled: true\n`);
    expect(missing).toEqual([
      'topology_discovery.query: set query, or a preset (tempo or istio)',
      'topology_discovery.client_label: set client_label, or a preset (tempo or istio)',
      'topology_discovery.server_label: set server_label, or a preset (tempo or istio)',
    ]);
    expect(problemsOf(`${MINIMAL}topology_discovery:\n  enabled: true\n  preset: jaeger\n`)[0]).toMatch(
      /^topology_discovery\.preset: /,
    );
  });
});

describe('configured and discovered edges', () => {
  it('configured wins: always present with source config, a discovery only stamps it; discovered edges are added', () => {
    const topology = createTopology([service('web', ['catalog']), service('catalog')]);
    expect(topology.edges.get(edgeKey('web', 'catalog'))).toMatchObject({ source: 'config', lastSeenMs: null });
    const seen: DiscoveredEdge[] = [
      { caller: 'web', callee: 'catalog', source: 'tempo', lastSeenMs: 1000 },
      { caller: 'web', callee: 'orders', source: 'tempo', lastSeenMs: 2000 },
      { caller: 'orders', callee: 'orders', source: 'tempo', lastSeenMs: 2000 },
    ];
    topology.replaceDiscovered(seen);
    expect(topology.edges.get(edgeKey('web', 'catalog'))).toMatchObject({
      source: 'config',
      seenBy: 'tempo',
      lastSeenMs: 1000,
    });
    expect(topology.callees.get('web')).toEqual(['catalog', 'orders']);
    expect(topology.edges.has(edgeKey('orders', 'orders'))).toBe(false);
    expect(dependsOnTransitively(topology, 'web', 'orders')).toBe(true);
    expect(dependsOnTransitively(topology, 'web', 'orders', true)).toBe(false);
    // A new set replaces the last one; the configured edge stays whatever the graph says.
    topology.replaceDiscovered([]);
    expect(topology.callees.get('web')).toEqual(['catalog']);
    expect([...(topology.callers.get('orders') ?? [])]).toEqual([]);
  });

  it('the reason says which callers only the service graph links', () => {
    const topology = createTopology(
      [service('web', ['orders']), service('mobile'), service('orders')],
      [{ caller: 'mobile', callee: 'orders', source: 'tempo', lastSeenMs: 0 }],
    );
    const { opened } = correlateAnomalies({
      anomalies: [
        makeAnomaly('orders', '2026-04-21T02:13:00Z'),
        makeAnomaly('web', '2026-04-21T02:15:00Z'),
        makeAnomaly('mobile', '2026-04-21T02:15:00Z'),
      ],
      open: [],
      topology,
      settings: { windowSeconds: 600, maxIncidentSeconds: 21_600 },
    });
    expect(opened).toHaveLength(1);
    const { reason } = rankHypothesis(opened[0] as IncidentDraft, topology);
    expect(reason).toContain('its callers mobile, web (mobile from the service graph) followed within 2 min');
    // Configured only: no mention.
    const configured = createTopology([service('web', ['orders']), service('mobile', ['orders']), service('orders')]);
    expect(rankHypothesis(opened[0] as IncidentDraft, configured).reason).not.toContain('service graph');
  });
});

/** The Prometheus API as this module sees it: answers a test scripts, or a failure. */
function scriptedClient(answers: Array<RangeSeries[] | Error>): PrometheusClient & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    async queryRange(q) {
      queries.push(q.query);
      const next = answers.shift();
      if (!next) throw new Error('no answer scripted');
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

const rate = (client: string, server: string, values: number[], endMs = 600_000): RangeSeries => ({
  labels: { client, server },
  timestamps: Float64Array.from(values, (_, i) => endMs - (values.length - 1 - i) * 60_000),
  values: Float64Array.from(values),
  dropped: 0,
});

describe('reading the service graph', () => {
  it('ignores pinned callers, ignored nodes and rates at or under min_rate; a failed read is no miss', async () => {
    const config = TopologyDiscoveryConfigSchema.parse({
      enabled: true,
      preset: 'tempo',
      min_rate: 0.5,
      drop_after_refreshes: 2,
      ignore_nodes: ['user'],
      pinned_services: ['batch'],
    });
    const client = scriptedClient([
      [
        rate('web', 'orders', [1, 2, 0.1]),
        rate('batch', 'orders', [3, 3, 3]),
        rate('user', 'web', [9, 9, 9]),
        rate('web', 'quiet', [0.5, 0.2, 0]),
        rate('web', 'legacy', [1, 1, 1]),
      ],
      new Error('Prometheus did not answer within 5000 ms'),
      [rate('web', 'orders', [1, 1, 1])],
      [rate('web', 'orders', [1, 1, 1])],
    ]);
    const applied: DiscoveredEdge[][] = [];
    const discovery = createTopologyDiscovery({
      client,
      config,
      apply: (edges) => applied.push([...edges]),
      logger: createSilentLogger(),
    });
    const first = await discovery.refresh(new Date(600_000));
    expect(client.queries[0]).toBe(TOPOLOGY_PRESETS.tempo.query);
    expect(first).toMatchObject({ edges: 2, appeared: ['web → orders', 'web → legacy'], skipped: 2 });
    // Last seen: the last point above min_rate.
    expect(discovery.edges().find((e) => e.callee === 'orders')?.lastSeenMs).toBe(540_000);
    await expect(discovery.refresh(new Date(660_000))).rejects.toThrow('did not answer');
    expect(applied).toHaveLength(1);
    const third = await discovery.refresh(new Date(720_000));
    expect(third.dropped).toEqual([]);
    const fourth = await discovery.refresh(new Date(780_000));
    expect(fourth.dropped).toEqual(['web → legacy']);
    expect(applied.at(-1)?.map((e) => e.callee)).toEqual(['orders']);
  });
});

describe('/vigil topology', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it('lists a busy service within Block Kit limits, and the overview with the busiest few', () => {
    const edges: DiscoveredEdge[] = [];
    for (let i = 0; i < 400; i += 1)
      edges.push({
        caller: `svc-${String(i).padStart(3, '0')}-${'x'.repeat(40)}`,
        callee: 'gateway',
        source: 'istio',
        lastSeenMs: now.getTime() - 90_000,
      });
    edges.push({ caller: 'gateway', callee: 'auth', source: 'istio', lastSeenMs: now.getTime() - 600_000 });
    const topology = createTopology([service('gateway', ['db']), service('db')], edges);
    const one = answerTopologyCommand(['gateway'], topology, 'istio', now);
    expect(checkBlockKitLimits(one)).toEqual([]);
    const text = JSON.stringify(one.blocks);
    expect(text).toContain('*Topology of `gateway`*: 400 callers, 2 callees');
    expect(text).toContain('…and 375 more');
    expect(text).toContain('• `auth` — istio, seen 10 min ago');
    expect(text).toContain('• `db` — config');
    const all = answerTopologyCommand([], topology, 'istio', now);
    expect(checkBlockKitLimits(all)).toEqual([]);
    const overview = JSON.stringify(all.blocks);
    expect(overview).toContain('402 call edges between 403 services (istio 401, config 1)');
    expect(overview).toContain('• `gateway` — 400 callers, 2 callees');
    expect((overview.match(/• `/g) ?? []).length).toBe(10);
    expect(JSON.stringify(answerTopologyCommand(['nobody'], topology, null, now).blocks)).toContain(
      'No calls to or from `nobody` are known',
    );
    expect(String(answerTopologyCommand(['a', 'b'], topology, null, now).text)).toContain(
      '`topology` takes at most a service name',
    );
    expect(String(answerTopologyCommand(['<!channel>'], topology, null, now).text)).toContain(
      '`topology` takes at most a service name',
    );
  });
});
