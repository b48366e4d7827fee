/**
 * End to end on real components: a real Prometheus (backfilled with promtool), the real Bolt app
 * with its HTTP receiver and really signed requests, real SQLite. Only Slack's Web API is a local
 * double (test/helpers/fake-slack.ts), because Slack cannot be reached from here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import type { CycleOutcome } from '../../src/pipeline/create-detection-cycle.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { seededNoise } from '../helpers/latency-history.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'test-signing-secret-0123456789abcdef';
const EVENTS_TOKEN = 'intake-token-0123456789';
const MINUTE = 60;
const DAY = 86_400;

/**
 * Three days of one-minute history for three services; payment-api's latency steps up at `faultAt`
 * and its caller checkout-api follows a minute later; catalog-api stays healthy.
 */
function history(faultAt: number, end: number): GaugeSeries[] {
  const start = faultAt - 3 * DAY;
  const services = [
    { service: 'checkout-api', latency: 0.42, fault: faultAt + MINUTE, factor: 3.5 },
    { service: 'payment-api', latency: 0.2, fault: faultAt, factor: 5 },
    { service: 'catalog-api', latency: 0.3, fault: Number.POSITIVE_INFINITY, factor: 1 },
  ];
  const rand = seededNoise(7);
  const series: GaugeSeries[] = [];
  for (const s of services) {
    const latency: GaugeSeries = {
      name: 'shop_latency_p99_seconds',
      labels: { service: s.service, namespace: 'shop' },
      points: [],
    };
    const errors: GaugeSeries = {
      name: 'shop_error_ratio',
      labels: { service: s.service, namespace: 'shop' },
      points: [],
    };
    for (let t = start; t <= end; t += MINUTE) {
      const faulty = t >= s.fault;
      latency.points.push([t, +(s.latency * (1 + 0.05 * rand()) * (faulty ? s.factor : 1)).toFixed(5)]);
      errors.points.push([t, +(0.002 * (1 + 0.1 * rand())).toFixed(6)]);
    }
    series.push(latency, errors);
  }
  return series;
}

