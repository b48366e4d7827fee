/**
 * Topology discovered on real components: a real Prometheus (Debian's package, backfilled with
 * promtool) holds Tempo's service-graph counter `traces_service_graph_request_total{client,
 * server}` and four services' latency; real SQLite; detection runs in its real worker thread, which
 * is told each new edge set by message. `/vigil topology` goes through Bolt's real HTTP receiver,
 * really signed; only Slack's Web API is a local double (test/helpers/fake-slack.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import type { DiscoveredEdge } from '../../src/correlation/topology.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import type { CycleOutcome } from '../../src/pipeline/create-detection-cycle.js';
import { configuredPrometheusClient } from '../../src/sources/configured-prometheus-source.js';
import { createTopologyDiscovery } from '../../src/sources/discover-topology.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'topology-signing-secret-0123456789';
const MINUTE = 60;
const DAY = 86_400;

/** One-minute latency with a little noise, four times higher from `faultAt` on. */
function latency(service: string, base: number, faultAt: number, from: number, end: number, seed: number): GaugeSeries {
  let x = seed;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  };
  const series: GaugeSeries = { name: 'shop_latency_p99_seconds', labels: { service, namespace: 'shop' }, points: [] };
  for (let t = from; t <= end; t += MINUTE)
    series.points.push([t, +(base * (1 + 0.05 * rand()) * (t >= faultAt ? 4 : 1)).toFixed(5)]);
  return series;
}

/** Tempo's request counter for one edge, counting 100 calls a minute from `from` to `to`. */
function edge(client: string, server: string, from: number, to: number): GaugeSeries {
  const series: GaugeSeries = {
    name: 'traces_service_graph_request_total',
    type: 'counter',
    labels: { client, server },
    points: [],
  };
  for (let t = from, n = 0; t <= to; t += MINUTE, n += 100) series.points.push([t, n]);
  return series;
}

/** Istio's request counter for one edge as one side's proxy reports it. */
function istio(source: string, destination: string, reporter: string, from: number, to: number): GaugeSeries {
  const series = edge('x', 'y', from, to);
  series.name = 'istio_requests_total';
  series.labels = {
    source_workload: source,
    destination_workload: destination,
    reporter,
    response_code: '200',
  };
  return series;
}

