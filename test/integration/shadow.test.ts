/**
 * Shadow (challenger) detectors on real components: a real Prometheus (backfilled with promtool),
 * Vigil started as in production (its detection thread, a real SQLite file), the real Bolt app
 * with its HTTP receiver and really signed slash commands and events. Only Slack's Web API is a
 * local double (test/helpers/fake-slack.ts), which records every call: the challenger must make none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, type VigilConfig } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import type { CycleOutcome } from '../../src/pipeline/create-detection-cycle.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { createShadowRepo } from '../../src/storage/shadow-repo.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { latencyHistory } from '../helpers/latency-history.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'shadow-test-signing-secret-0123456789';
const MINUTE = 60;
const DAY = 86_400;

/** Two days of one-minute latency; payment-api steps up 5× at `faultAt`, checkout-api (its caller) a minute later. */
function history(faultAt: number, end: number): GaugeSeries[] {
  return latencyHistory(
    [
      { service: 'checkout-api', latency: 0.42, faultAt: faultAt + MINUTE, factor: 3.5 },
      { service: 'payment-api', latency: 0.2, faultAt, factor: 5 },
      { service: 'catalog-api', latency: 0.3, faultAt: Number.POSITIVE_INFINITY, factor: 1 },
    ],
    faultAt - 2 * DAY,
    end,
  );
}

/** Detectors that never fire: a champion that opens nothing on this data. */
const DEAF = {
  zscore_threshold: 1e6,
  mad_threshold: 1e6,
  level_shift_threshold: 1e6,
  seasonal_threshold: 1e6,
  record_margin: 1e6,
};
/** The default detector settings, as a challenger's overrides of DEAF. */
const DEFAULTS = {
  zscore_threshold: 5,
  mad_threshold: 6,
  level_shift_threshold: 4,
  seasonal_threshold: 4,
  record_margin: 1,
};

function configWith(prometheusUrl: string, detection: Record<string, unknown>): VigilConfig {
  return ConfigSchema.parse({
    prometheus: { url: prometheusUrl, timeout_ms: 5000, step_seconds: 60 },
    slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
    http: { health_port: 0 },
    teams: { checkout: { channel: '#team-checkout' }, payments: { channel: '#team-payments' } },
    services: [
      {
        name: 'checkout-api',
        namespace: 'shop',
        team: 'checkout',
        tier: 1,
        depends_on: ['payment-api', 'catalog-api'],
      },
      { name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1 },
      { name: 'catalog-api', namespace: 'shop', team: 'checkout', tier: 2 },
    ],
    signals: [
      {
        name: 'latency_p99',
        query: 'shop_latency_p99_seconds',
        namespace_label: 'namespace',
        direction: 'up',
        unit: 'seconds',
      },
    ],
    detection,
  });
}

const CHANNELS = ['#team-payments', '#team-checkout', '#vigil-alerts'];

