/**
 * Backtest on real components: a real Prometheus (Debian's package) whose history is backfilled
 * with promtool, with a fault injected at a known minute; the production pipeline replays it with a
 * fresh in-memory store; the bot's store is a real SQLite file with stored incidents and labels.
 * The slash command and the Cancel button are really signed requests through Bolt's real HTTP
 * receiver; Slack's Web API is the double in test/helpers/fake-slack.ts (strict like Slack: an
 * update needs the channel id and ts of a message it has, a private channel it is not in is
 * channel_not_found).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatBacktestReport } from '../../src/backtest/format-backtest-report.js';
import { runBacktest, storedHistoryOf } from '../../src/backtest/run-backtest.js';
import { runBacktestCommand } from '../../src/backtest/run-backtest-command.js';
import { main } from '../../src/cli.js';
import { ConfigSchema, type VigilConfig } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { startVigil } from '../../src/main.js';
import { createRepos } from '../../src/pipeline/create-pipeline.js';
import { ActionId } from '../../src/slack/action-ids.js';
import { createBotBacktests } from '../../src/slack/create-bot-backtests.js';
import { createPostingClient } from '../../src/slack/create-posting-client.js';
import { createSlackApp } from '../../src/slack/create-slack-app.js';
import type { SlackBacktests } from '../../src/slack/create-slack-backtests.js';
import { configuredPrometheusSource } from '../../src/sources/configured-prometheus-source.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { seededNoise } from '../helpers/latency-history.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { blockActionBody, postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'test-signing-secret-0123456789abcdef';
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * Eight days of one-minute latency for three services ending at `end` (a week's backtest runs
 * long enough to be cancelled in the middle); payment-api's latency is five
 * times its usual from `faultAt` for 40 minutes, its caller checkout-api three times from a minute
 * later; catalog-api stays healthy.
 */
function backtestHistory(faultAt: number, end: number): GaugeSeries[] {
  const services = [
    { service: 'checkout-api', latency: 0.42, fault: faultAt + MINUTE, factor: 3 },
    { service: 'payment-api', latency: 0.2, fault: faultAt, factor: 5 },
    { service: 'catalog-api', latency: 0.3, fault: Number.POSITIVE_INFINITY, factor: 1 },
  ];
  const rand = seededNoise(11);
  return services.map((s) => {
    const series: GaugeSeries = { name: 'shop_latency_p99_seconds', labels: { service: s.service }, points: [] };
    for (let t = end - 8 * DAY; t <= end; t += MINUTE) {
      const faulty = t >= s.fault && t < s.fault + 40 * MINUTE;
      series.points.push([t, +(s.latency * (1 + 0.05 * rand()) * (faulty ? s.factor : 1)).toFixed(5)]);
    }
    return series;
  });
}

function backtestConfig(prometheusUrl: string): VigilConfig {
  return ConfigSchema.parse({
    prometheus: { url: prometheusUrl, timeout_ms: 10_000, step_seconds: 60 },
    slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts' },
    http: { health_port: 0 },
    teams: { checkout: { channel: '#team-checkout' }, payments: { channel: '#team-payments' } },
    services: [
      { name: 'checkout-api', namespace: 'shop', team: 'checkout', depends_on: ['payment-api', 'catalog-api'] },
      { name: 'payment-api', namespace: 'shop', team: 'payments' },
      { name: 'catalog-api', namespace: 'shop', team: 'checkout' },
    ],
    signals: [{ name: 'latency_p99', query: 'shop_latency_p99_seconds', direction: 'up', unit: 'seconds' }],
  });
}

/** Stores a paged incident of the bot's with one latency anomaly per service, labelled by U1. */
function storeIncident(db: Db, id: string, services: string[], atSeconds: number, label: 'useful' | 'noisy' | null) {
  const repos = createRepos(db);
  const at = new Date(atSeconds * 1000).toISOString();
  const anomalies = repos.anomalies.insert(
    services.map((s) => makeAnomaly(s, at, { namespace: 'shop' })),
    at,
  );
  repos.incidents.save(
    makeOpenIncident(id, services, at),
    anomalies.map((a) => ({ id: a.id, suppressed: false })),
  );
  if (label) repos.feedback.set({ incident_id: id, slack_user: 'U1', label, source: 'reaction', created_at: at });
}

