/**
 * Remediation end to end: really signed Slack clicks through Bolt's HTTP receiver, real SQLite, a
 * real Alertmanager (Debian's package) and a real HTTP webhook receiver. Two things are doubles:
 * Slack's Web API (test/helpers/fake-slack.ts; Slack cannot be reached from here) and the
 * Kubernetes API server (test/helpers/fake-kubernetes.ts; no cluster can run on this machine),
 * which @kubernetes/client-node talks to through a real kubeconfig file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, type VigilConfig } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { type FakeKubernetes, startFakeKubernetes } from '../helpers/fake-kubernetes.js';
import { type FakeSlack, type RecordedSlackCall, startFakeSlack } from '../helpers/fake-slack.js';
import { type HttpRecorder, startHttpRecorder } from '../helpers/http-recorder.js';
import { makeOpenIncident } from '../helpers/make-incident.js';
import { type RealAlertmanager, startRealAlertmanager } from '../helpers/real-alertmanager.js';
import { blockActionBody, postSigned, slashCommandBody, viewSubmissionBody } from '../helpers/signed-slack-request.js';

const SECRET = 'test-signing-secret-0123456789abcdef';
const ROLLBACK_TOKEN = 'rollback-secret-value-7f3a9c';
const LEAD = 'U0LEAD';
const ONCALL = 'U0ONCALL';
const SRE = 'U0SRE1';
const STRANGER = 'U0STRANGER';

interface Harness {
  slack: FakeSlack;
  kubernetes: FakeKubernetes;
  webhook: HttpRecorder;
  vigil: RunningVigil;
  clock: { now: Date };
  logLines: string[];
  eventsUrl: () => string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function remediationConfig(options: {
  dryRun: boolean;
  kubeconfig: string;
  webhookUrl: string;
  alertmanagerUrl: string;
}) {
  return ConfigSchema.parse({
    prometheus: { url: 'http://127.0.0.1:9', timeout_ms: 1000 },
    slack: { mode: 'http', port: 0, timeout_ms: 2000 },
    http: { health_port: 0 },
    teams: { payments: { channel: '#team-payments' }, checkout: { channel: '#team-checkout' } },
    services: [
      { name: 'checkout-api', namespace: 'shop', team: 'checkout', depends_on: ['payment-api'] },
      { name: 'payment-api', namespace: 'shop', team: 'payments' },
      { name: 'catalog-api', namespace: 'shop', team: 'checkout' },
    ],
    signals: [{ name: 'latency_p99', query: 'x' }],
    remediation: {
      enabled: true,
      dry_run: options.dryRun,
      request_ttl_seconds: 900,
      rate_limit: { max_executions: 50, window_seconds: 3600 },
      circuit_breaker: { failures: 2, reset_seconds: 3600 },
      kubernetes: { namespaces: ['shop'], kubeconfig: options.kubeconfig, timeout_ms: 3000 },
      alertmanager: { url: options.alertmanagerUrl, timeout_ms: 3000 },
      actions: [
        {
          id: 'restart',
          title: 'Restart',
          kind: 'kubernetes.rollout_restart',
          services: ['payment-api', 'checkout-api'],
          risk: 'high',
          approvers: { users: [LEAD, ONCALL], groups: ['S0SRE'] },
          cooldown_seconds: 1800,
        },
        {
          id: 'scale-up',
          title: 'Scale to 6',
          kind: 'kubernetes.scale',
          services: ['*'],
          risk: 'medium',
          approvers: { users: [LEAD, ONCALL], groups: ['S0SRE'] },
          cooldown_seconds: 0,
          params: { replicas: 6 },
        },
        {
          id: 'rollback',
          title: 'Roll back',
          kind: 'http.webhook',
          services: ['payment-api'],
          risk: 'low',
          approvers: { users: [LEAD] },
          cooldown_seconds: 0,
          params: {
            url: `${options.webhookUrl}/rollback`,
            secret_header: 'X-Rollback-Token',
            secret_env: 'ROLLBACK_TOKEN',
            body: { service: '{{service}}', incident: '{{incident_id}}' },
            timeout_ms: 2000,
          },
        },
        {
          id: 'silence',
          title: 'Silence 1 h',
          kind: 'alertmanager.silence',
          services: ['*'],
          risk: 'low',
          approvers: { users: [LEAD] },
          cooldown_seconds: 0,
        },
        {
          id: 'catalog-restart',
          title: 'Restart catalog',
          kind: 'kubernetes.rollout_restart',
          services: ['catalog-api'],
          risk: 'low',
          approvers: { users: [LEAD] },
        },
      ],
    },
  });
}

async function startHarness(dryRun: boolean, alertmanager: RealAlertmanager): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-remediation-'));
  // Team channels exist in the workspace (Vigil joins them before its first card).
  const slack = await startFakeSlack({ channels: ['#team-payments', '#team-checkout', '#vigil-alerts'] });
  slack.userGroups.set('S0SRE', [SRE]);
  const kubernetes = await startFakeKubernetes(join(dir, 'kubeconfig'), {
    'shop/payment-api': 3,
    'shop/checkout-api': 4,
  });
  const webhook = await startHttpRecorder(() => ({ status: 202, body: { accepted: true } }));
  const config: VigilConfig = remediationConfig({
    dryRun,
    kubeconfig: kubernetes.kubeconfigPath,
    webhookUrl: webhook.url,
    alertmanagerUrl: alertmanager.url,
  });
  const env = parseEnv({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    VIGIL_DB: join(dir, 'vigil.db'),
  });
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  // In the past, so that moving it forward (expiry) never puts a silence's start in Alertmanager's future.
  const clock = { now: new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000) };
  const start = () =>
    startVigil({
      config,
      env,
      logger: createLogger({ level: 'debug', destination }),
      now: () => clock.now,
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
      secretEnv: { ROLLBACK_TOKEN },
    });
  const harness: Harness = {
    slack,
    kubernetes,
    webhook,
    vigil: await start(),
    clock,
    logLines,
    eventsUrl: () => `http://127.0.0.1:${harness.vigil.slackPort}/slack/events`,
    async restart() {
      await harness.vigil.stop();
      harness.vigil = await start();
    },
    async stop() {
      await harness.vigil.stop();
      await slack.close();
      await kubernetes.close();
      await webhook.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Stores an open incident and posts its card, as a detection cycle would. */
