import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

  it('stores 👍/👎 on a card, ignores other emoji and other messages, and forgets a removed reaction', () => {
    const id = openIncident();
    repos.incidents.setMessage(id, 'C0PAY', '1760000000.000100');
    const item = { type: 'message', channel: 'C0PAY', ts: '1760000000.000100' };
    expect(recordReaction({ reaction: '+1', user: 'U1', item }, true, deps)).toBe('stored');
    expect(recordReaction({ reaction: '+1', user: 'U1', item }, true, deps)).toBe('unchanged');
    expect(recordReaction({ reaction: 'thumbsdown', user: 'U2', item }, true, deps)).toBe('stored');
    expect(recordReaction({ reaction: 'tada', user: 'U2', item }, true, deps)).toBe('ignored');
    expect(recordReaction({ reaction: '+1', user: 'U3', item: { ...item, ts: '1.2' } }, true, deps)).toBe('ignored');
    expect(recordReaction({ reaction: '+1', user: 'U3', item: { type: 'file' } }, true, deps)).toBe('ignored');
    expect(repos.feedback.listForIncident(id).map((f) => [f.slack_user, f.label])).toEqual([
      ['U1', 'useful'],
      ['U2', 'noisy'],
    ]);
    expect(recordReaction({ reaction: '+1', user: 'U1', item }, false, deps)).toBe('removed');
    expect(repos.feedback.listForIncident(id).map((f) => f.label)).toEqual(['noisy']);
  });
});