function rowCounts(db: Db): Record<string, number> {
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return Object.fromEntries(
    ['incidents', 'anomalies', 'incident_anomalies', 'feedback', 'series_state', 'detection_cycles'].map((t) => [
      t,
      count(t),
    ]),
  );
}

let prometheus: RealPrometheus;
let dir: string;
let db: Db;
let config: VigilConfig;
// On a minute boundary, an hour in the past: the period is a fixed window Prometheus has.
const end = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - HOUR;
const faultAt = end - 6 * HOUR;

beforeAll(async () => {
  prometheus = await startRealPrometheus(backtestHistory(faultAt, end));
  config = backtestConfig(prometheus.url);
  dir = mkdtempSync(join(tmpdir(), 'vigil-backtest-'));
  db = openDatabase(join(dir, 'vigil.db'));
  // What the bot stored for the same day: the fault (labelled useful), and a page 3 hours
  // earlier on a quiet history that people called noisy.
  storeIncident(db, 'inc-fault', ['payment-api', 'checkout-api'], faultAt + 2 * MINUTE, 'useful');
  storeIncident(db, 'inc-noise', ['payment-api'], faultAt - 3 * HOUR, 'noisy');
}, 60_000);

/** A one-day backtest of `target` against the real Prometheus, judged against `store`'s pages, as of `end`. */
function backtestDay(
  target: string,
  store: Db,
  extra: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
) {
  return runBacktest({
    config,
    args: { target, days: 1 },
    source: configuredPrometheusSource(config, {}),
    stored: storedHistoryOf(store),
    now: new Date(end * 1000),
    logger: createSilentLogger(),
    ...extra,
  });
}

afterAll(async () => {
  db?.close();
  await prometheus?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('runBacktest over a real Prometheus', () => {
  it('pages at the injected fault, matches the stored incident there, and writes nothing to the bot', async () => {
    const before = rowCounts(db);
    const progress: number[] = [];
    const outcome = await backtestDay('payment-api', db, { onProgress: (f) => progress.push(f) });
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    const { report } = outcome;
    expect(report.series).toBe(1);
    expect(report.cycles).toBe(24 * 60 + 1);
    const pages = report.comparison.pages;
    expect(pages.length).toBeGreaterThanOrEqual(1);
    const atFault = pages.filter(
      (p) => p.page.openedMs >= faultAt * 1000 && p.page.openedMs <= (faultAt + 5 * MINUTE) * 1000,
    );
    expect(atFault).toHaveLength(1);
    expect(atFault[0]?.page.services).toContain('payment-api');
    expect(atFault[0]?.stored?.id).toBe('inc-fault');
    expect(report.comparison.missed.map((m) => [m.id, m.label])).toEqual([['inc-noise', 'noisy']]);
    expect(formatBacktestReport(report)[1]).toBe(
      '1 would page; 1 match a stored incident (1 labelled useful); 0 new; 1 stored incident not reproduced (1 labelled noisy).',
    );
    // Progress went from the start to the end of the period, in order.
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= (progress[i - 1] as number))).toBe(true);
    // The bot's store is read, never written.
    expect(rowCounts(db)).toEqual(before);
  }, 120_000);
});

describe('deploys and maintenance the bot knew of', () => {
  it('a maintenance window stored over the fault: the backtest records the story but pages nobody', async () => {
    const store = openDatabase(':memory:');
    try {
      createRepos(store).opsEvents.add(
        {
          type: 'maintenance',
          service: 'payment-api',
          namespace: 'shop',
          starts_at: new Date((faultAt - 10 * MINUTE) * 1000).toISOString(),
          ends_at: new Date((faultAt + 60 * MINUTE) * 1000).toISOString(),
          reason: 'database migration',
        },
        'intake',
        new Date(end * 1000).toISOString(),
      );
      const outcome = await backtestDay('payment-api', store);
      expect(outcome.status).toBe('done');
      if (outcome.status !== 'done') return;
      expect(outcome.report.comparison.pages).toEqual([]);
      expect(outcome.report.recorded).toBeGreaterThanOrEqual(1);
    } finally {
      store.close();
    }
  }, 120_000);
});