describe('Vigil end to end: Prometheus → detect → correlate → Slack card → feedback', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let clock: Date;
  let first: CycleOutcome;
  let eventsUrl: string;
  let start: () => Promise<RunningVigil>;
  const logLines: string[] = [];
  // 3 h in the past, on a minute boundary: a fixed window query_range can read deterministically.
  const faultAt = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;

  beforeAll(async () => {
    prometheus = await startRealPrometheus(history(faultAt, faultAt + 15 * MINUTE));
    // The workspace as a real one is set up: team channels exist; Vigil is in none of them yet.
    slack = await startFakeSlack({ channels: ['#team-payments', '#team-checkout', '#team-catalog', '#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
    const config = ConfigSchema.parse({
      prometheus: { url: prometheus.url, timeout_ms: 5000, step_seconds: 60 },
      slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
      http: { health_port: 0 },
      teams: {
        checkout: { channel: '#team-checkout' },
        payments: { channel: '#team-payments' },
        catalog: { channel: '#team-catalog' },
      },
      services: [
        {
          name: 'checkout-api',
          namespace: 'shop',
          team: 'checkout',
          tier: 1,
          depends_on: ['payment-api', 'catalog-api'],
          runbooks: [{ title: 'Checkout runbook', url: 'https://runbooks.example.com/checkout' }],
        },
        {
          name: 'payment-api',
          namespace: 'shop',
          team: 'payments',
          tier: 1,
          runbooks: [{ title: 'Payments runbook', url: 'https://runbooks.example.com/payments' }],
        },
        { name: 'catalog-api', namespace: 'shop', team: 'catalog', tier: 2 },
      ],
      signals: [
        {
          name: 'latency_p99',
          query: 'shop_latency_p99_seconds{namespace=~"{{namespaces}}"}',
          service_label: 'service',
          namespace_label: 'namespace',
          direction: 'up',
          unit: 'seconds',
        },
        { name: 'error_rate', query: 'shop_error_ratio', service_label: 'service', direction: 'up', unit: 'ratio' },
      ],
    });
    const env = parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      VIGIL_DB: join(dir, 'vigil.db'),
      VIGIL_EVENTS_TOKEN: EVENTS_TOKEN,
    });
    const destination = new Writable({
      write(chunk, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    clock = new Date((faultAt + 3 * MINUTE) * 1000);
    start = () =>
      startVigil({
        config,
        env,
        logger: createLogger({ level: 'info', destination }),
        now: () => clock,
        schedule: false,
        slackRetries: 0,
        unhandledRequestTimeoutMillis: 1500,
        host: '127.0.0.1',
      });
    vigil = await start();
    eventsUrl = `http://127.0.0.1:${vigil.slackPort}/slack/events`;
    first = (await vigil.runCycle()) as CycleOutcome;
  });

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('posts one incident card to the channel of the team owning the starting service', () => {
    expect(first.status).toBe('ok');
    expect(first.series_scored).toBe(6);
    expect(first.changes.opened).toHaveLength(1);
    const posts = slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined);
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.params.channel).toBe(slack.channelIdOf('#team-payments'));
    // Vigil joined the channel before posting there, so reactions to the card reach it.
    expect(slack.channel('#team-payments')?.member).toBe(true);
    expect(slack.calls.findIndex((c) => c.method === 'conversations.join')).toBeLessThan(slack.calls.indexOf(post));
    expect(slack.messagesIn('#team-payments').filter((m) => m.thread_ts === undefined)).toHaveLength(1);
    expect(post.authorization).toBe('Bearer xoxb-test-token');
    const blocks = JSON.stringify(post.params.blocks);
    expect(blocks).toContain('Probable starting service: payment-api');
    expect(blocks).toContain('checkout-api');
    expect(blocks).not.toContain('catalog-api');
    // The value, how far above its band in the metric's unit, and the band.
    expect(blocks).toMatch(/latency_p99` ↑ \*[\d.]+ m?s\*: \+[\d.]+ m?s above the expected \d+ ms – \d+ ms/);
    expect(blocks).toContain('120 min window');
    expect(blocks).toContain('https://runbooks.example.com/payments');
    const incident = vigil.pipeline.repos.incidents.get(first.changes.opened[0]!)!;
    expect(incident.services.sort()).toEqual(['checkout-api', 'payment-api']);
    expect(incident.hypothesis.probable_starting_service).toBe('payment-api');
    expect(incident.slack).toEqual({ channel: slack.channelIdOf('#team-payments'), ts: expect.any(String) });
    // Details go to the card's thread.
    const thread = slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === incident.slack?.ts);
    expect(thread.length).toBeGreaterThan(0);
    console.info(`one detection cycle against real Prometheus: ${first.duration_ms} ms, ${first.samples} samples`);
  });

  it('a second cycle updates the same card instead of posting again', async () => {
    const postsBefore = slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined).length;
    clock = new Date(clock.getTime() + 60_000);
    const second = (await vigil.runCycle()) as CycleOutcome;
    expect(second.changes.opened).toEqual([]);
    expect(second.changes.updated).toEqual(first.changes.opened);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined)).toHaveLength(postsBefore);
    const updates = slack.callsTo('chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    const incident = vigil.pipeline.repos.incidents.get(first.changes.opened[0]!)!;
    expect(updates.at(-1)?.params.ts).toBe(incident.slack?.ts);
    expect(updates.at(-1)?.params.channel).toBe(incident.slack?.channel);
  });

  it('lists the incident for a signed /vigil incidents', async () => {
    const res = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: 'incidents', response_url: slack.responseUrl('incidents') }),
    });
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'incidents'));
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text)).toContain(first.changes.opened[0]);
    expect(String(reply.body.text)).toContain('payment-api');
  });

  it('answers an unknown subcommand with an ephemeral usage message', async () => {
    const res = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: 'reboot everything', response_url: slack.responseUrl('bad') }),
    });
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'bad'));
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text)).toContain('Unknown command `reboot`');
    expect(String(reply.body.text)).toContain('/vigil incidents');
  });

  it('stores a 👎 reaction on the card as feedback and removes it with the reaction', async () => {
    const incident = vigil.pipeline.repos.incidents.get(first.changes.opened[0]!)!;
    const item = { type: 'message', channel: incident.slack!.channel, ts: incident.slack!.ts };
    const feedback = () => vigil.pipeline.repos.feedback.listForIncident(incident.id);
    const bolt = { url: eventsUrl, secret: SECRET };
    // Slack sends the event only because Vigil joined the card's channel.
    const added = await slack.deliverEvent(bolt, {
      type: 'reaction_added',
      user: 'U0ONCALL',
      reaction: '-1',
      item,
      event_ts: '1760000100.000100',
    });
    expect(added?.status).toBe(200);
    const rows = await slack.waitFor(() => feedback().length > 0 && feedback());
    expect(rows).toEqual([
      {
        incident_id: incident.id,
        slack_user: 'U0ONCALL',
        label: 'noisy',
        source: 'reaction',
        created_at: clock.toISOString(),
        detectors: expect.arrayContaining([expect.any(String)]),
        series: expect.arrayContaining([expect.stringContaining('/')]),
      },
    ]);

    // The card counts it: every update of a card is its latest state, so the last one tells.
    const lastCard = () => JSON.stringify(slack.callsTo('chat.update').at(-1)?.params.blocks ?? []);
    await slack.waitFor(() => lastCard().includes('Feedback: 1 noisy'));

    // The same emoji on a message that is not a card is not feedback.
    await slack.deliverEvent(bolt, {
      type: 'reaction_added',
      user: 'U0OTHER',
      reaction: '+1',
      item: { ...item, ts: '1.000001' },
    });
    const removed = await slack.deliverEvent(bolt, {
      type: 'reaction_removed',
      user: 'U0ONCALL',
      reaction: '-1',
      item,
    });
    expect(removed?.status).toBe(200);
    await slack.waitFor(() => feedback().length === 0);
    expect(feedback()).toEqual([]);
    // ...and counts it no more (waited for here, so the next test sees only its own card update).
    await slack.waitFor(() => !lastCard().includes('Feedback:') && lastCard().includes('Label this incident'));
  });

  it('an Acknowledge click (signed) changes the stored incident and edits the card with who did it', async () => {
    const incident = vigil.pipeline.repos.incidents.get(first.changes.opened[0]!)!;
    const updatesBefore = slack.callsTo('chat.update').length;
    const payload = {
      type: 'block_actions',
      team: { id: 'T0TEST', domain: 'vigil-test' },
      user: { id: 'U0ONCALL', username: 'oncall', team_id: 'T0TEST' },
      api_app_id: 'A0VIGIL',
      token: 'legacy-verification-token',
      trigger_id: '1.2.3',
      container: { type: 'message', message_ts: incident.slack!.ts, channel_id: incident.slack!.channel },
      channel: { id: incident.slack!.channel, name: 'team-payments' },
      message: { ts: incident.slack!.ts, text: 'card' },
      response_url: slack.responseUrl('ack'),
      actions: [
        {
          type: 'button',
          action_id: 'vigil_incident_ack',
          block_id: 'vigil_incident_lifecycle',
          value: incident.id,
          text: { type: 'plain_text', text: 'Acknowledge' },
          action_ts: '1760000200.000100',
        },
      ],
    };
    const res = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    });
    expect(res.status).toBe(200);
    const update = await slack.waitFor(() => slack.callsTo('chat.update').slice(updatesBefore).at(-1));
    // Told on the card's timeline (who and when), no longer as a separate note.
    expect(JSON.stringify(update.params.blocks)).toMatch(/`\d\d:\d\d` acknowledged by <@U0ONCALL>/);
    expect(vigil.pipeline.repos.incidents.get(incident.id)?.status).toBe('acknowledged');
    // Acknowledging twice is refused, ephemerally, and changes nothing.
    await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    });
    const refusal = await slack.waitFor(() => slack.responses.find((r) => r.id === 'ack'));
    expect(String(refusal.body.text)).toContain('only an open incident can be acknowledged');
  });

  it('takes deploy and maintenance events on POST /events with a bearer token, all valid or none', async () => {
    const url = `http://127.0.0.1:${vigil.healthPort}/events`;
    const post = (body: unknown, token = EVENTS_TOKEN) =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const deploy = {
      type: 'deploy',
      service: 'payment-api',
      namespace: 'shop',
      version: 'v2',
      timestamp: '2026-11-20T10:00:00Z',
    };
    expect((await post(deploy, 'wrong-token-0123456789')).status).toBe(401);
    const invalid = await post([deploy, { type: 'maintenance', service: 'payment-api' }]);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { issues: string[] }).issues.join()).toContain('1.namespace');
    expect(vigil.pipeline.repos.opsEvents.all()).toEqual([]);
    const ok = await post([
      deploy,
      {
        type: 'maintenance',
        service: 'catalog-api',
        namespace: 'shop',
        starts_at: '2026-11-20T11:00:00Z',
        ends_at: '2026-11-20T11:30:00Z',
        reason: 'reindex',
      },
    ]);
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ accepted: 2, stored: 2, duplicates: 0 });
    expect(await (await post(deploy)).json()).toEqual({ accepted: 1, stored: 1 - 1, duplicates: 1 });
    expect(vigil.pipeline.repos.opsEvents.all()).toHaveLength(2);
    expect(
      await vigil.pipeline.detection.suppression('catalog-api', 'shop', Date.parse('2026-11-20T11:10:00Z')),
    ).toContain('maintenance of catalog-api (reindex');
  });

  it('rejects a request with a bad signature and one with an old timestamp', async () => {
    const body = slashCommandBody({ text: 'incidents', response_url: slack.responseUrl('forged') });
    const forged = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body,
      signature: `v0=${'0'.repeat(64)}`,
    });
    expect(forged.status).toBe(401);
    const stale = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.responses.find((r) => r.id === 'forged')).toBeUndefined();
  });

  it('exposes health and its own metrics for Prometheus', async () => {
    const base = `http://127.0.0.1:${vigil.healthPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^vigil_cycles_total\{status="ok"\} 2$/m);
    expect(text).toMatch(/^vigil_incidents_open 1$/m);
    expect(text).toMatch(/^vigil_series_scored 6$/m);
    expect(text).toMatch(/^vigil_anomalies_total\{detector="(robust_mad|rolling_zscore)"\} [1-9]/m);
    expect(text).toMatch(/^vigil_slack_publish_errors_total 0$/m);
  });

  it('after a restart on the same database, continues the same incident without re-alerting', async () => {
    const posts = () => slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined).length;
    const before = posts();
    await vigil.stop();
    vigil = await start();
    // Detector state came back from SQLite: the series are known before any cycle ran.
    expect(vigil.pipeline.seriesTracked()).toBe(6);
    // Re-reading the last minutes; points already seen are skipped, anomalies already stored not counted.
    const again = (await vigil.runCycle()) as CycleOutcome;
    expect(again.changes).toEqual({ opened: [], updated: [], resolved: [], recorded: [] });
    clock = new Date(clock.getTime() + 60_000);
    const next = (await vigil.runCycle()) as CycleOutcome;
    expect(next.changes.opened).toEqual([]);
    expect(posts()).toBe(before);
    expect(vigil.pipeline.repos.incidents.listActive().map((i) => i.id)).toEqual(first.changes.opened);
  });

  it('recalibrates from days of real Prometheus history at a coarser step', async () => {
    const report = await vigil.runRecalibration();
    expect(report?.status).toBe('ok');
    expect(report?.series).toBe(6);
    expect(report?.seasonalRebuilt).toBe(6);
    const runs = vigil.db.prepare('SELECT status, series FROM recalibration_runs').all();
    expect(runs).toEqual([{ status: 'ok', series: 6 }]);
  });

  it('never logs the tokens', () => {
    const all = logLines.join('');
    expect(all).toContain('detection cycle finished');
    expect(all).not.toContain('xoxb-test-token');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(EVENTS_TOKEN);
  });
});
