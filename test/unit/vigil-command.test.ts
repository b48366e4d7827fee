import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/contracts/index.js';
import { createTopology } from '../../src/correlation/topology.js';
import { applyAnomalies } from '../../src/incidents/apply-anomalies.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { checkBlockKitLimits } from '../../src/slack/blocks/block-kit-limits.js';
import { answerVigilCommand } from '../../src/slack/listeners/commands/answer-vigil-command.js';
import type { ListenerDeps } from '../../src/slack/listeners/deps.js';
import { recordReaction } from '../../src/slack/listeners/events/record-reaction.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

describe('/vigil and reactions (listener logic on real SQLite)', () => {
  let db: Db;
  let repos: Repos;
  let deps: ListenerDeps;
  let republished: string[];
  const now = new Date('2026-04-21T02:20:00Z');

  beforeEach(() => {
    db = openDatabase(':memory:');
    repos = createRepos(db);
    republished = [];
    deps = {
      repos,
      logger: createSilentLogger(),
      now: () => now,
      seriesTracked: () => 42,
      cycleRunning: () => false,
      lastCycle: () => undefined,
      remediation: undefined,
      republish: async (id) => {
        republished.push(id);
      },
    };
  });
  afterEach(() => db.close());

  function openIncident(): string {
    const events = [makeAnomaly('payment-api', '2026-04-21T02:13:00Z')];
    repos.anomalies.insert(events, now.toISOString());
    const { opened } = applyAnomalies(events, {
      incidents: repos.incidents,
      topology: createTopology([{ name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1, depends_on: [] }]),
      routing: { teamChannels: new Map(), defaultChannel: '#vigil-alerts' },
      settings: lifecycleSettings({ minAnomalies: 1 }),
      now,
    });
    return opened[0] as string;
  }

  it.each(['', 'help', '  HELP  '])('"%s" shows the usage', async (text) => {
    expect((await answerVigilCommand(text, deps)).text).toContain('/vigil status');
  });

  it.each([
    ['frobnicate', 'Unknown command `frobnicate`'],
    ['status now', '`status` takes no arguments'],
    ['incidents --all', '`incidents` takes no arguments'],
  ])('"%s" gets a usage message naming the problem', async (text, problem) => {
    const reply = await answerVigilCommand(text, deps);
    expect(reply.text).toContain(problem);
    expect(reply.text).toContain('/vigil incidents');
  });

  it('status before any cycle, then after one', async () => {
    expect((await answerVigilCommand('status', deps)).text).toContain('none yet');
    repos.cycles.record({
      started_at: '2026-04-21T02:19:00.000Z',
      finished_at: '2026-04-21T02:19:01.000Z',
      duration_ms: 812.4,
      series_scored: 40,
      samples: 2400,
      anomalies: 3,
      incidents_opened: 1,
      incidents_updated: 0,
      errors: [],
      status: 'ok',
    });
    openIncident();
    const text = (await answerVigilCommand('status', deps)).text;
    expect(text).toContain('ok, finished 59 s ago in 812 ms');
    expect(text).toContain('*Series scored:* 40');
    expect(text).toContain('*Series tracked:* 42');
    expect(text).toContain('*Open incidents:* 1');
    expect(text).not.toContain('Last recalibration');
    const run = repos.detectorState.startRun('2026-04-21T02:00:00.000Z');
    repos.detectorState.finishRun(run, '2026-04-21T02:10:00.000Z', 40, 0);
    expect((await answerVigilCommand('status', deps)).text).toContain(
      '*Last recalibration:* ok, 10 min ago: 40 series, 0 threshold changes',
    );
  });

  it('incidents lists open ones with a link once the card exists', async () => {
    expect((await answerVigilCommand('incidents', deps)).text).toContain('No open incidents');
    const id = openIncident();
    expect((await answerVigilCommand('incidents', deps)).text).toContain(`${id} (card not posted yet)`);
    repos.incidents.setMessage(id, 'C0PAY', '1760000000.000100');
    const reply = await answerVigilCommand('incidents', deps);
    expect(reply.text).toContain(`<https://slack.com/archives/C0PAY/p1760000000000100|${id}>`);
    expect(checkBlockKitLimits(reply)).toEqual([]);
  });

  /** Incidents stored straight through the repo, `inc-NN` created NN minutes after 01:00. */
  function storeIncidents(count: number, change: (n: number) => Partial<Incident> = () => ({})): string[] {
    return Array.from({ length: count }, (_, n) => {
      const at = new Date(Date.parse('2026-04-21T01:00:00Z') + n * 60_000).toISOString();
      const incident = { ...makeOpenIncident(`inc-${String(n).padStart(2, '0')}`, ['payment-api'], at), ...change(n) };
      repos.incidents.save(incident, []);
      return incident.id;
    });
  }

  it('status and incidents count open incidents in SQL and read only the page they show', async () => {
    // 30 stored: 25 open, 2 acknowledged, and 3 that are not open incidents with a card.
    const ids = storeIncidents(30, (n) => {
      if (n === 25 || n === 26) return { status: 'acknowledged' };
      if (n === 27) return { status: 'resolved', resolved_at: '2026-04-21T02:00:00.000Z' };
      if (n === 28) return { pending: true, opened_at: null };
      if (n === 29) return { status: 'suppressed', suppression_reason: 'maintenance' };
      return {};
    });
    expect(repos.incidents.countActive()).toBe(27);
    expect(repos.incidents.countActive()).toBe(repos.incidents.listActive().length);
    // The oldest open incident's row no longer reads as an incident (say, written by a newer
    // version): a reply that loaded and validated every open incident would fail on it.
    db.prepare("UPDATE incidents SET hypothesis_json = '{}' WHERE id = ?").run(ids[0]);
    expect(() => repos.incidents.listActive()).toThrow();

    expect((await answerVigilCommand('status', deps)).text).toContain('*Open incidents:* 27');
    const reply = await answerVigilCommand('incidents', deps);
    expect(reply.text).toContain('*27 open incidents*');
    // Newest first, 20 of them, and the rest counted where Slack shows it (the blocks).
    expect(reply.text).toContain('inc-26 (card not posted yet) *CRITICAL* acknowledged · payment-api');
    expect(reply.text).toContain('inc-07');
    expect(reply.text).not.toContain('inc-06');
    expect(reply.text).not.toContain('inc-27');
    expect(reply.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '…and 7 more' }] });
    expect(checkBlockKitLimits(reply)).toEqual([]);
  });

  it('status names the five cards late longest and counts the rest', async () => {
    const ids = storeIncidents(7);
    ids.forEach((id, n) => {
      repos.incidents.setLate(
        id,
        `not_in_channel ${n}`,
        new Date(Date.parse('2026-04-21T02:10:00Z') - n * 60_000).toISOString(),
      );
    });
    const text = (await answerVigilCommand('status', deps)).text;
    expect(text).toContain('*Late cards:* 7');
    expect(text).toContain('• inc-06 (#team-payments), late since 16 min ago: not_in_channel 6');
    expect(text).toContain('inc-02 (#team-payments)');
    expect(text).not.toContain('inc-01 (');
    expect(text).toContain('…and 2 more');
  });

  it('ack and resolve change the stored incident, record who, and update the card; bad ones get usage', async () => {
    const id = openIncident();
    const ack = await answerVigilCommand(`ack ${id}`, deps, 'U0ONCALL');
    expect(ack.text).toBe(`${id} acknowledged by <@U0ONCALL>.`);
    expect(repos.incidents.get(id)?.status).toBe('acknowledged');
    expect((await answerVigilCommand(`ack ${id}`, deps, 'U0OTHER')).text).toContain(
      'only an open incident can be acknowledged',
    );
    const resolved = await answerVigilCommand(`resolve ${id} disk cleaned up`, deps, 'U0ONCALL');
    expect(resolved.text).toContain('resolved by <@U0ONCALL>');
    expect(repos.incidents.get(id)).toMatchObject({ status: 'resolved', resolved_at: now.toISOString() });
    expect(repos.incidents.transitions(id).slice(-2)).toEqual([
      {
        incident_id: id,
        from_status: 'open',
        to_status: 'acknowledged',
        actor: 'U0ONCALL',
        reason: 'acknowledged with /vigil',
        at: now.toISOString(),
      },
      {
        incident_id: id,
        from_status: 'acknowledged',
        to_status: 'resolved',
        actor: 'U0ONCALL',
        reason: 'disk cleaned up',
        at: now.toISOString(),
      },
    ]);
    expect(republished).toEqual([id, id]);
    expect((await answerVigilCommand(`resolve ${id}`, deps)).text).toContain('already resolved');
    expect((await answerVigilCommand('ack', deps)).text).toContain('`ack` takes an incident id');
    expect((await answerVigilCommand('resolve inc-nope', deps)).text).toContain('No incident `inc-nope`');
  });

  it('stats takes --days N and --team T in either form, and counts only the incidents that paged', async () => {
    const id = openIncident();
    repos.feedback.set({
      incident_id: id,
      slack_user: 'U1',
      label: 'useful',
      source: 'menu',
      created_at: now.toISOString(),
    });
    const all = (await answerVigilCommand('stats', deps)).text;
    expect(all).toBe('Vigil scorecard · last 7 days: precision 100 % (1 of 1 labelled), coverage 100 % (1 of 1 paged)');
    const team = await answerVigilCommand('stats --days=14 --team=payments', deps);
    expect(team.text).toContain('last 14 days · team payments: precision 100 % (1 of 1 labelled)');
    expect(checkBlockKitLimits(team)).toEqual([]);
    expect((await answerVigilCommand('stats --team checkout --days 3', deps)).text).toContain(
      'last 3 days · team checkout: precision no labels yet, coverage no pages yet',
    );
    expect((await answerVigilCommand('stats --days=', deps)).text).toContain('`--days` needs a value');
  });

  it('stores 👍/👎 on a card, ignores other emoji and other messages, forgets a removed reaction, and refreshes the card', async () => {
    const id = openIncident();
    repos.incidents.setMessage(id, 'C0PAY', '1760000000.000100');
    const item = { type: 'message', channel: 'C0PAY', ts: '1760000000.000100' };
    expect(await recordReaction({ reaction: '+1', user: 'U1', item }, true, deps)).toBe('stored');
    expect(await recordReaction({ reaction: '+1', user: 'U1', item }, true, deps)).toBe('unchanged');
    // A skin tone is the same reaction.
    expect(await recordReaction({ reaction: 'thumbsdown::skin-tone-3', user: 'U2', item }, true, deps)).toBe('stored');
    expect(await recordReaction({ reaction: 'tada', user: 'U2', item }, true, deps)).toBe('ignored');
    expect(await recordReaction({ reaction: '+1', user: 'U3', item: { ...item, ts: '1.2' } }, true, deps)).toBe(
      'ignored',
    );
    expect(await recordReaction({ reaction: '+1', user: 'U3', item: { type: 'file' } }, true, deps)).toBe('ignored');
    expect(repos.feedback.listForIncident(id).map((f) => [f.slack_user, f.label])).toEqual([
      ['U1', 'useful'],
      ['U2', 'noisy'],
    ]);
    expect(await recordReaction({ reaction: '+1', user: 'U1', item }, false, deps)).toBe('removed');
    expect(repos.feedback.listForIncident(id).map((f) => f.label)).toEqual(['noisy']);
    // The card was rebuilt after each change, and only then.
    expect(republished).toEqual([id, id, id]);
  });
});