describe('the thresholds the bot pages with', () => {
  it('judges each series by the threshold the bot recalibrated it to, not the configured default', async () => {
    const run = async (minScore: number | null) => {
      const store = openDatabase(':memory:');
      try {
        if (minScore !== null)
          createRepos(store).detectorState.importCalibrations(
            [['shop/payment-api/latency_p99', minScore]],
            new Date(end * 1000).toISOString(),
          );
        const outcome = await backtestDay('payment-api', store);
        if (outcome.status !== 'done') throw new Error(`backtest ${outcome.status}`);
        return outcome.report;
      } finally {
        store.close();
      }
    };
    const configured = await run(null);
    const strict = await run(0.999999);
    // The noise the configured threshold lets through is gone; the 5x fault, rarer than any
    // threshold, still pages.
    expect(strict.anomalies).toBeLessThan(configured.anomalies);
    expect(strict.comparison.pages.map((p) => p.page.probableStart)).toEqual(['payment-api']);
  }, 120_000);
});

describe('cancelling runBacktest', () => {
  it('stops at its next tick once aborted, and says how far it got', async () => {
    const stop = new AbortController();
    let last = 0;
    const outcome = await backtestDay('latency_p99', db, {
      signal: stop.signal,
      onProgress: (f) => {
        // A progress call after the abort would mean the run went on.
        expect(stop.signal.aborted).toBe(false);
        last = f;
        if (f >= 0.3) stop.abort();
      },
    });
    expect(outcome).toEqual({ status: 'cancelled', fraction: last });
    expect(last).toBeGreaterThanOrEqual(0.3);
    expect(last).toBeLessThan(0.32);
  }, 120_000);
});

