/**
 * Publishing cards through the real @slack/web-api clients, built as production builds them, to the
 * Slack Web API double (test/helpers/fake-slack.ts, as strict as Slack; Slack itself cannot be
 * reached here), on real SQLite.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTopology } from '../../src/correlation/topology.js';
import { applyAnomalies } from '../../src/incidents/apply-anomalies.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { cardFor, NEW_SERIES_TOLD, type PublishDeps, publishIncidents } from '../../src/pipeline/publish-incidents.js';
import { createPostingClient } from '../../src/slack/create-posting-client.js';
import { createRateLimitGate } from '../../src/slack/create-rate-limit-gate.js';
import { createSlackPublisher } from '../../src/slack/create-slack-publisher.js';
import { answerVigilCommand } from '../../src/slack/listeners/commands/answer-vigil-command.js';
import { slackClientOptions } from '../../src/slack/slack-client-options.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from '../helpers/fake-slack.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const topology = createTopology([
  { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1, depends_on: ['payment-api'] },
  { name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1, depends_on: [] },
]);

describe('publishIncidents', () => {
  let slack: FakeSlack | undefined;
  let db: Db;
  let repos: Repos;
  let deps: PublishDeps;
  let client: WebClient;
  // Slack's message ts are real time; tests move this clock forward to let a Retry-After pass.
  let clock: Date;

  /** A workspace with Vigil installed as the manifest says; the clients as main.ts builds them. */
  async function workspace(options: FakeSlackOptions = { channels: ['#team-payments', '#vigil-alerts'] }) {
    slack = await startFakeSlack(options);
    const gate = createRateLimitGate({ now: () => clock });
    const settings = { apiUrl: slack.apiUrl, timeoutMs: 500, fetch: gate.fetch };
    // Production retries reads and edits: a post must go out once all the same.
    client = new WebClient('xoxb-test', slackClientOptions({ ...settings, retries: 2 }));
    deps = {
      ...repos,
      publisher: createSlackPublisher({
        client,
        poster: createPostingClient('xoxb-test', settings),
        now: () => clock,
      }),
      runbooksOf: () => [],
      units: new Map([['latency_p99', 'seconds']]),
      logger: createSilentLogger(),
      now: () => clock,
    };
    return slack;
  }

  beforeEach(() => {
    clock = new Date();
    db = openDatabase(':memory:');
    repos = createRepos(db);
  });
  afterEach(async () => {
    db.close();
    await slack?.close();
    slack = undefined;
  });

  function record(service: string, at: string, now: string) {
    const events = [makeAnomaly(service, at)];
    repos.anomalies.insert(events, now);
    return applyAnomalies(events, {
      incidents: repos.incidents,
      topology,
      routing: { teamChannels: new Map([['payments', '#team-payments']]), defaultChannel: '#vigil-alerts' },
      settings: lifecycleSettings({ minAnomalies: 1 }),
      now: new Date(now),
    });
  }
  const posts = (s: FakeSlack) => s.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined);
  const replies = (s: FakeSlack) => s.callsTo('chat.postMessage').filter((c) => c.params.thread_ts !== undefined);
  /** Cards as they are in Slack, whatever the client was told. */
  const cardsIn = (s: FakeSlack, channel: string) => s.messagesIn(channel).filter((m) => m.thread_ts === undefined);
  const unpublished = () => repos.incidents.listUnpublished().map((i) => i.id);
  const status = async () =>
    (
      await answerVigilCommand('status', {
        repos,
        logger: createSilentLogger(),
        now: () => clock,
        seriesTracked: () => 0,
        cycleRunning: () => false,
        lastCycle: () => undefined,
        remediation: undefined,
        republish: async () => {},
      })
    ).text;

  it('joins the public channel, posts once with the incident id in metadata, then edits in place', async () => {
    const s = await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    const first = await publishIncidents(opened, deps);
    expect(first).toEqual({ posted: opened, updated: [], failed: [] });
    // Joined before posting: Slack sends reactions only from channels the bot is in.
    expect(s.channel('#team-payments')?.member).toBe(true);
    const order = s.calls.map((c) => c.method).filter((m) => m === 'conversations.join' || m === 'chat.postMessage');
    expect(order[0]).toBe('conversations.join');
    expect(cardsIn(s, '#team-payments')).toHaveLength(1);
    expect(cardsIn(s, '#team-payments')[0]?.metadata).toEqual({
      event_type: 'vigil_incident',
      event_payload: { incident_id: opened[0] },
    });
    expect(posts(s)[0]?.params.channel).toBe(s.channelIdOf('#team-payments'));
    expect(replies(s)).toHaveLength(1);
    expect(String(replies(s)[0]?.params.text)).toContain('payment-api');

    // Nothing changed: nothing is sent.
    const before = s.calls.length;
    expect(await publishIncidents(opened, deps)).toEqual({ posted: [], updated: [], failed: [] });
    expect(s.calls).toHaveLength(before);

    record('checkout-api', '2026-04-21T02:15:00Z', '2026-04-21T02:16:00Z');
    const second = await publishIncidents(opened, deps);
    expect(second.updated).toEqual(opened);
    expect(cardsIn(s, '#team-payments')).toHaveLength(1);
    const update = s.callsTo('chat.update')[0];
    expect(update?.params.ts).toBe(repos.incidents.get(opened[0]!)?.slack?.ts);
    expect(JSON.stringify(update?.params.blocks)).toContain('checkout-api');
    expect(replies(s)).toHaveLength(2);
    expect(String(replies(s)[1]?.params.text)).toContain('checkout-api');
    expect(String(replies(s)[1]?.params.text)).not.toContain('payment-api');
    // One join per channel, not one per card.
    expect(s.callsTo('conversations.join')).toHaveLength(1);
  });

  it('attaches a chart to each new card once the cards are out, then lets the chart thread go', async () => {
    const s = await workspace();
    // A recording attacher: the chart thread itself is tested in chart-renderer.test.ts.
    const calls: string[] = [];
    deps.chart = {
      attach: async (incident) => {
        calls.push(`attach ${incident.id}`);
        return 'attached';
      },
      release: () => calls.push('release'),
    };
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    await publishIncidents(opened, deps);
    expect(cardsIn(s, '#team-payments')).toHaveLength(1);
    expect(calls).toEqual([`attach ${opened[0]}`, 'release']);
    // An edit draws no chart, and has no thread to let go of.
    record('checkout-api', '2026-04-21T02:15:00Z', '2026-04-21T02:16:00Z');
    await publishIncidents(opened, deps);
    expect(calls).toEqual([`attach ${opened[0]}`, 'release']);
  });

  it('a catch-up that brings hundreds of new series tells the strongest few in the thread and counts the rest', async () => {
    const s = await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    await publishIncidents(opened, deps);
    const id = opened[0] as string;
    // 200 pods of payment-api turn anomalous at once: one anomaly per new series.
    const pods = Array.from({ length: 200 }, (_, i) =>
      makeAnomaly('payment-api', '2026-04-21T02:15:00Z', {
        series_key: `shop/payment-api/latency_p99/pod-${i}`,
        id: `pod-${i}`,
        anomaly_score: 0.9 + i / 10_000,
      }),
    );
    repos.anomalies.insert(pods, '2026-04-21T02:16:00Z');
    repos.incidents.save(
      repos.incidents.get(id) as NonNullable<ReturnType<typeof repos.incidents.get>>,
      pods.map((a) => ({ id: a.id, suppressed: false })),
    );
    await publishIncidents(opened, deps);
    const told = String(replies(s).at(-1)?.params.text);
    expect(told.split('\n')[0]).toBe('200 new anomalous series:');
    expect(told.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(NEW_SERIES_TOLD);
    expect(told).toContain(`…and ${200 - NEW_SERIES_TOLD} more series`);
    // All 200 are marked told: the next cycle says nothing more about them.
    expect(repos.anomalies.untold(id, NEW_SERIES_TOLD).ids).toEqual([]);
  });

  it("builds a large incident's card in turns: other requests run between its reads, and the card is the same", async () => {
    await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    const id = opened[0] as string;
    const pods = Array.from({ length: 300 }, (_, i) =>
      makeAnomaly('payment-api', '2026-04-21T02:15:00Z', {
        series_key: `shop/payment-api/latency_p99/pod-${i}`,
        id: `pod-${i}`,
      }),
    );
    repos.anomalies.insert(pods, '2026-04-21T02:16:00Z');
    const incident = repos.incidents.get(id) as NonNullable<ReturnType<typeof repos.incidents.get>>;
    repos.incidents.save(
      incident,
      pods.map((a) => ({ id: a.id, suppressed: false })),
    );
    // A slicer whose slice is always spent: every turn the card offers is taken, and a request that
    // arrived meanwhile (here a timer's callback) runs inside the build, not after it.
    const served: number[] = [];
    let turns = 0;
    const slicer = {
      due: () => true,
      pause: async () => {
        turns += 1;
        setImmediate(() => served.push(turns));
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
    const inTurns = await cardFor(incident, deps, slicer);
    expect(turns).toBe(3);
    expect(served).toEqual([1, 2, 3]);
    expect(inTurns).toEqual(await cardFor(incident, deps));
    expect(JSON.stringify(inTurns)).toContain('301 anomalies');
  });

  it('one card when Slack takes the post but answers after the client timed out', async () => {
    const s = await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    const id = opened[0]!;
    s.answerLate('chat.postMessage');
    const timedOut = await publishIncidents(opened, deps);
    expect(timedOut.failed).toEqual([{ incidentId: id, error: expect.stringContaining('post outcome unknown') }]);
    // Slack has the card although Vigil was never told: no second post went out after the timeout.
    expect(cardsIn(s, '#team-payments')).toHaveLength(1);
    expect(posts(s)).toHaveLength(1);
    expect(repos.incidents.get(id)?.slack).toBeNull();
    expect(repos.incidents.listLate()).toEqual([
      expect.objectContaining({
        id,
        channel: '#team-payments',
        reason: expect.stringContaining('post outcome unknown'),
      }),
    ]);

    // The next cycle finds it in the channel's history instead of posting a second card.
    const next = await publishIncidents(unpublished(), deps);
    expect(next.posted).toEqual(opened);
    expect(cardsIn(s, '#team-payments')).toHaveLength(1);
    expect(posts(s)).toHaveLength(1);
    const history = s.callsTo('conversations.history');
    expect(history).toHaveLength(1);
    expect(history[0]?.params.include_all_metadata).toBe('true');
    expect(repos.incidents.get(id)?.slack).toEqual({
      channel: s.channelIdOf('#team-payments'),
      ts: cardsIn(s, '#team-payments')[0]?.ts,
    });
    expect(repos.incidents.postAttempt(id)).toBeNull();
    expect(repos.incidents.listLate()).toEqual([]);
    // The details went to the thread of that one card.
    expect(replies(s).map((r) => r.params.thread_ts)).toEqual([cardsIn(s, '#team-payments')[0]?.ts]);
    expect(await publishIncidents(unpublished(), deps)).toEqual({ posted: [], updated: [], failed: [] });
  });

  it("adopts only its own card: another app's message with the same incident id is not Vigil's post", async () => {
    const s = await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    const id = opened[0]!;
    // A post whose outcome is unknown (the process died before Slack answered), and in the channel a
    // staging Vigil's card for an incident of the same id.
    repos.incidents.markPostAttempt(id, '#team-payments', clock.toISOString());
    s.postAsOtherApp('#team-payments', {
      text: 'staging card',
      bot_id: 'B0STAGING',
      metadata: { event_type: 'vigil_incident', event_payload: { incident_id: id } },
    });
    const result = await publishIncidents(opened, deps);
    expect(result.posted).toEqual(opened);
    expect(s.callsTo('conversations.history')).toHaveLength(1);
    expect(posts(s)).toHaveLength(1);
    const own = cardsIn(s, '#team-payments').filter((m) => m.bot_id === 'B0VIGIL');
    expect(own).toHaveLength(1);
    expect(repos.incidents.get(id)?.slack?.ts).toBe(own[0]?.ts);
  });

  it('after a 429, calls nothing of that method until Retry-After has passed, then posts the card', async () => {
    const s = await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    const id = opened[0]!;
    s.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    const until = new Date(clock.getTime() + 30_000).toISOString().slice(11, 19);
    const limited = await publishIncidents(opened, deps);
    expect(limited.posted).toEqual([]);
    expect(limited.failed[0]?.error).toContain(`Slack rate-limited chat.postMessage until ${until} UTC`);
    expect(posts(s)).toHaveLength(1);
    // Refused, so nothing was posted: no history search is needed before the next post.
    expect(repos.incidents.postAttempt(id)).toBeNull();

    // 10 s later: the card waits, and no call to chat.postMessage reaches Slack, from any client.
    clock = new Date(clock.getTime() + 10_000);
    const early = await publishIncidents(unpublished(), deps);
    expect(posts(s)).toHaveLength(1);
    expect(early.posted).toEqual([]);
    expect(early.failed[0]?.error).toContain(`until ${until} UTC`);
    await expect(
      client.chat.postMessage({ channel: s.channelIdOf('#team-payments'), text: 'x' }),
    ).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
    });
    expect(posts(s)).toHaveLength(1);
    expect(await status()).toContain(`rate-limited chat.postMessage until ${until} UTC`);

    clock = new Date(clock.getTime() + 21_000);
    const after = await publishIncidents(unpublished(), deps);
    expect(after.posted).toEqual(opened);
    expect(posts(s)).toHaveLength(2);
    expect(cardsIn(s, '#team-payments')).toHaveLength(1);
    expect(repos.incidents.listLate()).toEqual([]);
    expect(await status()).not.toContain('Late cards');
  });

  it('a private channel without Vigil: the card waits, and /vigil status says to invite the bot there', async () => {
    const s = await workspace({ channels: [{ name: '#team-payments', private: true }, '#vigil-alerts'] });
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    const id = opened[0]!;
    const refused = await publishIncidents(opened, deps);
    expect(refused.failed).toHaveLength(1);
    expect(refused.failed[0]?.error).toContain('#team-payments');
    expect(refused.failed[0]?.error).toContain('/invite @Vigil');
    expect(posts(s)).toEqual([]);
    const text = await status();
    expect(text).toContain('*Late cards:* 1');
    expect(text).toContain(`${id} (#team-payments)`);
    expect(text).toContain('invite the bot there (`/invite @Vigil`)');

    // Someone invites the bot: the card goes out on the next try.
    s.invite('#team-payments');
    const posted = await publishIncidents(unpublished(), deps);
    expect(posted.posted).toEqual(opened);
    expect(cardsIn(s, '#team-payments')).toHaveLength(1);
    expect(s.callsTo('conversations.join')).toEqual([]);
    expect(await status()).not.toContain('Late cards');
  });

  it('reports a Slack platform error with its code and keeps the incident unpublished', async () => {
    const s = await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    s.failNext('chat.postMessage', { error: 'channel_not_found' });
    const result = await publishIncidents(opened, deps);
    expect(result.failed[0]?.error).toContain('channel_not_found');
    expect(repos.incidents.get(opened[0]!)?.slack).toBeNull();
    expect(repos.incidents.postAttempt(opened[0]!)).toBeNull();
  });

  it('retries a failed edit on the next cycle', async () => {
    const s = await workspace();
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    await publishIncidents(opened, deps);
    record('checkout-api', '2026-04-21T02:15:00Z', '2026-04-21T02:16:00Z');
    s.failNext('chat.update', { error: 'internal_error' });
    expect((await publishIncidents(opened, deps)).failed).toHaveLength(1);
    expect(repos.incidents.listLate()[0]?.reason).toContain('internal_error');
    expect((await publishIncidents(opened, deps)).updated).toEqual(opened);
    expect(repos.incidents.listLate()).toEqual([]);
  });
});
