/**
 * Silences, maintenance, /vigil show and status, and the App Home tab, on real components: a real
 * Prometheus (backfilled with promtool), the real Bolt app with its HTTP receiver and really signed
 * requests, real SQLite, the real detection thread. Only Slack's Web API is a local double
 * (test/helpers/fake-slack.ts), as strict as Slack for views.publish.
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
import { latencyHistory } from '../helpers/latency-history.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { blockActionBody, eventBody, postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'test-signing-secret-0123456789abcdef';
const MINUTE = 60;
const DAY = 86_400;

/** Three days of history; payment-api's latency steps up at `faultAt`, checkout-api's a minute later. */
function history(faultAt: number, end: number): GaugeSeries[] {
  return latencyHistory(
    [
      { service: 'checkout-api', latency: 0.42, faultAt: faultAt + MINUTE, factor: 3.5 },
      { service: 'payment-api', latency: 0.2, faultAt, factor: 5 },
      { service: 'catalog-api', latency: 0.3, faultAt: Number.POSITIVE_INFINITY, factor: 1 },
    ],
    faultAt - 3 * DAY,
    end,
  );
}

describe('silences, maintenance and the Home tab through signed Slack requests', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let clock: Date;
  let eventsUrl: string;
  let start: () => Promise<RunningVigil>;
  const logLines: string[] = [];
  const faultAt = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;
  let replyCount = 0;

  /** `/vigil <text>` as Slack sends it, signed; resolves to the ephemeral reply. */
  async function vigilCommand(
    text: string,
    user = 'U0ONCALL',
  ): Promise<{ text: string; body: Record<string, unknown> }> {
    const id = `r${++replyCount}`;
    const res = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text, user_id: user, response_url: slack.responseUrl(id) }),
    });
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === id));
    expect(reply.body.response_type).toBe('ephemeral');
    return { text: String(reply.body.text), body: reply.body };
  }

  const cardPosts = () => slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined);

  beforeAll(async () => {
    prometheus = await startRealPrometheus(history(faultAt, faultAt + 30 * MINUTE));
    slack = await startFakeSlack({ channels: ['#team-payments', '#team-checkout', '#team-catalog', '#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-silences-'));
    const config = ConfigSchema.parse({
      prometheus: { url: prometheus.url, timeout_ms: 5000, step_seconds: 60 },
      slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
      http: { health_port: 0 },
      teams: {
        checkout: { channel: '#team-checkout', members: ['U0CHECKOUT'] },
        payments: { channel: '#team-payments', members: ['U0ONCALL'] },
        catalog: { channel: '#team-catalog' },
      },
      services: [
        {
          name: 'checkout-api',
          namespace: 'shop',
          team: 'checkout',
          tier: 1,
          depends_on: ['payment-api', 'catalog-api'],
        },
        { name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1 },
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
    });
    const env = parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      VIGIL_DB: join(dir, 'vigil.db'),
    });
    const destination = new Writable({
      write(chunk, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    // The silences are declared 25 minutes before the fault: they hold its first minutes.
    clock = new Date((faultAt - 25 * MINUTE) * 1000);
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
  });

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers bad arguments of each new subcommand with an ephemeral usage line, and stores nothing', async () => {
    const cases: Array<[string, string]> = [
      ['silence payment-api', '`silence` takes a target and a duration'],
      ['silence payment-api 9d', 'at most 7d'],
      ['silence payment-api soon', 'a duration is a number and m, h or d'],
      ['silence nosuch-api 2h', 'Vigil knows no service `nosuch-api`'],
      ['silence shop/payment-api/latency_p99 30s', 'a duration is a number'],
      ['maintenance payment-api 10:00', '`maintenance` takes a service, a start and an end'],
      ['maintenance payment-api 10:00 09:00', 'the end must be after the start'],
      ['maintenance payment-api 2026-01-01T00:00:00Z 2026-01-10T00:00:00Z', 'at most 7 days'],
      ['maintenance payment-api noon 14:00', '`noon 14:00` is not a time'],
      ['maintenance shop/payment-api/latency_p99 10:00 11:00', 'maintenance covers a service'],
      ['unsilence', '`unsilence` takes one silence id'],
      ['silences now', '`silences` takes no arguments'],
      ['show', '`show` takes one incident id'],
      ['show INC-nope', 'No incident INC-nope'],
    ];
    for (const [text, problem] of cases) {
      const reply = await vigilCommand(text);
      expect(reply.text, text).toContain(problem);
      // The usage follows the problem, so the next try can be right.
      expect(reply.text, text).toContain('/vigil silence <service|ns/service/metric>');
    }
    // A well-formed id that names nothing is not a usage problem: said as it is.
    expect((await vigilCommand('unsilence S-000000')).text).toBe(':warning: No silence or maintenance S-000000.');
    expect(vigil.db.prepare('SELECT COUNT(*) AS n FROM silences').get()).toEqual({ n: 0 });
  });

  let paymentSilence: string;
  let checkoutSilence: string;

  it('declares silences and maintenance, stored with who and until when, listed with Remove buttons', async () => {
    const a = await vigilCommand('silence shop/payment-api/latency_p99 30m db failover drill');
    expect(a.text).toMatch(
      /:no_bell: \*S-[0-9A-F]{6}\* silence of `shop\/payment-api\/latency_p99` until \d{4}-\d\d-\d\d \d\d:\d\d UTC, by <@U0ONCALL> — db failover drill/,
    );
    paymentSilence = /S-[0-9A-F]{6}/.exec(a.text)![0];
    const b = await vigilCommand('silence checkout-api 30m');
    checkoutSilence = /S-[0-9A-F]{6}/.exec(b.text)![0];
    // A silence on a service names its configured namespace.
    expect(b.text).toContain('silence of `shop/checkout-api`');
    const c = await vigilCommand('maintenance catalog-api tomorrow 02:00 tomorrow 03:30 index rebuild');
    expect(c.text).toMatch(
      /:construction: \*S-[0-9A-F]{6}\* maintenance of `shop\/catalog-api` from \d{4}-\d\d-\d\d 02:00 UTC to \d{4}-\d\d-\d\d 03:30 UTC/,
    );
    const row = vigil.db.prepare('SELECT * FROM silences WHERE id = ?').get(paymentSilence) as Record<string, unknown>;
    expect(row).toMatchObject({
      kind: 'silence',
      service: 'payment-api',
      namespace: 'shop',
      metric_name: 'latency_p99',
      created_by: 'U0ONCALL',
      starts_at: clock.toISOString(),
      ends_at: new Date(clock.getTime() + 30 * 60_000).toISOString(),
      reason: 'db failover drill',
      removed_at: null,
    });

    const list = await vigilCommand('silences');
    expect(list.text).toContain('Silences and maintenance: 3 in force or ahead');
    const buttons = (
      list.body.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>
    )
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    expect(buttons.map((e) => e.action_id)).toEqual([
      'vigil_silence_remove',
      'vigil_silence_remove',
      'vigil_silence_remove',
    ]);
    expect(buttons.map((e) => e.value)).toEqual(expect.arrayContaining([paymentSilence, checkoutSilence]));
  });

  it('removes one by id and one by its button (signed block_actions), recording who; twice is refused', async () => {
    const extra = /S-[0-9A-F]{6}/.exec((await vigilCommand('silence catalog-api 1h')).text)![0];
    const removed = await vigilCommand(`unsilence ${extra}`, 'U0OTHER');
    expect(removed.text).toContain(`${extra} (silence of \`shop/catalog-api\`) removed by <@U0OTHER>: it pages again.`);
    expect(vigil.db.prepare('SELECT removed_by FROM silences WHERE id = ?').get(extra)).toEqual({
      removed_by: 'U0OTHER',
    });
    expect((await vigilCommand(`unsilence ${extra}`)).text).toContain('was already removed by <@U0OTHER>');

    const maintenance = (vigil.db.prepare("SELECT id FROM silences WHERE kind = 'maintenance'").get() as { id: string })
      .id;
    // The remove button under the maintenance window in the list, clicked by U0CHECKOUT.
    const clickRemove = (responseId: string) =>
      postSigned({
        url: eventsUrl,
        secret: SECRET,
        contentType: 'application/x-www-form-urlencoded',
        body: blockActionBody({
          user: 'U0CHECKOUT',
          actionId: 'vigil_silence_remove',
          value: maintenance,
          channel: 'C0CHANNEL',
          messageTs: '1760000000.000100',
          responseUrl: slack.responseUrl(responseId),
        }),
      });
    const res = await clickRemove('button');
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'button'));
    expect(reply.body.replace_original).toBe(true);
    expect(String(reply.body.text)).toContain(
      `${maintenance} (maintenance of \`shop/catalog-api\`) removed by <@U0CHECKOUT>`,
    );
    // The list it was clicked in, brought up to date: the two silences remain.
    expect(String(reply.body.text)).toContain('Silences and maintenance: 2 in force or ahead');
    expect(vigil.db.prepare('SELECT removed_by FROM silences WHERE id = ?').get(maintenance)).toEqual({
      removed_by: 'U0CHECKOUT',
    });
    // A stale button: checked server-side, refused, nothing changes.
    await clickRemove('button-again');
    const again = await slack.waitFor(() => slack.responses.find((r) => r.id === 'button-again'));
    expect(String(again.body.text)).toContain('already removed by <@U0CHECKOUT>');
  });

  let incidentId: string;

  it('survives a restart and suppresses the page in a real detection cycle: recorded, not posted', async () => {
    // The silences are in SQLite only: a new process (and detection thread) must read them back.
    await vigil.stop();
    vigil = await start();
    eventsUrl = `http://127.0.0.1:${vigil.slackPort}/slack/events`;
    clock = new Date((faultAt + 3 * MINUTE) * 1000);
    const cycle = (await vigil.runCycle()) as CycleOutcome;
    expect(cycle.status).toBe('ok');
    expect(cycle.changes.opened).toEqual([]);
    expect(cardPosts()).toHaveLength(0);
    const stored = vigil.db
      .prepare("SELECT id, status, suppression_reason FROM incidents WHERE status = 'suppressed'")
      .all() as Array<{ id: string; status: string; suppression_reason: string }>;
    expect(stored).toHaveLength(1);
    incidentId = stored[0]!.id;
    expect(stored[0]!.suppression_reason).toContain(
      `silence ${paymentSilence} of shop/payment-api/latency_p99 by <@U0ONCALL>`,
    );
    expect(stored[0]!.suppression_reason).toContain(`silence ${checkoutSilence} of shop/checkout-api`);
  });

  it('once the silences expire, the same story pages (no restart), and the card says it overlapped one', async () => {
    clock = new Date((faultAt + 10 * MINUTE) * 1000);
    const cycle = (await vigil.runCycle()) as CycleOutcome;
    expect(cycle.changes.opened).toEqual([incidentId]);
    const posts = cardPosts();
    expect(posts).toHaveLength(1);
    const card = JSON.stringify(posts[0]!.params.blocks);
    expect(card).toContain(`Overlaps silence ${paymentSilence} of shop/payment-api/latency_p99 by <@U0ONCALL>`);
    expect(card).toContain('db failover drill');
  });

  it('/vigil show answers the card as posted, without its buttons, with a link to it', async () => {
    const reply = await vigilCommand(`show ${incidentId}`);
    const blocks = reply.body.blocks as Array<{ type: string }>;
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    const text = JSON.stringify(blocks);
    expect(text).toContain('payment-api');
    expect(text).toContain(`Overlaps silence ${paymentSilence}`);
    expect(text).toContain('The card in its channel');
    expect(text).toContain(`https://slack.com/archives/${slack.channelIdOf('#team-payments')}/p`);
  });

  it('/vigil status tells each stage: detection, Prometheus, Slack, recalibration, silences', async () => {
    const reply = await vigilCommand('status');
    expect(reply.text).toContain(':large_green_circle: *Detection:* 2 ok, 0 partial, 0 failed of the last 2 cycles');
    expect(reply.text).toContain('*Prometheus:* no query failures in the last 2 cycles');
    expect(reply.text).toContain('*Slack:* no failed card posts or updates in the last 2 cycles');
    expect(reply.text).toContain('*Silences and maintenance in force or ahead:* 0');
    // A card update Slack refuses shows up as a Slack error of the stage at the next status.
    slack.failNext('chat.update', { error: 'message_not_found' });
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    clock = new Date((faultAt + 12 * MINUTE) * 1000);
    await vigil.runCycle();
    const after = await vigilCommand('status');
    expect(after.text).toMatch(
      /:red_circle: \*Slack:\* \d+ failed card posts or updates in 1 of the last 3 cycles — latest at \d\d:\d\d UTC: publish /,
    );
    expect(after.text).toContain('*Prometheus:* no query failures in the last 3 cycles');
  });

  it('publishes the Home tab on a signed app_home_opened: the user team’s incidents, silences, actions', async () => {
    const silence = /S-[0-9A-F]{6}/.exec((await vigilCommand('silence catalog-api 2h noisy canary')).text)![0];
    const res = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/json',
      body: eventBody({ type: 'app_home_opened', user: 'U0ONCALL', channel: 'D0HOME', tab: 'home', event_ts: '1.2' }),
    });
    expect(res.status).toBe(200);
    const view = await slack.waitFor(() => slack.homeViews.get('U0ONCALL'));
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Open incidents of team payments');
    expect(text).toContain(incidentId);
    expect(text).toContain('Nothing waits for your approval.');
    expect(text).toContain(`*${silence}* silence of \`shop/catalog-api\``);
    expect(text).toContain('vigil_silence_remove');
    expect(text).toContain('Recent actions');

    // A user of a team with no open incident sees none; the messages tab publishes nothing.
    await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/json',
      body: eventBody({
        type: 'app_home_opened',
        user: 'U0CHECKOUT',
        channel: 'D0HOME2',
        tab: 'home',
        event_ts: '1.3',
      }),
    });
    const other = await slack.waitFor(() => slack.homeViews.get('U0CHECKOUT'));
    expect(JSON.stringify(other.blocks)).toContain('No open incidents');
    const publishes = slack.callsTo('views.publish').length;
    await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/json',
      body: eventBody({
        type: 'app_home_opened',
        user: 'U0ONCALL',
        channel: 'D0HOME',
        tab: 'messages',
        event_ts: '1.4',
      }),
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.callsTo('views.publish')).toHaveLength(publishes);

    // Removing from the Home tab publishes it again without the silence.
    const payload = JSON.parse(
      new URLSearchParams(
        blockActionBody({
          user: 'U0ONCALL',
          actionId: 'vigil_silence_remove',
          value: silence,
          channel: 'D0HOME',
          messageTs: '1.5',
          responseUrl: slack.responseUrl('home-button'),
        }),
      ).get('payload')!,
    ) as Record<string, unknown>;
    payload.container = { type: 'view', view_id: 'V1' };
    payload.view = { id: 'V1', type: 'home' };
    await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    });
    await slack.waitFor(() => slack.callsTo('views.publish').length > publishes);
    expect(JSON.stringify(slack.homeViews.get('U0ONCALL')?.blocks)).toContain('No silences or maintenance in force.');
    expect(vigil.db.prepare('SELECT removed_by FROM silences WHERE id = ?').get(silence)).toEqual({
      removed_by: 'U0ONCALL',
    });
  });

  it('the Slack double refuses a Home view over 100 blocks, like Slack', async () => {
    const res = await fetch(`${slack.apiUrl}views.publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test-token' },
      body: JSON.stringify({
        user_id: 'U0ONCALL',
        view: { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) },
      }),
    });
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_arguments' });
  });
});
