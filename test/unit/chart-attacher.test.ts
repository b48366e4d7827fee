/**
 * The chart attacher against the Slack Web API double (as strict as Slack: files.uploadV2's three
 * steps, membership for sharing, late answers), on real SQLite with the real repos, reading its
 * series from a replay source. A refused or unanswered upload leaves the card alone and is logged
 * once until a chart goes through again.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChartAttacher, createChartAttacher } from '../../src/charts/create-chart-attacher.js';
import { type ChartRenderer, startChartRenderer } from '../../src/charts/start-chart-renderer.js';
import { ServiceConfigSchema, SignalConfigSchema } from '../../src/config/config-schema.js';
import type { MetricSample } from '../../src/contracts/index.js';
import { createTopology } from '../../src/correlation/topology.js';
import { applyAnomalies } from '../../src/incidents/apply-anomalies.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import type { CardPublisher } from '../../src/slack/card-publisher.js';
import { createPostingClient } from '../../src/slack/create-posting-client.js';
import { createSlackPublisher } from '../../src/slack/create-slack-publisher.js';
import { slackClientOptions } from '../../src/slack/slack-client-options.js';
import { createReplaySource } from '../../src/sources/create-replay-source.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { createSeriesAnomaliesRepo } from '../../src/storage/series-anomalies-repo.js';
import { readPngSize } from '../helpers/decode-png.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { loggerInto } from '../helpers/logger-into.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const FAULT = Date.parse('2026-11-02T05:00:00Z');
const SERVICES = ['payment-api', 'checkout-api', 'catalog-api', 'search-api'];
const config = {
  services: SERVICES.map((name) => ServiceConfigSchema.parse({ name, namespace: 'shop', team: 'payments', tier: 1 })),
  signals: [
    SignalConfigSchema.parse({
      name: 'latency_p99',
      query: 'x',
      service_label: 'service',
      direction: 'up',
      unit: 'seconds',
    }),
  ],
};

/** Four hours of each service's latency at one-minute steps, stepping up at FAULT. */
function samples(): MetricSample[] {
  const out: MetricSample[] = [];
  for (const service of SERVICES)
    for (let t = FAULT - 4 * 3_600_000; t <= FAULT + 5 * 60_000; t += 60_000)
      out.push({
        timestamp: new Date(t).toISOString(),
        service,
        namespace: 'shop',
        metric_name: 'latency_p99',
        value: t >= FAULT ? 1.2 : 0.4,
      });
  return out;
}

describe('createChartAttacher', () => {
  let slack: FakeSlack;
  let db: Db;
  let repos: Repos;
  let publisher: CardPublisher;
  let attacher: ChartAttacher;
  let logs: string[];
  let renderer: ChartRenderer;

  beforeEach(async () => {
    // The real chart thread, as the bot runs it.
    renderer = startChartRenderer();
    slack = await startFakeSlack({ channels: [{ name: '#team-payments', member: true }, '#elsewhere'] });
    db = openDatabase(':memory:');
    repos = createRepos(db);
    logs = [];
    // Long enough for a loaded CI machine; the late-answer case waits it out once.
    const settings = { apiUrl: slack.apiUrl, timeoutMs: 2_000 };
    publisher = createSlackPublisher({
      client: new WebClient('xoxb-test', slackClientOptions({ ...settings, retries: 0 })),
      poster: createPostingClient('xoxb-test', settings),
    });
    attacher = createChartAttacher({
      source: createReplaySource(samples()),
      signals: config.signals,
      stepSeconds: 60,
      anomalies: repos.anomalies,
      seriesAnomalies: createSeriesAnomaliesRepo(db),
      opsEvents: repos.opsEvents,
      publisher,
      renderer,
      logger: loggerInto(logs, 'info'),
    });
  });
  afterEach(async () => {
    await renderer.close();
    db.close();
    await slack.close();
  });

  /** An incident of `service` with two anomalous points; its id. */
  function incidentOf(service: string): string {
    const events = [0, 1].map((m) =>
      makeAnomaly(service, new Date(FAULT + m * 60_000).toISOString(), {
        value: 1.2,
        lower_bound: 0.3,
        upper_bound: 0.5,
      }),
    );
    repos.anomalies.insert(events, new Date(FAULT + 2 * 60_000).toISOString());
    const changes = applyAnomalies(events, {
      incidents: repos.incidents,
      topology: createTopology(config.services),
      routing: { teamChannels: new Map([['payments', '#team-payments']]), defaultChannel: '#vigil-alerts' },
      settings: lifecycleSettings({ minAnomalies: 1 }),
      now: new Date(FAULT + 2 * 60_000),
    });
    const id = changes.opened[0];
    if (!id) throw new Error('no incident opened');
    return id;
  }
  const refusals = () => logs.filter((l) => l.includes('incident chart not attached'));

  it('shares the PNG into the thread of a card in a channel the bot is in', async () => {
    const id = incidentOf('payment-api');
    const incident = repos.incidents.get(id);
    if (!incident) throw new Error('missing incident');
    const card = await publisher.post('#team-payments', { text: 'card', blocks: [] }, id);
    expect(await attacher.attach(incident, card)).toBe('attached');
    const [file] = [...slack.files.values()];
    expect(file?.shared).toMatchObject({ channel: card.channel, thread_ts: card.ts });
    expect(readPngSize(file?.bytes as Buffer)).toEqual({ width: 800, height: 320 });
    expect(file?.alt_text).toMatch(/^latency_p99 of payment-api over the last 3 hours; expected 300 ms–500 ms/);
    expect(refusals()).toEqual([]);
  });

  it('logs not_in_channel once, stays quiet about a timeout after it, and logs again after a chart went through', async () => {
    const attach = async (service: string, channel: string) => {
      const incident = repos.incidents.get(incidentOf(service));
      if (!incident) throw new Error('missing incident');
      // The card as it would be in a channel Vigil is not in (posted there with chat:write.public).
      const ts = slack.postAsOtherApp(channel, { text: 'card', bot_id: 'B0VIGIL' });
      return attacher.attach(incident, { channel: slack.channelIdOf(channel), ts });
    };
    expect(await attach('payment-api', '#elsewhere')).toBe('failed');
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toContain('not_in_channel');
    expect(refusals()[0]).toContain('/invite @Vigil');
    // Slack takes the request and never answers: the client's timeout ends it, not logged again.
    slack.answerLate('files.getUploadURLExternal');
    expect(await attach('checkout-api', '#team-payments')).toBe('failed');
    expect(refusals()).toHaveLength(1);
    expect(await attach('catalog-api', '#team-payments')).toBe('attached');
    // Slack kept what it was sent; only the last chart was shared, into its card's thread.
    expect([...slack.files.values()].filter((f) => f.shared).map((f) => f.filename)).toHaveLength(1);
    expect(refusals()).toHaveLength(1);
    // A chart went through since: the next refusal is news again.
    expect(await attach('search-api', '#elsewhere')).toBe('failed');
    expect(refusals()).toHaveLength(2);
  });
});
