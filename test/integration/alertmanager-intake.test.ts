/**
 * Alertmanager → Vigil on real components: a real Alertmanager (Debian's prometheus-alertmanager)
 * sends its webhook to Vigil's POST /alertmanager with a bearer token; a real Prometheus
 * (backfilled with promtool) holds a latency fault of the same service; real SQLite; the detection
 * runs in its real worker thread. Only Slack's Web API is a local double (test/helpers/fake-slack.ts),
 * because Slack cannot be reached from here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import type { CycleOutcome } from '../../src/pipeline/create-detection-cycle.js';
import { BlockId } from '../../src/slack/action-ids.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { latencyHistory } from '../helpers/latency-history.js';
import { loggerInto } from '../helpers/logger-into.js';
import { type RealAlertmanager, startRealAlertmanager } from '../helpers/real-alertmanager.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

const ALERTMANAGER_TOKEN = 'alertmanager-token-0123456789';
const EVENTS_TOKEN = 'events-token-0123456789';
const MINUTE = 60;
const DAY = 86_400;

/** Three days of one-minute latency for two unrelated services; checkout-api's steps up at `faultAt`. */
function history(faultAt: number, end: number): GaugeSeries[] {
  return latencyHistory(
    [
      { service: 'checkout-api', latency: 0.4, faultAt, factor: 4 },
      { service: 'catalog-api', latency: 0.3, faultAt: Number.POSITIVE_INFINITY, factor: 4 },
    ],
    faultAt - 3 * DAY,
    end,
  );
}