async function openIncident(h: Harness, id: string, services: string[]) {
  const at = h.clock.now.toISOString();
  const incident = makeOpenIncident(id, services, at);
  h.vigil.pipeline.repos.incidents.save(incident, []);
  const result = await h.vigil.pipeline.publish?.([id]);
  expect(result?.posted).toEqual([id]);
  return h.vigil.pipeline.repos.incidents.get(id)!;
}

let clicks = 0;
/** A signed button click; resolves with the ephemeral answer Vigil sent to its response_url. */
async function click(
  h: Harness,
  user: string,
  actionId: string,
  value: string,
  where: { channel: string; ts: string },
) {
  clicks += 1;
  const tag = `click-${clicks}`;
  const res = await postSigned({
    url: h.eventsUrl(),
    secret: SECRET,
    contentType: 'application/x-www-form-urlencoded',
    body: blockActionBody({
      user,
      actionId,
      value,
      channel: where.channel,
      messageTs: where.ts,
      responseUrl: h.slack.responseUrl(tag),
      actionTs: `1760000300.${String(clicks).padStart(6, '0')}`,
    }),
  });
  expect(res.status).toBe(200);
  const answer = await h.slack.waitFor(() => h.slack.responses.find((r) => r.id === tag), 8000);
  return String(answer.body.text);
}

function cardButtons(call: RecordedSlackCall) {
  const blocks = call.params.blocks as Array<{ block_id?: string; elements?: Array<Record<string, unknown>> }>;
  return blocks.find((b) => b.block_id === 'vigil_incident_remediation')?.elements ?? [];
}

function latestCard(h: Harness, ts: string): RecordedSlackCall {
  const updates = h.slack.callsTo('chat.update').filter((c) => c.params.ts === ts);
  return (updates.at(-1) ?? h.slack.callsTo('chat.postMessage').find((c) => c.params.thread_ts === undefined))!;
}

function offerValue(h: Harness, ts: string, action: string, target: string): string {
  const button = cardButtons(latestCard(h, ts)).find((b) => {
    const value = JSON.parse(String(b.value)) as { action: string; target: string };
    return value.action === action && value.target === target;
  });
  if (!button) throw new Error(`no ${action} button for ${target} on the card`);
  return String(button.value);
}