describe('topology discovered from a service graph in a real Prometheus', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let clock: Date;
  // 3 h in the past, on a minute boundary: query_range over fixed past windows is deterministic.
  const faultAt = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;
  const at = (seconds: number) => {
    clock = new Date(seconds * 1000);
  };
  const eventsUrl = () => `http://127.0.0.1:${vigil.slackPort}/slack/events`;
  /** The reply's text as a person reads it (its sections and context lines), for the test's output. */
  const mrkdwnOf = (reply: Record<string, unknown>) =>
    (reply.blocks as Array<{ text?: { text: string }; elements?: Array<{ text?: string }> }>)
      .flatMap((b) => (b.text ? [b.text.text] : (b.elements ?? []).flatMap((e) => (e.text ? [e.text] : []))))
      .join('\n');

  async function command(text: string, id: string): Promise<Record<string, unknown>> {
    const res = await postSigned({
      url: eventsUrl(),
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text, response_url: slack.responseUrl(id) }),
    });
    expect(res.status).toBe(200);
    return (await slack.waitFor(() => slack.responses.find((r) => r.id === id))).body;
  }

  beforeAll(async () => {
    const from = faultAt - 3 * DAY;
    const end = faultAt + 15 * MINUTE;
    prometheus = await startRealPrometheus([
      // orders fails first and web, which calls it (known only from the service graph), follows.
      latency('orders', 0.2, faultAt, from, end, 3),
      latency('web', 0.4, faultAt + MINUTE, from, end, 5),
      // The same timing on two services no edge links: they stay two incidents.
      latency('ledger', 0.2, faultAt, from, end, 7),
      latency('report', 0.4, faultAt + MINUTE, from, end, 11),
      latency('catalog', 0.3, Number.POSITIVE_INFINITY, from, end, 13),
      edge('web', 'orders', faultAt - 2 * 3600, end),
      // Configured as well (web depends_on catalog): config wins, Tempo only stamps when it saw it.
      edge('web', 'catalog', faultAt - 2 * 3600, end),
      // Disappears 40 min before the fault; appears 20 min before it.
      edge('web', 'legacy', faultAt - 2 * 3600, faultAt - 40 * MINUTE),
      edge('web', 'payments', faultAt - 20 * MINUTE, end),
      // Tempo's virtual node for an unknown client: no service.
      edge('user', 'web', faultAt - 2 * 3600, end),
      // Istio's counter, reported by both proxies of a call: the preset counts the source's only.
      istio('web', 'orders', 'source', faultAt - 2 * 3600, end),
      istio('web', 'orders', 'destination', faultAt - 2 * 3600, end),
      istio('unknown', 'web', 'destination', faultAt - 2 * 3600, end),
      istio('checkout', 'payments', 'source', faultAt - 2 * 3600, end),
    ]);
    slack = await startFakeSlack({ channels: ['#t-web', '#t-orders', '#t-ledger', '#t-report', '#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-topology-'));
    const service = (name: string, team: string, depends_on: string[] = []) => ({
      name,
      namespace: 'shop',
      team,
      tier: 1,
      depends_on,
    });
    const config = ConfigSchema.parse({
      prometheus: { url: prometheus.url, timeout_ms: 5000, step_seconds: 60 },
      slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
      http: { health_port: 0 },
      teams: {
        web: { channel: '#t-web' },
        orders: { channel: '#t-orders' },
        ledger: { channel: '#t-ledger' },
        report: { channel: '#t-report' },
      },
      services: [
        service('web', 'web', ['catalog']),
        service('orders', 'orders'),
        service('ledger', 'ledger'),
        service('report', 'report'),
        service('catalog', 'web'),
      ],
      signals: [
        {
          name: 'latency_p99',
          query: 'shop_latency_p99_seconds',
          service_label: 'service',
          namespace_label: 'namespace',
          direction: 'up',
          unit: 'seconds',
        },
      ],
      topology_discovery: {
        enabled: true,
        preset: 'tempo',
        drop_after_refreshes: 2,
        ignore_nodes: ['unknown', 'user'],
      },
    });
    at(faultAt - 60 * MINUTE);
    vigil = await startVigil({
      config,
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'vigil.db'),
      }),
      logger: createSilentLogger(),
      now: () => clock,
      schedule: false,
      slackRetries: 0,
      unhandledRequestTimeoutMillis: 1500,
      host: '127.0.0.1',
    });
  }, 120_000);

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const callees = () => [...(vigil.pipeline.topology.callees.get('web') ?? [])].sort();

  it('reads the edges, keeps one that vanished for a grace, adds one that appeared, then drops the vanished one', async () => {
    const first = await vigil.runTopologyRefresh();
    expect(first?.appeared.sort()).toEqual(['web → catalog', 'web → legacy', 'web → orders']);
    expect(callees()).toEqual(['catalog', 'legacy', 'orders']);
    // Tempo's `user` node is no service.
    expect(vigil.pipeline.topology.callers.get('web')).toBeUndefined();

    at(faultAt - 10 * MINUTE);
    const second = await vigil.runTopologyRefresh();
    expect(second?.appeared).toEqual(['web → payments']);
    expect(second?.dropped).toEqual([]);
    // legacy missed one refresh of the two it may miss: still there.
    expect(callees()).toEqual(['catalog', 'legacy', 'orders', 'payments']);

    at(faultAt - 5 * MINUTE);
    const third = await vigil.runTopologyRefresh();
    expect(third?.dropped).toEqual(['web → legacy']);
    expect(callees()).toEqual(['catalog', 'orders', 'payments']);
  });

  it('merges with configured edges: configured wins and keeps its source, discovered ones are added', () => {
    const edges = vigil.pipeline.topology.edges;
    expect(edges.get('web\u0000catalog')).toMatchObject({
      source: 'config',
      seenBy: 'tempo',
      lastSeenMs: (faultAt - 5 * MINUTE) * 1000,
    });
    expect(edges.get('web\u0000orders')).toMatchObject({ source: 'tempo', seenBy: 'tempo' });
    expect(edges.has('web\u0000legacy')).toBe(false);
  });

  it('answers a signed /vigil topology web with callers, callees, sources and when each was seen', async () => {
    const reply = await command('topology web', 'topology-web');
    expect(reply.response_type).toBe('ephemeral');
    const text = JSON.stringify(reply.blocks);
    expect(text).toContain('*Topology of `web`*: 0 callers, 3 callees');
    expect(text).toContain('• `catalog` — config (also tempo, seen 0 s ago)');
    expect(text).toContain('• `orders` — tempo, seen 0 s ago');
    expect(text).toContain('• `payments` — tempo, seen 0 s ago');
    expect(text).not.toContain('legacy');
    const orders = JSON.stringify((await command('topology orders', 'topology-orders')).blocks);
    expect(orders).toContain('• `web` — tempo, seen 0 s ago');
    console.info(`/vigil topology web:\n${mrkdwnOf(reply)}`);
  });

  it('answers a signed /vigil topology with counts by source and the busiest services', async () => {
    const reply = await command('topology', 'topology-all');
    const text = JSON.stringify(reply.blocks);
    console.info(`/vigil topology:\n${mrkdwnOf(reply)}`);
    expect(text).toContain('*Topology*: 3 call edges between 4 services (tempo 2, config 1)');
    expect(text).toContain('Service graph read from `tempo`');
    expect(text).toContain('• `web` — 0 callers, 3 callees');
  });

  it('answers bad /vigil topology arguments with the ephemeral usage line', async () => {
    const reply = await command('topology web orders', 'topology-bad');
    expect(reply.response_type).toBe('ephemeral');
    expect(String(reply.text)).toContain('`topology` takes at most a service name: `/vigil topology [service]`');
  });

  it('reads Istio’s graph with the istio preset, through the configured Prometheus client', async () => {
    const config = ConfigSchema.parse({
      prometheus: { url: prometheus.url, timeout_ms: 5000 },
      signals: [{ name: 'latency_p99', query: 'shop_latency_p99_seconds' }],
      topology_discovery: { enabled: true, preset: 'istio' },
    });
    let applied: readonly DiscoveredEdge[] = [];
    const discovery = createTopologyDiscovery({
      client: configuredPrometheusClient(config, {}),
      config: config.topology_discovery,
      apply: (edges) => {
        applied = edges;
      },
      logger: createSilentLogger(),
    });
    const report = await discovery.refresh(new Date((faultAt - 30 * MINUTE) * 1000));
    expect(report.appeared.sort()).toEqual(['checkout → payments', 'web → orders']);
    expect(applied.map((e) => [e.source, e.lastSeenMs])).toEqual([
      ['istio', (faultAt - 30 * MINUTE) * 1000],
      ['istio', (faultAt - 30 * MINUTE) * 1000],
    ]);
  });

  it('joins anomalies of two services linked only by a discovered edge into one incident, and says so', async () => {
    const outcomes: CycleOutcome[] = [];
    for (let t = faultAt - MINUTE; t <= faultAt + 6 * MINUTE; t += MINUTE) {
      at(t);
      outcomes.push((await vigil.runCycle()) as CycleOutcome);
    }
    const opened = outcomes.flatMap((o) => o.changes.opened);
    const incidents = opened.map((id) => vigil.pipeline.repos.incidents.get(id));
    const withWeb = incidents.find((i) => i?.services.includes('web'));
    expect(withWeb?.services.slice().sort()).toEqual(['orders', 'web']);
    expect(withWeb?.hypothesis.probable_starting_service).toBe('orders');
    expect(withWeb?.hypothesis.reason).toContain('its callers web (from the service graph)');
    // The control: the same timing with no edge between them is two incidents.
    const ledger = incidents.find((i) => i?.services.includes('ledger'));
    const report = incidents.find((i) => i?.services.includes('report'));
    expect(ledger?.services).toEqual(['ledger']);
    expect(report?.services).toEqual(['report']);
  }, 120_000);
});
