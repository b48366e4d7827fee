/**
 * Feedback labels and the scorecard on a started Vigil (issue 15, parts 1 and 2): reactions with
 * configured emoji and the card's label menu store, replace and remove labels, the card shows the
 * counts; `/vigil stats`, the weekly digest and the /metrics gauges read them back. Everything goes
 * through Bolt's real HTTPReceiver with really signed requests, real SQLite with the real
 * migrations, and the Slack Web API double (which, like Slack, sends reaction events only from
 * channels the bot is in). Prometheus is an injected fetch answering an empty matrix: no cycle
 * runs here, the incidents are stored and published as a cycle would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { ActionId, BlockId } from '../../src/slack/action-ids.js';
import { labelMenuValue } from '../../src/slack/blocks/build-incident-card.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { loggerInto } from '../helpers/logger-into.js';
import { makeOpenIncident } from '../helpers/make-incident.js';
import { postSigned, selectActionBody, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'feedback-labels-signing-secret';
const CLOCK = new Date('2026-05-04T10:00:00.000Z');

const emptyPrometheus: typeof fetch = async () =>
  new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }), {
    headers: { 'content-type': 'application/json' },
  });

function configWith(feedback: Record<string, unknown>, schedule = '*/1 * * * *') {
  return ConfigSchema.parse({
    prometheus: { url: 'http://prometheus.invalid:9090', timeout_ms: 2000 },
    schedule: { detection: schedule },
    slack: { mode: 'http', port: 0, timeout_ms: 2000 },
    http: { health_port: 0 },
    teams: { payments: { channel: '#team-payments' }, checkout: { channel: '#team-checkout' } },
    services: [
      { name: 'payment-api', namespace: 'shop', team: 'payments' },
      { name: 'checkout-api', namespace: 'shop', team: 'checkout' },
    ],
    signals: [{ name: 'latency_p99', query: 'svc_latency' }],
    recalibration: { enabled: false },
    feedback,
  });
}