describe('/vigil backtest in Slack: signed requests through Bolt, the Web API double', () => {
  let slack: FakeSlack;
  let app: App;
  let url: string;
  let backtests: SlackBacktests;
  let ops: string;

  beforeAll(async () => {
    slack = await startFakeSlack({ channels: ['#ops'] });
    ops = slack.channelIdOf('#ops');
    const logger = createSilentLogger();
    // The listeners get what main.ts gives them; backtests made by the same composition.
    const repos = createRepos(db);
    app = createSlackApp(
      {
        mode: 'http',
        secrets: { botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: slack.apiUrl },
        timeoutMs: 2000,
        retries: 0,
        logger,
        unhandledRequestTimeoutMillis: 1000,
      },
      {
        repos,
        logger,
        now: () => new Date(end * 1000),
        seriesTracked: () => 0,
        cycleRunning: () => false,
        lastCycle: () => undefined,
        republish: async () => undefined,
        remediation: undefined,
        get backtests() {
          return backtests;
        },
      },
    );
    backtests = createBotBacktests({
      config,
      db,
      secretEnv: {},
      now: () => new Date(end * 1000),
      logger,
      client: app.client,
      poster: createPostingClient('xoxb-test-token', { apiUrl: slack.apiUrl, timeoutMs: 2000 }),
      updateEveryMs: 100,
    });
    await app.init();
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as { address(): AddressInfo };
    url = `http://127.0.0.1:${server.address().port}/slack/events`;
  });

  afterAll(async () => {
    await backtests?.stop();
    await app?.stop();
    await slack?.close();
  });

  const form = (body: string) =>
    postSigned({ url, secret: SECRET, body, contentType: 'application/x-www-form-urlencoded' });
  const command = (text: string, id: string) =>
    form(slashCommandBody({ text, channel_id: ops, response_url: slack.responseUrl(id) }));
  const textOf = (id: string) => slack.responses.find((r) => r.id === id)?.body.text as string | undefined;
  const updatesOf = (ts: string) => slack.callsTo('chat.update').filter((c) => c.params.ts === ts);

  it.each([
    ['backtest', 'needs a signal or a service'],
    ['backtest payment-api --days 99', '--days is at most 35'],
    ['backtest payment-api --days abc', '--days takes a number of days'],
    ['backtest payment-api --days 0', 'above 0'],
    ['backtest payment-api checkout-api', 'one signal or service, got 2'],
    ['backtest payment-api --hours 3', 'has no option'],
    ['backtest no-such-thing', 'no signal or service is named "no-such-thing"'],
  ])('`/vigil %s` gets the usage line, ephemeral, and starts nothing', async (text, problem) => {
    const id = `bad-${text.replace(/\W+/g, '-')}`;
    const res = await command(text, id);
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === id));
    expect(reply.body.response_type).toBe('ephemeral');
    expect(reply.body.text).toContain(problem);
    expect(reply.body.text).toContain('/vigil backtest <signal|service> [--days N]');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('acks at once, posts progress, updates it (throttled) and ends with the report; a second request is told one runs', async () => {
    const started = performance.now();
    const res = await command('backtest payment-api --days 1', 'run');
    await res.text();
    expect(res.status).toBe(200);
    // The ack does not wait for the backtest (seconds of replay); well within Slack's 3 s even on a
    // loaded 2-core machine.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await slack.waitFor(() => textOf('run'))).toContain('Backtest of payment-api over 1 day started');
    const post = await slack.waitFor(() => slack.callsTo('chat.postMessage')[0]);
    expect(post.params.channel).toBe(ops);
    expect(post.params.text).toContain('backtest of payment-api over 1 day: 0 %');
    const ts = slack.messagesIn('#ops')[0]?.ts as string;

    const second = await command('backtest latency_p99', 'second');
    expect(second.status).toBe(200);
    expect(await slack.waitFor(() => textOf('second'))).toMatch(
      /A backtest is already running \(payment-api over 1 day, \d+ %, started by <@U0ONCALL>\)/,
    );

    await backtests.idle();
    const updates = updatesOf(ts);
    const final = updates.at(-1)?.params.text as string;
    expect(final).toContain(
      '1 would page; 1 match a stored incident (1 labelled useful); 0 new; 1 stored incident not reproduced (1 labelled noisy)',
    );
    // Progress before the report, in order, each at least the throttle apart.
    const progress = updates.slice(0, -1).map((u) => String(u.params.text));
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(p).toMatch(/backtest of payment-api over 1 day: \d+ %/);
    const percents = progress.map((p) => Number(/(\d+) %/.exec(p)?.[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    // The message in the channel is the report, without the Cancel button.
    const message = slack.messagesIn('#ops')[0];
    expect(JSON.stringify(message?.blocks)).not.toContain(ActionId.backtestCancel);
    expect(String(message?.text)).toContain('1 would page');
  }, 60_000);

  it('Cancel stops the run at its next tick: the message says cancelled at N %, and nothing edits it after', async () => {
    const before = slack.callsTo('chat.postMessage').length;
    await command('backtest latency_p99 --days 7', 'cancel-run');
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length > before);
    const message = slack.messagesIn('#ops').at(-1) as { ts: string; blocks?: unknown };
    const actions = (message.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    const jobId = actions.find((e) => e.action_id === ActionId.backtestCancel)?.value as string;
    expect(jobId).toMatch(/^bt-/);
    // Some progress first (at least 1 %), so the cancel lands in the middle.
    const seen = await slack.waitFor(() => {
      const shown = updatesOf(message.ts).map((u) => Number(/: (\d+) %/.exec(String(u.params.text))?.[1] ?? 0));
      return shown.find((p) => p >= 1);
    }, 30_000);

    // A stale button (another job's id) is refused server-side and stops nothing.
    await form(
      blockActionBody({
        user: 'U0OTHER',
        actionId: ActionId.backtestCancel,
        value: 'bt-stale',
        channel: ops,
        messageTs: message.ts,
        responseUrl: slack.responseUrl('stale-cancel'),
      }),
    );
    expect(await slack.waitFor(() => textOf('stale-cancel'))).toBe('That backtest is no longer running.');

    const res = await form(
      blockActionBody({
        user: 'U0ONCALL',
        actionId: ActionId.backtestCancel,
        value: jobId,
        channel: ops,
        messageTs: message.ts,
        responseUrl: slack.responseUrl('cancel'),
      }),
    );
    expect(res.status).toBe(200);
    const cancelled = await slack.waitFor(
      () => updatesOf(message.ts).find((u) => String(u.params.text).includes('cancelled')),
      20_000,
    );
    expect(String(cancelled.params.text)).toMatch(
      /backtest of latency_p99 over 7 days cancelled at (\d+) % by <@U0ONCALL>/,
    );
    const at = Number(/cancelled at (\d+) %/.exec(String(cancelled.params.text))?.[1]);
    expect(at).toBeGreaterThanOrEqual(seen);
    expect(at).toBeLessThan(100);
    await backtests.idle();
    const count = updatesOf(message.ts).length;
    await new Promise((r) => setTimeout(r, 500));
    expect(updatesOf(message.ts)).toHaveLength(count);
    expect(updatesOf(message.ts).at(-1)).toBe(cancelled);
    // The job is gone: the same button again is told so, and a new backtest may start.
    await form(
      blockActionBody({
        user: 'U0ONCALL',
        actionId: ActionId.backtestCancel,
        value: jobId,
        channel: ops,
        messageTs: message.ts,
        responseUrl: slack.responseUrl('cancel-again'),
      }),
    );
    expect(await slack.waitFor(() => textOf('cancel-again'))).toBe('That backtest is no longer running.');
  }, 60_000);

  it('an edit Slack refuses (the message deleted meanwhile) loses that edit only: the run goes on to its report', async () => {
    // The double answers like Slack: an update of a message it does not have is message_not_found.
    await expect(app.client.chat.update({ channel: ops, ts: '1700000000.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    slack.failNext('chat.update', { error: 'message_not_found' });
    const posts = slack.callsTo('chat.postMessage').length;
    await command('backtest payment-api --days 1', 'deleted');
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length > posts);
    const ts = slack.messagesIn('#ops').at(-1)?.ts as string;
    await backtests.idle();
    const updates = updatesOf(ts);
    expect(updates.length).toBeGreaterThan(1);
    expect(String(updates.at(-1)?.params.text)).toContain('1 would page');
    expect(String(slack.messagesIn('#ops').at(-1)?.text)).toContain('1 would page');
  }, 60_000);

  it('a channel Vigil cannot post in: the backtest does not start, and the reply says why', async () => {
    slack.addChannel('#secret', { private: true });
    const res = await form(
      slashCommandBody({
        text: 'backtest payment-api --days 1',
        channel_id: slack.channelIdOf('#secret'),
        response_url: slack.responseUrl('secret'),
      }),
    );
    expect(res.status).toBe(200);
    expect(await slack.waitFor(() => textOf('secret'))).toContain('channel_not_found');
    // Nothing holds the one-at-a-time slot: the next request starts.
    await command('backtest payment-api --days 1', 'after-secret');
    expect(await slack.waitFor(() => textOf('after-secret'))).toContain('started');
    await backtests.idle();
  }, 60_000);
});

describe('vigil backtest on the command line', () => {
  it('prints the report for a signal over the stored database, and the same usage errors', async () => {
    const configPath = join(dir, 'vigil.yaml');
    writeFileSync(
      configPath,
      [
        `prometheus: { url: "${prometheus.url}", step_seconds: 60 }`,
        'teams: { checkout: { channel: "#team-checkout" }, payments: { channel: "#team-payments" } }',
        'services:',
        '  - { name: checkout-api, namespace: shop, team: checkout, depends_on: [payment-api, catalog-api] }',
        '  - { name: payment-api, namespace: shop, team: payments }',
        '  - { name: catalog-api, namespace: shop, team: checkout }',
        'signals:',
        '  - { name: latency_p99, query: shop_latency_p99_seconds, direction: up, unit: seconds }',
      ].join('\n'),
    );
    const out: string[] = [];
    const err: string[] = [];
    const io = { write: (t: string) => out.push(t), warn: (t: string) => err.push(t) };
    const env = { VIGIL_DB: join(dir, 'vigil.db') };
    const endIso = new Date(end * 1000).toISOString();
    const code = await runBacktestCommand(
      ['latency_p99', '--days', '1', '--config', configPath, '--end', endIso],
      env,
      io,
    );
    const report = out.join('');
    expect(err.join('')).not.toContain('vigil:');
    expect(code).toBe(0);
    expect(report).toMatch(/^Backtest of latency_p99 \(signal\) over 1 day, /);
    expect(report).toContain('1 would page; 1 match a stored incident (1 labelled useful)');
    // Both services of the fault are in the page of the whole signal.
    expect(report).toMatch(/warning|critical|high/);
    expect(report).toMatch(/payment-api/);
    expect(report).toMatch(/checkout-api/);
    expect(err.join('')).toContain('backtest of latency_p99 over 1 day: 50 %');

    err.length = 0;
    expect(await runBacktestCommand(['latency_p99', '--days', '40', '--config', configPath], env, io)).toBe(2);
    expect(err.join('')).toContain('--days is at most 35');
    expect(err.join('')).toContain('vigil backtest <signal|service> [--days N]');
    // The command line itself routes `backtest` here.
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['backtest'], env)).toBe(2);
    } finally {
      vi.restoreAllMocks();
    }
  }, 120_000);
});

describe('the running bot (startVigil): /vigil backtest next to its own cycle', () => {
  it('answers the command, runs the backtest while a detection cycle runs in the detection thread, and cancels it at stop', async () => {
    const slack = await startFakeSlack({ channels: ['#ops', '#team-payments', '#team-checkout', '#vigil-alerts'] });
    const ops = slack.channelIdOf('#ops');
    const vigil = await startVigil({
      config: { ...config, slack: { ...config.slack, timeout_ms: 2000 } },
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'bot.db'),
      }),
      logger: createSilentLogger(),
      now: () => new Date(end * 1000),
      schedule: false,
      slackRetries: 0,
      unhandledRequestTimeoutMillis: 1500,
      host: '127.0.0.1',
    });
    const botUrl = `http://127.0.0.1:${vigil.slackPort}/slack/events`;
    const send = (text: string, id: string) =>
      postSigned({
        url: botUrl,
        secret: SECRET,
        contentType: 'application/x-www-form-urlencoded',
        body: slashCommandBody({ text, channel_id: ops, response_url: slack.responseUrl(id) }),
      });
    const finalOf = (ts: string, word: string) =>
      slack.callsTo('chat.update').find((c) => c.params.ts === ts && String(c.params.text).includes(word));
    let stopped = false;
    try {
      expect((await send('backtest payment-api --days 1', 'bot-run')).status).toBe(200);
      const post = await slack.waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.params.channel === ops));
      const ts = slack.messagesIn('#ops')[0]?.ts as string;
      expect(post.params.text).toContain('backtest of payment-api over 1 day: 0 %');
      // The bot's own cycle goes on meanwhile, in its detection thread.
      expect((await vigil.runCycle())?.status).toBe('ok');
      const report = await slack.waitFor(() => finalOf(ts, 'would page'), 30_000);
      // Nothing stored in this bot's database for that day: the page is new.
      expect(String(report.params.text)).toContain(
        '1 would page; 0 match a stored incident; 1 new; 0 stored incidents not reproduced',
      );

      // A week's backtest is running when the bot stops: it is cancelled, and its message says so.
      await send('backtest latency_p99 --days 7', 'bot-stop');
      await slack.waitFor(() => slack.messagesIn('#ops').length === 2);
      const second = slack.messagesIn('#ops')[1]?.ts as string;
      await vigil.stop();
      stopped = true;
      const cancelled = finalOf(second, 'cancelled');
      expect(String(cancelled?.params.text)).toMatch(
        /backtest of latency_p99 over 7 days cancelled at \d+ % by Vigil \(stopping\)/,
      );
    } finally {
      if (!stopped) await vigil.stop();
      await slack.close();
    }
  }, 120_000);
});
