import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTopology } from '../../src/correlation/topology.js';
import { createOpsCalendar } from '../../src/incidents/ops-calendar.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { createSilenceBook } from '../../src/silences/create-silence-book.js';
import { parseDuration, parseMaintenanceWindow, parseSilenceTarget } from '../../src/silences/parse-silence-args.js';
import type { Silence, SilenceChange } from '../../src/silences/silence.js';
import { checkBlockKitLimits, checkHomeViewLimits } from '../../src/slack/blocks/block-kit-limits.js';
import { USAGE } from '../../src/slack/blocks/build-command-replies.js';
import { buildHomeView } from '../../src/slack/blocks/build-home-view.js';
import { buildSilencesReply } from '../../src/slack/blocks/build-silence-replies.js';
import { stageHealthText } from '../../src/slack/blocks/build-stage-health.js';
import { answerVigilCommand } from '../../src/slack/listeners/commands/answer-vigil-command.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';

const now = new Date('2026-12-01T10:00:00.000Z');
const services = [
  { name: 'payment-api', namespace: 'shop' },
  { name: 'checkout-api', namespace: 'shop' },
];

function silence(over: Partial<Silence> = {}): Silence {
  return {
    id: 'S-00000A',
    kind: 'silence',
    service: 'payment-api',
    namespace: 'shop',
    metric_name: null,
    starts_at: '2026-12-01T10:00:00.000Z',
    ends_at: '2026-12-01T12:00:00.000Z',
    reason: 'drill',
    created_by: 'U0ONCALL',
    created_at: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

describe('the subcommands named in the manifest, the help reply and the switch', () => {
  const source = readFileSync(
    new URL('../../src/slack/listeners/commands/answer-vigil-command.ts', import.meta.url),
    'utf8',
  );
  const inSwitch = [...source.matchAll(/case '([a-z]+)':/g)].map((m) => m[1]).sort();
  const manifest = parse(readFileSync(new URL('../../slack-app-manifest.yml', import.meta.url), 'utf8')) as {
    features: { slash_commands: Array<{ command: string; usage_hint: string }> };
  };
  const hint = manifest.features.slash_commands.find((c) => c.command === '/vigil')?.usage_hint ?? '';
  const inHint = hint
    .split('|')
    .map((part) => part.trim().split(/\s+/)[0])
    .sort();
  const inUsage = [...USAGE.matchAll(/`\/vigil ([a-z]+)/g)].map((m) => m[1]).sort();

  it('are the same set, every one of them', () => {
    expect(inSwitch.length).toBeGreaterThanOrEqual(15);
    expect(inHint).toEqual(inSwitch);
    expect(inUsage).toEqual(inSwitch);
  });

  it('the usage hint stays within what the manifest schema accepts', () => {
    expect(hint.length).toBeLessThanOrEqual(1000);
  });
});

describe('silence arguments (zod)', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['2h', 2 * 3_600_000],
    ['7d', 7 * 86_400_000],
  ])('%s is a duration', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  it.each([['8d'], ['0m'], ['2w'], ['-1h'], ['1.5h'], ['']])('%s is refused', (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });

  it('resolves a service to its namespace, takes a series, refuses unknown names and odd characters', () => {
    expect(parseSilenceTarget('payment-api', services, true)).toEqual({
      ok: true,
      value: { service: 'payment-api', namespace: 'shop', metric_name: null },
    });
    expect(parseSilenceTarget('shop/payment-api/latency_p99', services, true)).toEqual({
      ok: true,
      value: { service: 'payment-api', namespace: 'shop', metric_name: 'latency_p99' },
    });
    expect(parseSilenceTarget('other/payment-api', services, true).ok).toBe(false);
    expect(parseSilenceTarget('shop/payment-api/latency_p99', services, false).ok).toBe(false);
    expect(parseSilenceTarget('<!channel>', [], true).ok).toBe(false);
    // Without configured services any well-formed name is taken, in any namespace.
    expect(parseSilenceTarget('anything', [], true)).toEqual({
      ok: true,
      value: { service: 'anything', namespace: null, metric_name: null },
    });
  });

  it('reads maintenance times: ISO, HH:MM today, tomorrow HH:MM; the end after the start, within bounds', () => {
    expect(parseMaintenanceWindow(['11:00', '12:30', 'db', 'upgrade'], now)).toEqual({
      ok: true,
      value: {
        startMs: Date.parse('2026-12-01T11:00:00Z'),
        endMs: Date.parse('2026-12-01T12:30:00Z'),
        rest: ['db', 'upgrade'],
      },
    });
    expect(parseMaintenanceWindow(['23:00', 'tomorrow', '01:00'], now)).toMatchObject({
      ok: true,
      value: { startMs: Date.parse('2026-12-01T23:00:00Z'), endMs: Date.parse('2026-12-02T01:00:00Z'), rest: [] },
    });
    expect(parseMaintenanceWindow(['2026-12-01T11:00:00+01:00', '2026-12-01T12:00:00Z'], now)).toMatchObject({
      ok: true,
      value: { startMs: Date.parse('2026-12-01T10:00:00Z') },
    });
    expect(parseMaintenanceWindow(['12:00', '11:00'], now)).toEqual({
      ok: false,
      problem: 'the end must be after the start',
    });
    expect(parseMaintenanceWindow(['08:00', '09:00'], now)).toEqual({
      ok: false,
      problem: 'that window is already over',
    });
    expect(parseMaintenanceWindow(['25:00', '26:00'], now).ok).toBe(false);
  });
});

describe('the ops calendar with silences from Slack', () => {
  const topology = createTopology([
    { name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1, depends_on: [] },
    { name: 'checkout-api', namespace: 'shop', team: 'checkout', tier: 1, depends_on: ['payment-api'] },
  ]);
  const at = (iso: string) => Date.parse(iso);

  it('a series silence holds only that series, for exactly its time, until removed', () => {
    const calendar = createOpsCalendar({ topology, deployGraceMs: 0, maintenanceGraceMs: 900_000 });
    calendar.addSilence(silence({ metric_name: 'latency_p99', reason: '<!channel> drill' }));
    const held = calendar.suppression('payment-api', 'shop', at('2026-12-01T11:00:00Z'), 'latency_p99');
    expect(held).toEqual({
      reason:
        'silence S-00000A of shop/payment-api/latency_p99 by <@U0ONCALL> (&lt;!channel&gt; drill, 10:00–12:00 UTC)',
      maintenance: true,
    });
    expect(calendar.suppression('payment-api', 'shop', at('2026-12-01T11:00:00Z'), 'error_rate')).toBeNull();
    // Not its callers: a silence is not maintenance.
    expect(calendar.suppression('checkout-api', 'shop', at('2026-12-01T11:00:00Z'), 'latency_p99')).toBeNull();
    // Expiry: the time of the anomaly decides, no restart, no grace.
    expect(calendar.suppression('payment-api', 'shop', at('2026-12-01T12:00:01Z'), 'latency_p99')).toBeNull();
    calendar.removeSilence('S-00000A');
    expect(calendar.suppression('payment-api', 'shop', at('2026-12-01T11:00:00Z'), 'latency_p99')).toBeNull();
  });

  it('maintenance from Slack acts as a configured window: its callers too, and recovery grace', () => {
    const calendar = createOpsCalendar({ topology, deployGraceMs: 0, maintenanceGraceMs: 900_000 });
    calendar.addSilence(silence({ kind: 'maintenance', namespace: null, reason: 'upgrade' }));
    expect(calendar.suppression('checkout-api', 'shop', at('2026-12-01T12:10:00Z'))?.reason).toBe(
      'maintenance of payment-api, which checkout-api depends on (upgrade, declared by <@U0ONCALL> as S-00000A, 10:00–12:00 UTC, recovering)',
    );
    calendar.removeSilence('S-00000A');
    expect(calendar.suppression('checkout-api', 'shop', at('2026-12-01T11:00:00Z'))).toBeNull();
  });
});

describe('the silence book and its replies (real SQLite)', () => {
  let db: Db;
  let repos: Repos;
  let told: SilenceChange[];
  beforeEach(() => {
    db = openDatabase(':memory:');
    repos = createRepos(db);
    told = [];
  });
  afterEach(() => db.close());

  it('stores before telling detection, removes once, and lists from the index with a LIMIT', () => {
    let n = 0;
    const book = createSilenceBook({
      repo: repos.silences,
      tell: (c) => told.push(c),
      now: () => now,
      logger: createSilentLogger(),
      newId: () => `S-${String(++n).padStart(6, '0')}`,
    });
    for (let i = 0; i < 20; i += 1) {
      const {
        id: _id,
        created_at: _at,
        ...input
      } = silence({ ends_at: new Date(now.getTime() + (i + 1) * 60_000).toISOString() });
      book.declare(input);
    }
    expect(told).toHaveLength(20);
    expect(repos.silences.countLive(now.toISOString())).toBe(20);
    const page = repos.silences.live(now.toISOString(), 15);
    expect(page.map((s) => s.id)).toEqual(Array.from({ length: 15 }, (_, i) => `S-${String(i + 1).padStart(6, '0')}`));
    const reply = buildSilencesReply(page, 20, now);
    expect(checkBlockKitLimits(reply)).toEqual([]);
    expect(JSON.stringify(reply.blocks)).toContain('…and 5 more');
    expect(book.remove('S-000001', 'U0OTHER')).toMatchObject({ ok: true });
    expect(told.at(-1)).toEqual({ op: 'remove', id: 'S-000001' });
    expect(book.remove('S-000001', 'U0OTHER')).toEqual({
      ok: false,
      message: 'S-000001 was already removed by <@U0OTHER>; nothing changed.',
    });
    expect(repos.silences.countLive(now.toISOString())).toBe(19);
  });

  it('a Home view with full lists stays within 100 blocks and Block Kit limits', () => {
    const many = Array.from({ length: 40 }, (_, i) => silence({ id: `S-${String(i).padStart(6, '0')}` }));
    const view = buildHomeView({
      teams: ['payments'],
      incidents: [],
      incidentTotal: 0,
      approvals: [],
      silences: many,
      silenceTotal: 40,
      actions: [],
      now,
    });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(checkHomeViewLimits(view)).toEqual([]);
    expect(
      checkHomeViewLimits({ type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) }),
    ).not.toEqual([]);
  });

  it('stage health tells Prometheus and Slack errors apart and names the latest', () => {
    const text = stageHealthText([
      { finished_at: '2026-12-01T09:59:00Z', status: 'partial', errors: ['signal latency_p99: fetch failed'] },
      {
        finished_at: '2026-12-01T09:58:00Z',
        status: 'partial',
        errors: ['publish inc-1: channel_not_found', 'signal x: 503'],
      },
      { finished_at: '2026-12-01T09:57:00Z', status: 'ok', errors: [] },
    ]);
    expect(text).toContain(':large_yellow_circle: *Detection:* 1 ok, 2 partial, 0 failed of the last 3 cycles');
    expect(text).toContain(
      ':red_circle: *Prometheus:* 2 query failures in 2 of the last 3 cycles — latest at 09:59 UTC: signal latency_p99: fetch failed',
    );
    expect(text).toContain(
      ':red_circle: *Slack:* 1 failed card posts or updates in 1 of the last 3 cycles — latest at 09:58 UTC: publish inc-1: channel_not_found',
    );
  });

  it('the silence commands say they are unavailable without a silence book, with the usage', async () => {
    const reply = await answerVigilCommand('silence payment-api 2h', {
      repos,
      logger: createSilentLogger(),
      now: () => now,
      seriesTracked: () => 0,
      cycleRunning: () => false,
      lastCycle: () => undefined,
      remediation: undefined,
      republish: async () => undefined,
    });
    expect(reply.text).toContain('Silences are not available in this Vigil.');
  });
});