describe('remediation from the incident card, live mode', () => {
  let alertmanager: RealAlertmanager;
  let h: Harness;
  let card: { channel: string; ts: string };
  const incidentId = 'INC-20261121-0001';
  const requestOf = (action: string, target: string) =>
    h.vigil.pipeline.repos.remediation
      .forIncident(incidentId)
      .filter((r) => r.action_id === action && r.target === target)
      .at(-1)!;

  beforeAll(async () => {
    alertmanager = await startRealAlertmanager();
    h = await startHarness(false, alertmanager);
    const incident = await openIncident(h, incidentId, ['payment-api', 'checkout-api']);
    card = incident.slack!;
  });

  afterAll(async () => {
    await h?.stop();
    await alertmanager?.stop();
  });

  it('offers only actions in scope of the incident, each behind a confirm dialog saying what runs where', () => {
    const buttons = cardButtons(latestCard(h, card.ts));
    const offered = buttons.map((b) => JSON.parse(String(b.value)) as { action: string; target: string });
    expect(offered.slice(0, 4)).toEqual([
      { incident: incidentId, action: 'restart', target: 'payment-api' },
      { incident: incidentId, action: 'scale-up', target: 'payment-api' },
      { incident: incidentId, action: 'rollback', target: 'payment-api' },
      { incident: incidentId, action: 'silence', target: 'payment-api' },
    ]);
    expect(offered).toHaveLength(5);
    expect(offered.some((o) => o.action === 'catalog-restart')).toBe(false);
    const confirm = JSON.stringify(buttons[0]?.confirm);
    expect(confirm).toContain('PATCH /apis/apps/v1/namespaces/shop/deployments/payment-api');
    expect(confirm).toContain('Risk: *high*');
  });

  it('a click stores the request and posts it in the thread with a server dry-run preview; nothing changes', async () => {
    const answer = await click(h, ONCALL, 'vigil_remediate_0', offerValue(h, card.ts, 'restart', 'payment-api'), card);
    expect(answer).toContain('waits in the thread for an approver');
    const request = requestOf('restart', 'payment-api');
    expect(request.status).toBe('proposed');
    const post = h.slack.callsTo('chat.postMessage').find((c) => c.params.thread_ts === card.ts && c.params.blocks);
    expect(post).toBeDefined();
    const blocks = JSON.stringify(post?.params.blocks);
    expect(blocks).toContain('Server dry run: Deployment shop/payment-api: 3 replicas, 3 ready');
    expect(blocks).toContain('vigil_remediation_approve');
    expect(blocks).toContain('vigil_remediation_reject');
    expect(h.kubernetes.requests.map((r) => r.query.get('dryRun'))).toEqual(['All']);
    expect(h.kubernetes.mutations()).toHaveLength(0);

    // A second click on the same button (or Slack retrying it) makes no second request.
    const again = await click(h, LEAD, 'vigil_remediate_0', offerValue(h, card.ts, 'restart', 'payment-api'), card);
    expect(again).toContain('already requested');
    expect(h.vigil.pipeline.repos.remediation.forIncident(incidentId)).toHaveLength(1);
  });

  it('refuses an approval by someone who is not an approver, and changes nothing', async () => {
    const request = requestOf('restart', 'payment-api');
    const answer = await click(h, STRANGER, 'vigil_remediation_approve', request.id, card);
    expect(answer).toContain('not allowed');
    expect(h.vigil.pipeline.repos.remediation.get(request.id)?.status).toBe('proposed');
    expect(h.kubernetes.mutations()).toHaveLength(0);
  });

  it('refuses self-approval of a high-risk request (two-person rule)', async () => {
    const request = requestOf('restart', 'payment-api');
    const answer = await click(h, ONCALL, 'vigil_remediation_approve', request.id, card);
    expect(answer).toContain('two-person rule');
    expect(h.vigil.pipeline.repos.remediation.get(request.id)?.status).toBe('proposed');
    expect(h.kubernetes.mutations()).toHaveLength(0);
  });

  it('an approver from an allowed user group approves: it runs once; thread and card say who, what, result, duration', async () => {
    const request = requestOf('restart', 'payment-api');
    const answer = await click(h, SRE, 'vigil_remediation_approve', request.id, card);
    expect(answer).toContain('Rollout restart of shop/payment-api started');
    const mutations = h.kubernetes.mutations();
    expect(mutations).toHaveLength(1);
    expect(mutations[0]?.path).toBe('/apis/apps/v1/namespaces/shop/deployments/payment-api');
    expect(mutations[0]?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(mutations[0]?.headers.authorization).toBe('Bearer fake-service-account-token');
    expect(mutations[0]?.body).toContain('kubectl.kubernetes.io/restartedAt');
    const stored = h.vigil.pipeline.repos.remediation.get(request.id)!;
    expect(stored).toMatchObject({ status: 'succeeded', decided_by: SRE, requested_by: ONCALL });
    expect(stored.duration_ms).toBeGreaterThanOrEqual(0);

    const reply = h.slack
      .callsTo('chat.postMessage')
      .find((c) => c.params.thread_ts === card.ts && String(c.params.text).includes('succeeded'));
    expect(reply?.params.text).toMatch(/Requested by <@U0ONCALL>, approved by <@U0SRE1>/);
    expect(reply?.params.text).toMatch(/succeeded in \d+ ms/);
    expect(reply?.params.text).toContain('PATCH /apis/apps/v1/namespaces/shop/deployments/payment-api');
    expect(JSON.stringify(latestCard(h, card.ts).params.blocks)).toContain(
      'Restart on *payment-api*: :white_check_mark: succeeded',
    );

    const late = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
    expect(late).toContain('already approved by <@U0SRE1>');
    expect(h.kubernetes.mutations()).toHaveLength(1);
  });

  it('cooldown: the same action on the same target is refused until it passes; reject records who and why', async () => {
    await click(h, ONCALL, 'vigil_remediate_0', offerValue(h, card.ts, 'restart', 'payment-api'), card);
    const request = requestOf('restart', 'payment-api');
    expect(request.status).toBe('proposed');
    const refused = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
    expect(refused).toContain('cooldown until');
    expect(h.kubernetes.mutations()).toHaveLength(1);

    const stranger = await click(h, STRANGER, 'vigil_remediation_reject', request.id, card);
    expect(stranger).toContain('Only an approver or the requester');

    const opens = h.slack.callsTo('views.open').length;
    const res = await postSigned({
      url: h.eventsUrl(),
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: blockActionBody({
        user: LEAD,
        actionId: 'vigil_remediation_reject',
        value: request.id,
        channel: card.channel,
        messageTs: card.ts,
        responseUrl: h.slack.responseUrl('reject-open'),
      }),
    });
    expect(res.status).toBe(200);
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[opens]);
    expect(JSON.parse(String(open.params.view)).private_metadata).toBe(request.id);

    const submitted = await postSigned({
      url: h.eventsUrl(),
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: viewSubmissionBody({
        user: LEAD,
        callbackId: 'vigil_remediation_reject_modal',
        privateMetadata: request.id,
        values: {
          vigil_reject_reason: {
            vigil_remediation_reject_reason: { type: 'plain_text_input', value: 'restarted 10 min ago' },
          },
        },
      }),
    });
    expect(submitted.status).toBe(200);
    const rejected = await h.slack.waitFor(() => {
      const r = h.vigil.pipeline.repos.remediation.get(request.id);
      return r?.status === 'rejected' ? r : null;
    });
    expect(rejected).toMatchObject({ decided_by: LEAD, reason: 'restarted 10 min ago' });
    const edit = await h.slack.waitFor(() =>
      h.slack
        .callsTo('chat.update')
        .find((c) => JSON.stringify(c.params.blocks).includes('rejected by <@U0LEAD>: restarted 10 min ago')),
    );
    expect(edit.params.ts).toBe(rejected.slack?.ts);
  });

  it('50 concurrent signed Approve clicks run the action exactly once', async () => {
    await click(h, ONCALL, 'vigil_remediate_1', offerValue(h, card.ts, 'scale-up', 'payment-api'), card);
    const request = requestOf('scale-up', 'payment-api');
    const approvers = [LEAD, SRE, ONCALL];
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        click(h, approvers[i % approvers.length] as string, 'vigil_remediation_approve', request.id, card),
      ),
    );
    const scales = h.kubernetes.mutations().filter((r) => r.path.endsWith('/payment-api/scale'));
    expect(scales).toHaveLength(1);
    expect(h.kubernetes.replicas('shop', 'payment-api')).toBe(6);
    expect(answers.filter((a) => a.includes('Scaled shop/payment-api to 6 replicas'))).toHaveLength(1);
    expect(answers.filter((a) => a.includes('already approved'))).toHaveLength(49);
    const executions = h.vigil.pipeline.repos.remediation
      .auditLog({ limit: 500, incidentId })
      .filter((e) => e.request_id === request.id && e.event === 'executing');
    expect(executions).toHaveLength(1);
  });

  it('an expired request cannot be approved', async () => {
    await click(h, ONCALL, 'vigil_remediate_3', offerValue(h, card.ts, 'silence', 'payment-api'), card);
    const request = requestOf('silence', 'payment-api');
    h.clock.now = new Date(h.clock.now.getTime() + 16 * 60_000);
    const answer = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
    expect(answer).toContain('expired');
    expect(h.vigil.pipeline.repos.remediation.get(request.id)?.status).toBe('expired');
    expect(await alertmanager.silences()).toHaveLength(0);
  });

  it('creates a silence in the real Alertmanager once approved', async () => {
    await click(h, ONCALL, 'vigil_remediate_3', offerValue(h, card.ts, 'silence', 'payment-api'), card);
    const request = requestOf('silence', 'payment-api');
    const answer = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
    expect(answer).toMatch(/Silence \S+ created for \{service="payment-api", namespace="shop"\}, 60 min/);
    const silences = await alertmanager.silences();
    expect(silences).toHaveLength(1);
    expect(silences[0]?.status.state).toBe('active');
    expect(silences[0]?.matchers.map((m) => `${m.name}=${m.value}`).sort()).toEqual([
      'namespace=shop',
      'service=payment-api',
    ]);
    expect(silences[0]?.createdBy).toBe('vigil (approved by U0LEAD)');
  });

  it('webhook: POSTs the rendered body with the secret header and an idempotency key; the secret stays out of logs', async () => {
    await click(h, LEAD, 'vigil_remediate_2', offerValue(h, card.ts, 'rollback', 'payment-api'), card);
    const request = requestOf('rollback', 'payment-api');
    // Low risk: the requester may approve it.
    const answer = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
    expect(answer).toContain('answered 202');
    expect(h.webhook.requests).toHaveLength(1);
    const sent = h.webhook.requests[0]!;
    expect(sent.path).toBe('/rollback');
    expect(sent.headers['x-rollback-token']).toBe(ROLLBACK_TOKEN);
    expect(sent.headers['idempotency-key']).toBe(request.id);
    expect(JSON.parse(sent.body)).toEqual({ service: 'payment-api', incident: incidentId });
    expect(h.logLines.join('')).not.toContain(ROLLBACK_TOKEN);
    expect(JSON.stringify(h.slack.calls)).not.toContain(ROLLBACK_TOKEN);
  });

  it('circuit breaker: after 2 failures in a row the action is no longer offered; the error shows, not a stack', async () => {
    for (let i = 0; i < 2; i += 1) {
      await click(h, ONCALL, 'vigil_remediate_1', offerValue(h, card.ts, 'scale-up', 'payment-api'), card);
      const request = requestOf('scale-up', 'payment-api');
      h.kubernetes.failNext(
        500,
        JSON.stringify({ kind: 'Status', code: 500, message: 'etcdserver: request timed out' }),
      );
      const answer = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
      expect(answer).toContain('failed: Kubernetes answered 500 for shop/payment-api: etcdserver: request timed out');
      expect(answer).not.toMatch(/\n\s+at /);
    }
    const failure = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.params.thread_ts === card.ts && String(c.params.text).includes('failed'))
      .at(-1);
    expect(failure?.params.text).toContain('etcdserver: request timed out');
    const offered = cardButtons(latestCard(h, card.ts)).map(
      (b) => (JSON.parse(String(b.value)) as { action: string }).action,
    );
    expect(offered).not.toContain('scale-up');
    expect(offered).toContain('rollback');
    const refused = await click(
      h,
      ONCALL,
      'vigil_remediate_0',
      JSON.stringify({ incident: incidentId, action: 'scale-up', target: 'checkout-api' }),
      card,
    );
    expect(refused).toContain('held back after 2 failures');
  });

  it('/vigil audit <incident> shows requests, refusals, decisions and results', async () => {
    const res = await postSigned({
      url: h.eventsUrl(),
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: `audit ${incidentId}`, response_url: h.slack.responseUrl('audit') }),
    });
    expect(res.status).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.responses.find((r) => r.id === 'audit'));
    const text = JSON.stringify(reply.body.blocks);
    expect(text).toContain(`Remediation audit for ${incidentId}`);
    for (const event of ['failed', 'succeeded', 'approved', 'requested']) expect(text).toContain(`*${event}*`);
  });

  it('a request left executing by a crash is marked for a human at start-up, never run again', async () => {
    const answer = await click(h, ONCALL, 'vigil_remediate_0', offerValue(h, card.ts, 'restart', 'checkout-api'), card);
    expect(answer).toContain('waits in the thread');
    const request = requestOf('restart', 'checkout-api');
    const repo = h.vigil.pipeline.repos.remediation;
    // What a crash between claiming and finishing leaves behind.
    expect(
      repo.transition(request.id, ['proposed'], 'approved', {
        decided_by: LEAD,
        decided_at: h.clock.now.toISOString(),
      }),
    ).toBe(true);
    expect(repo.transition(request.id, ['approved'], 'executing', { started_at: h.clock.now.toISOString() })).toBe(
      true,
    );
    const mutations = h.kubernetes.mutations().length;
    await h.restart();
    const after = h.vigil.pipeline.repos.remediation.get(request.id);
    expect(after?.status).toBe('needs_attention');
    expect(after?.error).toContain('NOT run again');
    expect(h.kubernetes.mutations()).toHaveLength(mutations);
    const told = await h.slack.waitFor(() =>
      h.slack.callsTo('chat.postMessage').find((c) => String(c.params.text).includes('interrupted by a Vigil restart')),
    );
    expect(told.params.thread_ts).toBe(card.ts);
    const late = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
    expect(late).toContain('needs a human');
    const metrics = await (await fetch(`http://127.0.0.1:${h.vigil.healthPort}/metrics`)).text();
    expect(metrics).toContain('vigil_remediation_requests{status="needs_attention"} 1');
  });
});