describe('feedback labels through signed Slack requests, and the scorecard they make', () => {
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let url: string;
  const logLines: string[] = [];
  const card = { channel: '', ts: '' };
  const cardB = { channel: '', ts: '' };

  beforeAll(async () => {
    // Vigil is in no channel yet: it joins #team-payments before its first card there.
    slack = await startFakeSlack({ channels: ['#team-payments', '#team-checkout', '#vigil-reports'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-labels-'));
    vigil = await startVigil({
      config: configWith({
        useful_emoji: [':white_check_mark:', '+1'],
        noisy_emoji: ['x'],
        digest: { channel: '#vigil-reports', schedule: '0 9 * * 1' },
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: loggerInto(logLines),
      now: () => CLOCK,
      fetch: emptyPrometheus,
      detectionThread: false,
      schedule: false,
      slackRetries: 0,
      unhandledRequestTimeoutMillis: 1000,
      host: '127.0.0.1',
    });
    url = `http://127.0.0.1:${vigil.slackPort}/slack/events`;
    // Two incidents of payments that paged yesterday, published as a cycle would.
    const repos = vigil.pipeline.repos;
    repos.incidents.save(makeOpenIncident('inc-a', ['payment-api'], '2026-05-03T09:00:00.000Z'), []);
    repos.incidents.save(makeOpenIncident('inc-b', ['payment-api'], '2026-05-03T15:00:00.000Z'), []);
    expect((await vigil.pipeline.publish?.(['inc-a', 'inc-b']))?.posted).toEqual(['inc-a', 'inc-b']);
    Object.assign(card, repos.incidents.get('inc-a')?.slack);
    Object.assign(cardB, repos.incidents.get('inc-b')?.slack);
  });

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const labels = (id = 'inc-a') =>
    vigil.pipeline.repos.feedback
      .listForIncident(id)
      .map((f) => [f.slack_user, f.label, f.source])
      .sort();
  const react = (user: string, reaction: string, added = true, where = card) =>
    slack.deliverEvent(
      { url, secret: SECRET },
      {
        type: added ? 'reaction_added' : 'reaction_removed',
        user,
        reaction,
        item: { type: 'message', channel: where.channel, ts: where.ts },
        event_ts: '1760000100.000100',
      },
    );
  const pick = (user: string, value: string | null, responseId: string, where = card) =>
    postSigned({
      url,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: selectActionBody({
        user,
        actionId: ActionId.label,
        blockId: BlockId.feedback,
        value,
        channel: where.channel,
        messageTs: where.ts,
        responseUrl: slack.responseUrl(responseId),
      }),
    });
  /** The card as it is in Slack now. */
  const cardInSlack = (where = card) =>
    JSON.stringify(slack.messagesIn(where.channel).find((m) => m.ts === where.ts)?.blocks ?? []);
  const slashCommand = (text: string, responseId: string) =>
    postSigned({
      url,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text, response_url: slack.responseUrl(responseId) }),
    });
  const replyTo = async (responseId: string) =>
    String((await slack.waitFor(() => slack.responses.find((r) => r.id === responseId))).body.text);

  it('posts the card with the label menu, in the channel Vigil joined to hear reactions', () => {
    expect(slack.channel('#team-payments')?.member).toBe(true);
    const blocks = cardInSlack();
    expect(blocks).toContain(ActionId.label);
    expect(blocks).toContain('Label this incident');
    expect(blocks).toContain('React :white_check_mark: useful or :x: noisy, or pick a label, to teach Vigil');
    expect(blocks).not.toContain(BlockId.feedbackCounts);
  });

  it('stores the configured emoji (a skin tone too), ignores 👎 that is no longer configured, and shows the counts', async () => {
    for (const [user, reaction] of [
      ['U1', 'white_check_mark'],
      ['U2', '+1::skin-tone-2'],
      ['U3', 'thumbsdown'],
      ['U4', 'x'],
    ] as const) {
      expect((await react(user, reaction))?.status).toBe(200);
    }
    await slack.waitFor(() => labels().length === 3);
    expect(labels()).toEqual([
      ['U1', 'useful', 'reaction'],
      ['U2', 'useful', 'reaction'],
      ['U4', 'noisy', 'reaction'],
    ]);
    await slack.waitFor(() => cardInSlack().includes('Feedback: 2 useful · 1 noisy'));
  });

  it('a label from the menu replaces the same person’s reaction, acks, tells them, and updates the card', async () => {
    const res = await pick('U1', labelMenuValue('inc-a', 'noisy'), 'menu-replace');
    expect(res.status).toBe(200);
    expect(await replyTo('menu-replace')).toBe(
      'You labelled inc-a *noisy*, in place of your earlier label. Thank you.',
    );
    expect(labels()).toContainEqual(['U1', 'noisy', 'menu']);
    await slack.waitFor(() => cardInSlack().includes('Feedback: 1 useful · 2 noisy'));
    // Taking back the ✅ now does not undo the menu choice made since.
    await react('U1', 'white_check_mark', false);
    await slack.waitFor(() =>
      logLines.find(
        (l) => l.includes('"user":"U1"') && l.includes('feedback removed') && l.includes('"removed":false'),
      ),
    );
    expect(labels()).toContainEqual(['U1', 'noisy', 'menu']);
  });

  it('a removed reaction removes the label and the card counts it no more', async () => {
    expect((await react('U2', '+1::skin-tone-2', false))?.status).toBe(200);
    await slack.waitFor(() => labels().length === 2);
    expect(labels()).toEqual([
      ['U1', 'noisy', 'menu'],
      ['U4', 'noisy', 'reaction'],
    ]);
    await slack.waitFor(() => cardInSlack().includes('Feedback: 2 noisy'));
  });

  it('a label for an unknown incident, or an unreadable one, stores nothing and says so', async () => {
    const before = slack.callsTo('chat.update').length;
    expect((await pick('U5', labelMenuValue('inc-nope', 'useful'), 'menu-unknown')).status).toBe(200);
    expect(await replyTo('menu-unknown')).toBe('No incident `inc-nope`: nothing was labelled.');
    expect((await pick('U5', '{"incident":"inc-a","label":"great"}', 'menu-bad-label')).status).toBe(200);
    expect(await replyTo('menu-bad-label')).toBe('That menu is out of date.');
    expect((await pick('U5', null, 'menu-no-option')).status).toBe(200);
    expect(await replyTo('menu-no-option')).toBe('That menu is out of date.');
    // A feedback emoji on a message that is not a card is no label either.
    await react('U5', 'x', true, { channel: card.channel, ts: '1.000001' });
    await slack.waitFor(() => logLines.find((l) => l.includes('label for an unknown incident ignored')));
    expect(labels().some(([user]) => user === 'U5')).toBe(false);
    expect(vigil.pipeline.repos.feedback.countByLabel()).toEqual({ noisy: 2 });
    expect(slack.callsTo('chat.update').length).toBe(before);
  });

  it('/vigil stats answers the scorecard of the labels, each figure with its count', async () => {
    // inc-b: useful, from the menu.
    await pick('U1', labelMenuValue('inc-b', 'useful'), 'menu-b', cardB);
    expect(await replyTo('menu-b')).toBe('You labelled inc-b *useful*. Thank you.');
    await slack.waitFor(() => cardInSlack(cardB).includes('Feedback: 1 useful'));

    expect((await slashCommand('stats', 'stats')).status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'stats'));
    expect(reply.body.response_type).toBe('ephemeral');
    const blocks = JSON.stringify(reply.body.blocks);
    expect(blocks).toContain('*Vigil scorecard* · last 7 days (2026-04-27 – 2026-05-04)');
    expect(blocks).toContain('*Pages:* 2 · *labelled:* 2 · *label coverage:* 100 % (2 of 2 paged)');
    expect(blocks).toContain('*Alert precision:* 50 % (1 of 2 labelled)');
    expect(blocks).toContain('*False-positive rate:* 50 % (1 of 2 labelled)');
    expect(blocks).toContain('*Precision by team:* payments 50 % (1 of 2 labelled)');
    expect(String(reply.body.text)).toContain('precision 50 % (1 of 2 labelled)');

    await slashCommand('stats --days 30 --team checkout', 'stats-team');
    const team = JSON.stringify((await slack.waitFor(() => slack.responses.find((r) => r.id === 'stats-team'))).body);
    expect(team).toContain('last 30 days · team checkout');
    expect(team).toContain('*Alert precision:* no labels yet');
    expect(team).toContain('*label coverage:* no pages yet');
  });

  it.each([
    ['stats --days zero', '`--days` takes a number of days'],
    ['stats --days 0', '`--days` takes 1 to 90 days'],
    ['stats --days 2.5', '`--days` takes a whole number of days'],
    ['stats --days', '`--days` needs a value'],
    ['stats --since monday', '`stats` does not take `--since`'],
    ['stats --team payments --team checkout', '`--team` is given twice'],
    ['stats --team nobody', 'No team `nobody`; the teams are checkout, payments'],
  ])('/vigil %s gets a usage line naming the problem', async (text, problem) => {
    const id = `bad-${text.replace(/\W+/g, '-')}`;
    expect((await slashCommand(text, id)).status).toBe(200);
    const reply = await replyTo(id);
    expect(reply).toContain(problem);
    expect(reply).toContain('/vigil stats [--days N] [--team T]');
  });

  it('the weekly digest posts the scorecard to the configured channel', async () => {
    const outcome = await vigil.runDigest();
    expect(outcome).toMatchObject({ paged: 2, labelled: 2, channel: slack.channelIdOf('#vigil-reports') });
    const posted = slack.messagesIn('#vigil-reports');
    expect(posted).toHaveLength(1);
    expect(posted[0]?.ts).toBe(outcome?.ts);
    expect(String(posted[0]?.text)).toBe(
      'Weekly Vigil scorecard · last 7 days: precision 50 % (1 of 2 labelled), coverage 100 % (2 of 2 paged)',
    );
    expect(JSON.stringify(posted[0]?.blocks)).toContain('*Alert precision:* 50 % (1 of 2 labelled)');
  });

  it('exports precision, false positives and coverage on /metrics, by window', async () => {
    const res = await fetch(`http://127.0.0.1:${vigil.healthPort}/metrics`);
    const text = await res.text();
    for (const window of ['7d', '30d']) {
      expect(text).toContain(`vigil_alert_precision{window="${window}"} 0.5`);
      expect(text).toContain(`vigil_false_positive_rate{window="${window}"} 0.5`);
      expect(text).toContain(`vigil_label_coverage{window="${window}"} 1`);
      expect(text).toContain(`vigil_incidents_paged{window="${window}"} 2`);
      expect(text).toContain(`vigil_incidents_labelled{window="${window}"} 2`);
    }
  });
});

describe('the weekly digest on its cron schedule', () => {
  let slack: FakeSlack;
  let vigil: RunningVigil;

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
  });

  it('posts when its schedule comes, with no labels yet saying so', async () => {
    slack = await startFakeSlack({ channels: ['#vigil-reports'] });
    vigil = await startVigil({
      // Every second instead of Mondays at 09:00: the real node-cron wiring, without waiting a week.
      // Detection is due only on January 1st, so no cycle runs meanwhile.
      config: configWith({ digest: { channel: '#vigil-reports', schedule: '* * * * * *' } }, '0 0 1 1 *'),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: ':memory:',
      }),
      logger: createSilentLogger(),
      now: () => CLOCK,
      fetch: emptyPrometheus,
      detectionThread: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
    const posted = await slack.waitFor(() => slack.messagesIn('#vigil-reports')[0], 5000);
    expect(String(posted.text)).toBe(
      'Weekly Vigil scorecard · last 7 days: precision no labels yet, coverage no pages yet',
    );
    expect(JSON.stringify(posted.blocks)).not.toContain('NaN');
    expect(
      slack.callsTo('chat.postMessage').every((c) => c.params.channel === slack.channelIdOf('#vigil-reports')),
    ).toBe(true);
  });
});