describe('a shadow challenger scores every cycle, records what it would have opened and never posts', () => {
  let prometheus: RealPrometheus;
  const dirs: string[] = [];
  const running: RunningVigil[] = [];
  const fakes: FakeSlack[] = [];
  const faultAt = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;
  const firstCycle = new Date((faultAt + 3 * MINUTE) * 1000);

  async function start(detection: Record<string, unknown>, dbPath?: string) {
    const slack = await startFakeSlack({ channels: CHANNELS });
    fakes.push(slack);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-shadow-'));
    dirs.push(dir);
    const db = dbPath ?? join(dir, 'vigil.db');
    const clock = { now: firstCycle };
    const vigil = await startVigil({
      config: configWith(prometheus.url, detection),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-shadow',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: db,
      }),
      logger: createSilentLogger(),
      now: () => clock.now,
      schedule: false,
      slackRetries: 0,
      unhandledRequestTimeoutMillis: 1500,
      host: '127.0.0.1',
    });
    running.push(vigil);
    const url = `http://127.0.0.1:${vigil.slackPort}/slack/events`;
    const command = async (text: string, id: string) => {
      const res = await postSigned({
        url,
        secret: SECRET,
        contentType: 'application/x-www-form-urlencoded',
        body: slashCommandBody({ text, response_url: slack.responseUrl(id) }),
      });
      expect(res.status).toBe(200);
      return (await slack.waitFor(() => slack.responses.find((r) => r.id === id))).body;
    };
    return { vigil, slack, db, clock, url, command };
  }

  /** The challenger's turn runs after the champion's cycle returns: read from another connection. */
  async function wouldBeCount(dbPath: string, challenger: string, slack: FakeSlack, atLeast: number) {
    const db = openDatabase(dbPath);
    try {
      const repo = createShadowRepo(db);
      return await slack.waitFor(
        () => repo.countWouldBe(challenger) >= atLeast && repo.countWouldBe(challenger),
        15_000,
      );
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    prometheus = await startRealPrometheus(history(faultAt, faultAt + 15 * MINUTE));
  });

  afterAll(async () => {
    for (const v of running) await v.stop().catch(() => undefined);
    for (const f of fakes) await f.close();
    await prometheus?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('opens a would-be incident where the champion opens none, with no Slack call for it', async () => {
    const run = await start({ ...DEAF, shadow: { name: 'sensitive', ...DEFAULTS } });
    const callsAtStart = run.slack.calls.length;
    const first = (await run.vigil.runCycle()) as CycleOutcome;
    expect(first.status).toBe('ok');
    expect(first.changes.opened).toEqual([]);
    expect(await wouldBeCount(run.db, 'sensitive', run.slack, 1)).toBe(1);
    run.clock.now = new Date(firstCycle.getTime() + 60_000);
    const second = (await run.vigil.runCycle()) as CycleOutcome;
    expect(second.changes.opened).toEqual([]);
    await run.vigil.pipeline.detection.saveForStop(run.clock.now);

    // Nothing reached Slack: no post, no update, no join, nothing since start-up (auth.test).
    expect(run.slack.calls.slice(callsAtStart).map((c) => c.method)).toEqual([]);
    // The champion's store is untouched: no incident, no anomaly.
    expect(run.vigil.db.prepare('SELECT COUNT(*) AS n FROM incidents').get()).toEqual({ n: 0 });
    expect(run.vigil.db.prepare('SELECT COUNT(*) AS n FROM anomalies').get()).toEqual({ n: 0 });
    const [row] = run.vigil.db.prepare('SELECT id FROM shadow_incidents').all() as Array<{ id: string }>;
    const wouldBe = run.vigil.pipeline.repos.shadow.wouldBe(row!.id)!;
    expect(wouldBe).toMatchObject({ challenger: 'sensitive', namespace: 'shop', opened_at: firstCycle.toISOString() });
    expect(wouldBe.services).toContain('payment-api');
    expect(wouldBe.series).toContain('shop/payment-api/latency_p99');
    expect(wouldBe.detectors.length).toBeGreaterThan(0);
    expect(Date.parse(wouldBe.onset_at)).toBeGreaterThanOrEqual(faultAt * 1000);

    const reply = await run.command('shadow', 'shadow-deaf');
    expect(reply.response_type).toBe('ephemeral');
    const text = String(reply.text);
    console.info(`/vigil shadow (champion opens nothing):\n${text}`);
    expect(text).toContain('challenger `sensitive` vs champion `default`');
    expect(text).toContain('*Pages:* champion 0, challenger 1');
    expect(text).toContain('Extra pages the challenger would add (no champion incident, unlabelled): 1');
    expect(text).toContain('Recall of useful incidents: champion – (0/0) · challenger – (0/0)');
    // Still nothing posted: a reply goes to response_url, never through the Web API.
    expect(run.slack.calls.slice(callsAtStart).map((c) => c.method)).toEqual([]);

    const bad = await run.command('shadow --days lots', 'shadow-bad');
    expect(bad.response_type).toBe('ephemeral');
    expect(String(bad.text)).toContain('`shadow` takes `--days N` (1–90, default 7)');
  });

  it("leaves the champion's cards exactly as they are without a challenger, and compares on labels", async () => {
    const alone = await start({});
    const withShadow = await start({ shadow: { name: 'sensitive', zscore_threshold: 3 } });
    for (const run of [alone, withShadow]) {
      const outcome = (await run.vigil.runCycle()) as CycleOutcome;
      expect(outcome.changes.opened).toHaveLength(1);
    }
    const cards = (slack: FakeSlack) =>
      slack
        .callsTo('chat.postMessage')
        .map((c) => ({ channel: c.params.channel, text: c.params.text, blocks: c.params.blocks }));
    expect(cards(withShadow.slack).length).toBeGreaterThan(0);
    expect(cards(withShadow.slack)).toEqual(cards(alone.slack));
    const incidents = (v: RunningVigil) =>
      v.db.prepare('SELECT id, status, services_json, created_at, opened_at FROM incidents ORDER BY id').all();
    expect(incidents(withShadow.vigil)).toEqual(incidents(alone.vigil));
    expect(await wouldBeCount(withShadow.db, 'sensitive', withShadow.slack, 1)).toBe(1);

    // Someone finds the champion's card useful (👍 on it, a signed event through Bolt).
    const [champion] = withShadow.vigil.pipeline.repos.incidents.listActive();
    const reaction = await withShadow.slack.deliverEvent(
      { url: withShadow.url, secret: SECRET },
      {
        type: 'reaction_added',
        user: 'U0ONCALL',
        reaction: '+1',
        item: { type: 'message', channel: champion!.slack!.channel, ts: champion!.slack!.ts },
      },
    );
    expect(reaction?.status).toBe(200);
    await withShadow.slack.waitFor(() => withShadow.vigil.pipeline.repos.feedback.listForIncident(champion!.id).length);
    const reply = String((await withShadow.command('shadow --days 1', 'shadow-labelled')).text);
    console.info(`/vigil shadow (one labelled incident):\n${reply}`);
    expect(reply).toContain('last 1 day');
    expect(reply).toContain('*Labelled champion incidents:* 1 (1 useful)');
    expect(reply).toContain('Precision (useful / labelled): champion 100 % (1/1) · challenger 100 % (1/1)');
    expect(reply).toContain('Recall of useful incidents: champion 100 % (1/1) · challenger 100 % (1/1)');
    expect(reply).toMatch(
      /The challenger opens (earlier|later) by a median of \d+\.\d min on 1 labelled incident both opened|The challenger opens at the same time \(median\) on 1 labelled incident both opened/,
    );
    expect(reply).toContain('Extra pages the challenger would add (no champion incident, unlabelled): 0');
    expect(reply).toContain('first champion `default`');
  });

  it('records a promotion once, at the first start with the new champion, and shows it', async () => {
    const before = await start({ shadow: { name: 'sensitive', zscore_threshold: 3 } });
    const db = before.db;
    await before.vigil.stop();
    // Promoted by config: the challenger's overrides move into `detection`, with its name.
    const promoted = { name: 'sensitive', zscore_threshold: 3 };
    const after = await start(promoted, db);
    const changes = () =>
      after.vigil.db
        .prepare('SELECT from_name, to_name, diff_json, was_challenger FROM champion_changes ORDER BY id')
        .all();
    expect(changes()).toEqual([
      { from_name: null, to_name: 'default', diff_json: '{}', was_challenger: 0 },
      { from_name: 'default', to_name: 'sensitive', diff_json: '{"zscore_threshold":[5,3]}', was_challenger: 1 },
    ]);
    const reply = String((await after.command('shadow', 'shadow-promoted')).text);
    console.info(`/vigil shadow (after a promotion):\n${reply}`);
    expect(reply).toContain('No challenger configured (`detection.shadow`). Champion: `sensitive`.');
    expect(reply).toMatch(/`default` → `sensitive` \(promoted challenger\): zscore_threshold 5 → 3/);
    await after.vigil.stop();

    // A restart with the same config records nothing more.
    const again = await start(promoted, db);
    expect(again.vigil.db.prepare('SELECT COUNT(*) AS n FROM champion_changes').get()).toEqual({ n: 2 });
  });
});
