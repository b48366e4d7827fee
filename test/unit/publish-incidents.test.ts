/**
 * Publishing cards through the real @slack/web-api client to the Slack Web API double
 * (test/helpers/fake-slack.ts; Slack itself cannot be reached here), on real SQLite.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTopology } from '../../src/correlation/topology.js';
import { applyAnomalies } from '../../src/incidents/apply-anomalies.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { type PublishDeps, publishIncidents } from '../../src/pipeline/publish-incidents.js';
import { createSlackPublisher } from '../../src/slack/create-slack-publisher.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const topology = createTopology([
  { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1, depends_on: ['payment-api'] },
  { name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1, depends_on: [] },
]);

describe('publishIncidents', () => {
  let slack: FakeSlack;
  let db: Db;
  let repos: Repos;
  let deps: PublishDeps;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => slack.close());
  beforeEach(() => {
    slack.calls.length = 0;
    db = openDatabase(':memory:');
    repos = createRepos(db);
    const client = new WebClient('xoxb-test', {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 2000,
    });
    deps = {
      ...repos,
      publisher: createSlackPublisher(client),
      runbooksOf: () => [],
      units: new Map([['latency_p99', 'seconds']]),
      logger: createSilentLogger(),
    };
  });
  afterEach(() => db.close());

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
  const cards = () => slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === undefined);
  const replies = () => slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts !== undefined);

  it('posts once, tells details in the thread, then edits in place and tells only new series', async () => {
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    const first = await publishIncidents(opened, deps);
    expect(first).toEqual({ posted: opened, updated: [], failed: [] });
    expect(cards()).toHaveLength(1);
    expect(replies()).toHaveLength(1);
    expect(String(replies()[0]?.params.text)).toContain('payment-api');

    // Nothing changed: nothing is sent.
    expect(await publishIncidents(opened, deps)).toEqual({ posted: [], updated: [], failed: [] });
    expect(slack.calls).toHaveLength(2);

    record('checkout-api', '2026-04-21T02:15:00Z', '2026-04-21T02:16:00Z');
    const second = await publishIncidents(opened, deps);
    expect(second.updated).toEqual(opened);
    expect(cards()).toHaveLength(1);
    const update = slack.callsTo('chat.update')[0];
    expect(update?.params.ts).toBe(repos.incidents.get(opened[0]!)?.slack?.ts);
    expect(JSON.stringify(update?.params.blocks)).toContain('checkout-api');
    expect(replies()).toHaveLength(2);
    expect(String(replies()[1]?.params.text)).toContain('checkout-api');
    expect(String(replies()[1]?.params.text)).not.toContain('payment-api');
  });

  it('loses nothing when Slack rate-limits: the card is posted on the next try', async () => {
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    const limited = await publishIncidents(opened, deps);
    expect(limited.posted).toEqual([]);
    expect(limited.failed).toHaveLength(1);
    expect(limited.failed[0]?.error).toMatch(/rate/i);
    expect(repos.incidents.listUnpublished().map((i) => i.id)).toEqual(opened);

    const retried = await publishIncidents(
      repos.incidents.listUnpublished().map((i) => i.id),
      deps,
    );
    expect(retried.posted).toEqual(opened);
    expect(cards()).toHaveLength(2); // the refused attempt and the accepted one
    expect(repos.incidents.listUnpublished()).toEqual([]);
  });

  it('reports a Slack platform error with its code and keeps the incident unpublished', async () => {
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    const result = await publishIncidents(opened, deps);
    expect(result.failed[0]?.error).toContain('channel_not_found');
    expect(repos.incidents.get(opened[0]!)?.slack).toBeNull();
  });

  it('retries a failed edit on the next cycle', async () => {
    const { opened } = record('payment-api', '2026-04-21T02:13:00Z', '2026-04-21T02:14:00Z');
    await publishIncidents(opened, deps);
    record('checkout-api', '2026-04-21T02:15:00Z', '2026-04-21T02:16:00Z');
    slack.failNext('chat.update', { error: 'internal_error' });
    expect((await publishIncidents(opened, deps)).failed).toHaveLength(1);
    expect((await publishIncidents(opened, deps)).updated).toEqual(opened);
  });
});