describe('remediation in dry-run mode', () => {
  let alertmanager: RealAlertmanager;
  let h: Harness;

  beforeAll(async () => {
    alertmanager = await startRealAlertmanager();
    h = await startHarness(true, alertmanager);
  });
  afterAll(async () => {
    await h?.stop();
    await alertmanager?.stop();
  });

  it('approved actions are described and recorded but never reach their targets', async () => {
    const incident = await openIncident(h, 'INC-20261121-0002', ['payment-api']);
    const card = incident.slack!;
    expect(cardButtons(latestCard(h, card.ts)).map((b) => (b.text as { text: string }).text)).toContain(
      'Restart: payment-api (dry run)',
    );
    for (const [action, index] of [
      ['restart', 0],
      ['rollback', 2],
      ['silence', 3],
    ] as const) {
      const value = offerValue(h, card.ts, action, 'payment-api');
      await click(h, ONCALL, `vigil_remediate_${index}`, value, card);
      const request = h.vigil.pipeline.repos.remediation.forIncident(incident.id).find((r) => r.action_id === action)!;
      expect(request.preview).toContain('dry-run mode: this will not be sent');
      const answer = await click(h, LEAD, 'vigil_remediation_approve', request.id, card);
      expect(answer).toContain('Dry run: nothing was sent');
      expect(h.vigil.pipeline.repos.remediation.get(request.id)).toMatchObject({ status: 'succeeded', dry_run: true });
    }
    expect(h.kubernetes.requests).toHaveLength(0);
    expect(h.webhook.requests).toHaveLength(0);
    expect(await alertmanager.silences()).toHaveLength(0);
  });
});

describe('remediation secrets at start-up', () => {
  it('live mode refuses to start without a webhook secret, naming the field', async () => {
    const config = remediationConfig({
      dryRun: false,
      kubeconfig: '/nonexistent',
      webhookUrl: 'http://127.0.0.1:9',
      alertmanagerUrl: 'http://127.0.0.1:9',
    });
    const env = parseEnv({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: SECRET, VIGIL_DB: ':memory:' });
    const logger = createLogger({ level: 'fatal' });
    await expect(startVigil({ config, env, logger, schedule: false, secretEnv: {} })).rejects.toThrow(
      /remediation\.actions\.2\.params\.secret_env: \$ROLLBACK_TOKEN is not set \(action "rollback"\)/,
    );
  });
});