async function until(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const hhmm = (seconds: number) => iso(seconds).slice(11, 16);

describe('Alertmanager intake: a real Alertmanager sends to Vigil, its alerts join the anomalies’ incident', () => {
  let prometheus: RealPrometheus;
  let alertmanager: RealAlertmanager;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let clock: Date;
  let incidentId: string;
  // 3 h in the past, on a minute boundary: a fixed window query_range can read deterministically.
  const faultAt = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;
  const highErrorRate = {
    labels: { alertname: 'HighErrorRate', service: 'checkout-api', namespace: 'shop', severity: 'critical' },
    annotations: { summary: '5% of checkout requests fail' },
    startsAt: iso(faultAt - 2 * MINUTE),
    generatorURL: 'http://prometheus.example/graph?g0.expr=errors',
  };
  const intakeUrl = () => `http://127.0.0.1:${vigil.healthPort}/alertmanager`;
  const metrics = async () => (await fetch(`http://127.0.0.1:${vigil.healthPort}/metrics`)).text();
  const logLines: string[] = [];
  const topPosts = () => slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined);

  beforeAll(async () => {
    prometheus = await startRealPrometheus(history(faultAt, faultAt + 15 * MINUTE));
    slack = await startFakeSlack({ channels: ['#team-checkout', '#team-catalog', '#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-am-intake-'));
    const config = ConfigSchema.parse({
      prometheus: { url: prometheus.url, timeout_ms: 5000, step_seconds: 60 },
      slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
      http: { health_port: 0 },
      teams: { checkout: { channel: '#team-checkout' }, catalog: { channel: '#team-catalog' } },
      services: [
        { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1 },
        { name: 'catalog-api', namespace: 'shop', team: 'catalog', tier: 2 },
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
      alertmanager_intake: { service_labels: ['service', 'app'], namespace_label: 'namespace' },
    });
    const env = parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789abcdef',
      SLACK_API_URL: slack.apiUrl,
      VIGIL_DB: join(dir, 'vigil.db'),
      VIGIL_EVENTS_TOKEN: EVENTS_TOKEN,
      VIGIL_ALERTMANAGER_TOKEN: ALERTMANAGER_TOKEN,
    });
    clock = new Date((faultAt - MINUTE) * 1000);
    vigil = await startVigil({
      config,
      env,
      logger: loggerInto(logLines, 'info'),
      now: () => clock,
      schedule: false,
      slackRetries: 0,
      unhandledRequestTimeoutMillis: 1500,
      host: '127.0.0.1',
    });
    // As the README's alertmanager.yml, with short waits so that a test takes seconds.
    alertmanager = await startRealAlertmanager(
      [
        'route:',
        '  receiver: vigil',
        "  group_by: ['namespace']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: vigil',
        '    webhook_configs:',
        `      - url: ${intakeUrl()}`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        `            credentials: ${ALERTMANAGER_TOKEN}`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await alertmanager?.stop();
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A request whose body is never sent: only an answer given on the headers alone comes back. */
  async function headersOnly(authorization: string | null): Promise<string> {
    const socket = connect(vigil.healthPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /alertmanager HTTP/1.1\r\nHost: vigil\r\n${authorization ? `Authorization: ${authorization}\r\n` : ''}` +
        'Content-Type: application/json\r\nContent-Length: 50000\r\n\r\n',
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => socket.once('end', resolve));
    socket.destroy();
    return Buffer.concat(chunks).toString('utf8');
  }

  it('refuses a missing or wrong token with 401 on the headers, reading and storing nothing', async () => {
    for (const authorization of [null, 'Bearer wrong-token-0123456789abc', `Basic ${ALERTMANAGER_TOKEN}`]) {
      const answer = await headersOnly(authorization);
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer).toContain('vigil_intake_unauthorized');
    }
    // The other intake's token does not open this one.
    const res = await fetch(intakeUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${EVENTS_TOKEN}` },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(vigil.pipeline.repos.alerts.list()).toEqual([]);
  });

  it('answers 400 naming the fields of an invalid payload, stores nothing and counts it', async () => {
    const post = (body: string) =>
      fetch(intakeUrl(), {
        method: 'POST',
        headers: { authorization: `Bearer ${ALERTMANAGER_TOKEN}`, 'content-type': 'application/json' },
        body,
      });
    const garbage = await post('{"version": "4", ');
    expect(garbage.status).toBe(400);
    const invalid = await post(
      JSON.stringify({
        version: '4',
        receiver: 'vigil',
        status: 'firing',
        alerts: [
          {
            ...highErrorRate,
            status: 'firing',
            startsAt: 'yesterday',
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint: 'a1',
          },
          { ...highErrorRate, status: 'firing', endsAt: '0001-01-01T00:00:00Z' },
        ],
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://am',
        groupKey: '{}',
        truncatedAlerts: 0,
      }),
    );
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: string; issues: string[] };
    expect(body.error).toBe('vigil_intake_invalid');
    expect(body.issues.join('\n')).toContain('alerts.0.startsAt');
    expect(body.issues.join('\n')).toContain('alerts.1.fingerprint');
    expect(vigil.pipeline.repos.alerts.list()).toEqual([]);
    expect(await metrics()).toMatch(/^vigil_alertmanager_intake_total\{outcome="payload_invalid"\} 2$/m);
  });

  it('stores a firing alert Alertmanager sends, and the alert alone opens an incident', async () => {
    await alertmanager.postAlerts([highErrorRate]);
    const stored = await slack.waitFor(() => vigil.pipeline.repos.alerts.list()[0], 10_000);
    expect(stored).toMatchObject({
      alertname: 'HighErrorRate',
      service: 'checkout-api',
      namespace: 'shop',
      status: 'firing',
      startsAt: iso(faultAt - 2 * MINUTE),
      endsAt: null,
    });
    // Before the latency fault: no anomaly yet. The alert's rule already held for its `for:`.
    const first = (await vigil.runCycle()) as CycleOutcome;
    expect(first.anomaliesByDetector).toEqual({ alertmanager: 1 });
    expect(first.changes.opened).toHaveLength(1);
    incidentId = first.changes.opened[0] as string;
    expect(topPosts()).toHaveLength(1);
    expect(topPosts()[0]?.params.channel).toBe(slack.channelIdOf('#team-checkout'));
    expect(JSON.stringify(topPosts()[0]?.params.blocks)).toContain(
      `Alertmanager: HighErrorRate firing since ${hhmm(faultAt - 2 * MINUTE)} UTC (severity critical): 5% of checkout requests fail`,
    );
  });

  it('a group update re-sends the alert (stored once); a second alert and the latency anomaly join the same incident', async () => {
    await alertmanager.postAlerts([
      {
        labels: { alertname: 'CheckoutLatencyHigh', app: 'checkout-api', namespace: 'shop', severity: 'warning' },
        annotations: { summary: 'p99 above 1 s' },
        startsAt: iso(faultAt + MINUTE),
      },
    ]);
    await slack.waitFor(() => vigil.pipeline.repos.alerts.list().length === 2, 10_000);
    // Alertmanager sent the group again with both alerts: the first was already there.
    await until(async () => /outcome="duplicate"\} [1-9]/.test(await metrics()));
    expect(vigil.pipeline.repos.alerts.list().map((a) => a.alertname)).toEqual([
      'HighErrorRate',
      'CheckoutLatencyHigh',
    ]);

    clock = new Date((faultAt + 3 * MINUTE) * 1000);
    const second = (await vigil.runCycle()) as CycleOutcome;
    expect(second.anomaliesByDetector.alertmanager).toBe(1);
    expect(Object.keys(second.anomaliesByDetector).length).toBeGreaterThan(1);
    expect(second.changes.opened).toEqual([]);
    expect(second.changes.updated).toEqual([incidentId]);
    expect(vigil.pipeline.repos.incidents.listActive().map((i) => i.id)).toEqual([incidentId]);
    // One page: the anomaly's evidence went to the alert's card.
    expect(topPosts()).toHaveLength(1);
    const card = slack.callsTo('chat.update').at(-1);
    if (!card) throw new Error('the card was not updated');
    expect(card.params.ts).toBe(vigil.pipeline.repos.incidents.get(incidentId)?.slack?.ts);
    const blocks = card.params.blocks as Array<{ block_id?: string; text?: { text: string } }>;
    const evidence = blocks.find((b) => b.block_id === BlockId.evidence)?.text?.text as string;
    expect(evidence).toContain(
      `*checkout-api* Alertmanager: HighErrorRate firing since ${hhmm(faultAt - 2 * MINUTE)} UTC (severity critical): 5% of checkout requests fail`,
    );
    expect(evidence).toContain(
      `*checkout-api* Alertmanager: CheckoutLatencyHigh firing since ${hhmm(faultAt + MINUTE)} UTC (severity warning): p99 above 1 s`,
    );
    expect(evidence).toMatch(
      /\*checkout-api\* `latency_p99` ↑ \*[\d.]+ m?s\*: \+[\d.]+ m?s above the expected \d+ ms – \d+ ms/,
    );
    console.info(`card that joined Alertmanager alerts with an anomaly:\n${evidence}`);
  });

  it('records the resolved notification, and the card says the alert resolved', async () => {
    await alertmanager.postAlerts([{ ...highErrorRate, endsAt: iso(faultAt + 4 * MINUTE) }]);
    const resolved = await slack.waitFor(
      () => vigil.pipeline.repos.alerts.list().find((a) => a.alertname === 'HighErrorRate' && a.endsAt),
      10_000,
    );
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: iso(faultAt + 4 * MINUTE) });
    expect(vigil.pipeline.repos.alerts.list()).toHaveLength(2);
    clock = new Date(clock.getTime() + MINUTE * 1000);
    await vigil.runCycle();
    const card = JSON.stringify(slack.callsTo('chat.update').at(-1)?.params.blocks);
    expect(card).toContain(
      `Alertmanager: HighErrorRate fired ${hhmm(faultAt - 2 * MINUTE)}–${hhmm(faultAt + 4 * MINUTE)} UTC, resolved (severity critical)`,
    );
    expect(card).toContain('Alertmanager: CheckoutLatencyHigh firing since');
    expect(topPosts()).toHaveLength(1);
  });

  it('an alert in a maintenance window is recorded without paging', async () => {
    const maintenance = await fetch(`http://127.0.0.1:${vigil.healthPort}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${EVENTS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'maintenance',
        service: 'catalog-api',
        namespace: 'shop',
        starts_at: iso(faultAt),
        ends_at: iso(faultAt + 30 * MINUTE),
        reason: 'reindex',
      }),
    });
    expect(maintenance.status).toBe(202);
    await alertmanager.postAlerts([
      {
        labels: { alertname: 'CatalogSlow', service: 'catalog-api', namespace: 'shop', severity: 'critical' },
        annotations: { summary: 'catalog p99 above 2 s' },
        startsAt: iso(faultAt + 4 * MINUTE),
      },
    ]);
    await slack.waitFor(() => vigil.pipeline.repos.alerts.list().some((a) => a.alertname === 'CatalogSlow'), 10_000);
    clock = new Date(clock.getTime() + MINUTE * 1000);
    const cycle = (await vigil.runCycle()) as CycleOutcome;
    expect(cycle.anomaliesByDetector.alertmanager).toBe(1);
    expect(cycle.changes.opened).toEqual([]);
    expect(cycle.changes.recorded).toHaveLength(1);
    expect(slack.messagesIn('#team-catalog')).toEqual([]);
    expect(topPosts()).toHaveLength(1);
  });

  it('an alert of a service the config does not know opens its own incident in the default channel', async () => {
    await alertmanager.postAlerts([
      {
        labels: { alertname: 'JobFailing', service: 'billing-cron', namespace: 'shop', severity: 'warning' },
        annotations: { summary: 'the nightly billing job failed' },
        startsAt: iso(faultAt + 5 * MINUTE),
      },
    ]);
    await slack.waitFor(() => vigil.pipeline.repos.alerts.list().some((a) => a.alertname === 'JobFailing'), 10_000);
    clock = new Date(clock.getTime() + MINUTE * 1000);
    const cycle = (await vigil.runCycle()) as CycleOutcome;
    expect(cycle.changes.opened).toHaveLength(1);
    expect(cycle.changes.opened[0]).not.toBe(incidentId);
    const post = topPosts().at(-1);
    expect(post?.params.channel).toBe(slack.channelIdOf('#vigil-alerts'));
    expect(JSON.stringify(post?.params.blocks)).toContain('Alertmanager: JobFailing firing since');
  });

  it('said at start-up that the intake is on, and never logged its token', () => {
    expect(logLines.some((l) => l.includes('Alertmanager intake on POST /alertmanager'))).toBe(true);
    expect(logLines.some((l) => l.includes('Alertmanager alerts received'))).toBe(true);
    expect(logLines.filter((l) => l.includes(ALERTMANAGER_TOKEN))).toEqual([]);
  });
});
