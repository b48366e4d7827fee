/**
 * The feedback scorecard's math on constructed label sets, read through the real ScorecardRepo from
 * real SQLite with the real migrations: every figure with the count behind it, a team filter, the
 * window's edges, mixed labels, and empty sets that say so instead of NaN.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnomalyEvent, FeedbackLabel } from '../../src/contracts/index.js';
import { computeScorecard, readScorecard, scorecardWindow } from '../../src/feedback/scorecard.js';
import { verdictOf } from '../../src/feedback/verdict.js';
import { changeStatus } from '../../src/incidents/change-status.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { checkBlockKitLimits } from '../../src/slack/blocks/block-kit-limits.js';
import { buildScorecardReply } from '../../src/slack/blocks/build-scorecard-reply.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

const NOW = new Date('2026-04-28T12:00:00.000Z');
const MINUTE = 60_000;
const at = (iso: string, plusMinutes = 0) => new Date(Date.parse(iso) + plusMinutes * MINUTE);

describe('the scorecard on real SQLite', () => {
  let db: Db;
  let repos: Repos;

  beforeEach(() => {
    db = openDatabase(':memory:');
    repos = createRepos(db);
  });
  afterEach(() => db.close());

  /** An incident that paged at `opened`, of `team`, starting at `service`, with one anomaly per detector. */
  function paged(
    id: string,
    team: string,
    service: string,
    opened: string,
    detectors: AnomalyEvent['detector'][] = ['robust_mad'],
  ): void {
    const anomalies = detectors.map((detector, i) =>
      makeAnomaly(service, at(opened, -(i + 1)).toISOString(), { detector, metric_name: `signal_${i}` }),
    );
    repos.anomalies.insert(anomalies, opened);
    repos.incidents.save(
      { ...makeOpenIncident(id, [service], opened), team, channel: `#team-${team}` },
      anomalies.map((a) => ({ id: a.id, suppressed: false })),
      { incident_id: id, from_status: null, to_status: 'open', actor: 'vigil', reason: 'opened', at: opened },
    );
  }

  function label(id: string, user: string, value: FeedbackLabel, when: string): void {
    repos.feedback.set({ incident_id: id, slack_user: user, label: value, source: 'reaction', created_at: when });
  }

  function moved(id: string, to: 'acknowledged' | 'resolved', actor: string, when: Date): void {
    const result = changeStatus(repos.incidents, id, to, actor, `${to} in a test`, when);
    if (!result.ok) throw new Error(result.message);
  }

  /** A remediation request started at `started` that ended `status`. */
  function remediation(n: number, incident: string, started: string, status: 'succeeded' | 'failed', dryRun = false) {
    const id = `RQ-${n}`;
    repos.remediation.insert({
      id,
      incident_id: incident,
      action_id: 'restart',
      kind: 'kubernetes.rollout_restart',
      target: `svc-${n}`,
      params: { kind: 'kubernetes.rollout_restart', namespace: 'shop', deployment: `svc-${n}` },
      risk: 'low',
      status: 'proposed',
      dry_run: dryRun,
      idempotency_key: `${incident}/restart/svc-${n}`,
      requested_by: 'U1',
      requested_at: started,
      expires_at: at(started, 15).toISOString(),
      preview: 'restart',
    });
    expect(repos.remediation.transition(id, ['proposed'], 'approved', { decided_by: 'U2', decided_at: started })).toBe(
      true,
    );
    expect(repos.remediation.transition(id, ['approved'], 'executing', { started_at: started })).toBe(true);
    expect(repos.remediation.transition(id, ['executing'], status, { finished_at: at(started, 1).toISOString() })).toBe(
      true,
    );
  }

  /**
   * Six incidents paged in the week to NOW (payments: A B C, checkout: D E F), three the week before
   * (payments G, checkout J K, platform L), one long before (I), one that never paged (H).
   */
  function constructed(): void {
    // A: two people say useful. Acknowledged after 4 min, resolved by Vigil after 40.
    paged('A', 'payments', 'payment-api', '2026-04-22T10:00:00.000Z', ['robust_mad', 'seasonal']);
    label('A', 'U1', 'useful', '2026-04-22T10:05:00.000Z');
    label('A', 'U2', 'useful', '2026-04-22T10:06:00.000Z');
    moved('A', 'acknowledged', 'U1', at('2026-04-22T10:00:00.000Z', 4));
    moved('A', 'resolved', 'vigil', at('2026-04-22T10:00:00.000Z', 40));
    // B: noisy; a person resolved it after 10 min without acknowledging it first.
    paged('B', 'payments', 'payment-api', '2026-04-23T10:00:00.000Z', ['level_shift']);
    label('B', 'U1', 'noisy', '2026-04-23T10:03:00.000Z');
    moved('B', 'resolved', 'U1', at('2026-04-23T10:00:00.000Z', 10));
    // C: one useful, one noisy given later: a tie goes to the latest, noisy. Still open.
    paged('C', 'payments', 'postgres', '2026-04-24T10:00:00.000Z', ['robust_mad']);
    label('C', 'U1', 'useful', '2026-04-24T10:10:00.000Z');
    label('C', 'U2', 'noisy', '2026-04-24T10:20:00.000Z');
    // D: duplicate once, wrong starting service twice: the majority wins. Acknowledged after 2 min.
    paged('D', 'checkout', 'checkout-api', '2026-04-25T10:00:00.000Z', ['level_shift']);
    label('D', 'U1', 'duplicate', '2026-04-25T10:30:00.000Z');
    label('D', 'U2', 'wrong_start', '2026-04-25T10:05:00.000Z');
    label('D', 'U3', 'wrong_start', '2026-04-25T10:06:00.000Z');
    moved('D', 'acknowledged', 'U2', at('2026-04-25T10:00:00.000Z', 2));
    // E and F: nobody labelled them; F was resolved by Vigil after an hour.
    paged('E', 'checkout', 'checkout-api', '2026-04-26T10:00:00.000Z');
    paged('F', 'checkout', 'checkout-api', '2026-04-27T10:00:00.000Z');
    moved('F', 'resolved', 'vigil', at('2026-04-27T10:00:00.000Z', 60));
    // The week before: counted only as the previous week's pages.
    paged('G', 'payments', 'payment-api', '2026-04-15T10:00:00.000Z');
    label('G', 'U1', 'useful', '2026-04-15T10:05:00.000Z');
    paged('J', 'checkout', 'checkout-api', '2026-04-16T10:00:00.000Z');
    paged('K', 'checkout', 'checkout-api', '2026-04-17T10:00:00.000Z');
    paged('L', 'platform', 'inventory', '2026-04-18T10:00:00.000Z');
    // Long before both windows.
    paged('I', 'payments', 'payment-api', '2026-04-01T10:00:00.000Z');
    label('I', 'U1', 'noisy', '2026-04-01T10:05:00.000Z');
    // H was recorded in the window but never paged (below the evidence bar): not a page.
    repos.incidents.save(
      { ...makeOpenIncident('H', ['payment-api'], '2026-04-26T11:00:00.000Z'), pending: true, opened_at: null },
      [],
    );
    // Remediation: in the window two real successes, one failure, one dry run; one long before.
    remediation(1, 'A', '2026-04-22T10:10:00.000Z', 'succeeded');
    remediation(2, 'A', '2026-04-22T10:20:00.000Z', 'failed');
    remediation(3, 'B', '2026-04-23T10:05:00.000Z', 'succeeded', true);
    remediation(4, 'D', '2026-04-25T10:10:00.000Z', 'succeeded');
    remediation(5, 'G', '2026-04-15T10:10:00.000Z', 'failed');
  }

  it('computes every figure with the count behind it', () => {
    constructed();
    const card = readScorecard(repos.scorecard, { now: NOW, days: 7 });
    expect(card.since).toBe('2026-04-21T12:00:00.000Z');
    expect(card.until).toBe('2026-04-28T12:00:00.000Z');
    expect(card.team).toBeNull();
    expect(card.paged).toBe(6);
    expect(card.labelled).toBe(4);
    expect(card.verdicts).toEqual({ useful: 1, noisy: 2, late: 0, duplicate: 0, wrong_start: 1, expected: 0 });
    expect(card.precision).toEqual({ count: 1, of: 4, value: 0.25 });
    expect(card.falsePositiveRate).toEqual({ count: 2, of: 4, value: 0.5 });
    expect(card.coverage).toEqual({ count: 4, of: 6, value: 4 / 6 });
    expect(card.duplicateRate).toEqual({ count: 0, of: 4, value: 0 });
    expect(card.wrongStartRate).toEqual({ count: 1, of: 4, value: 0.25 });
    // An incident counts for each detector its labels judged.
    expect(card.byDetector).toEqual([
      { key: 'level_shift', precision: { count: 0, of: 2, value: 0 } },
      { key: 'robust_mad', precision: { count: 1, of: 2, value: 0.5 } },
      { key: 'seasonal', precision: { count: 1, of: 1, value: 1 } },
    ]);
    expect(card.byService).toEqual([
      { key: 'payment-api', precision: { count: 1, of: 2, value: 0.5 } },
      { key: 'checkout-api', precision: { count: 0, of: 1, value: 0 } },
      { key: 'postgres', precision: { count: 0, of: 1, value: 0 } },
    ]);
    expect(card.byTeam).toEqual([
      { key: 'payments', precision: { count: 1, of: 3, value: 1 / 3 } },
      { key: 'checkout', precision: { count: 0, of: 1, value: 0 } },
    ]);
    // First response by a person: A 4 min (ack), B 10 min (resolved), D 2 min.
    expect(card.timeToAcknowledge).toEqual({ seconds: 240, of: 3 });
    // Resolutions: B 10 min, A 40 min, F 60 min.
    expect(card.timeToResolve).toEqual({ seconds: 2400, of: 3 });
    expect(card.remediationSuccess).toEqual({ count: 2, of: 3, value: 2 / 3 });
    expect(card.remediationDryRuns).toBe(1);
    expect(card.pagesByTeam).toEqual([
      { team: 'checkout', pages: 3, perWeek: 3, previous: 2, change: 0.5 },
      { team: 'payments', pages: 3, perWeek: 3, previous: 1, change: 2 },
      { team: 'platform', pages: 0, perWeek: 0, previous: 1, change: -1 },
    ]);
  });

  it('says each figure with its count in the reply, within Block Kit limits', () => {
    constructed();
    const reply = buildScorecardReply(readScorecard(repos.scorecard, { now: NOW, days: 7 }));
    expect(checkBlockKitLimits(reply)).toEqual([]);
    const text = JSON.stringify(reply.blocks);
    for (const line of [
      '*Vigil scorecard* · last 7 days (2026-04-21 – 2026-04-28)',
      '*Pages:* 6 · *labelled:* 4 · *label coverage:* 67 % (4 of 6 paged)',
      '*Alert precision:* 25 % (1 of 4 labelled)',
      '*False-positive rate:* 50 % (2 of 4 labelled)',
      '*Duplicates:* 0 % (0 of 4 labelled) · *wrong starting service:* 25 % (1 of 4 labelled)',
      '*Verdicts:* 1 useful · 2 noisy · 1 wrong start',
      '*Median time to acknowledge:* 4 min (3 acknowledged)',
      '*Median time to resolve:* 40 min (3 resolved)',
      '*Remediation success:* 67 % (2 of 3 run) · 1 dry run not counted',
      '*Precision by detector:* level_shift 0 % (0 of 2 labelled) · robust_mad 50 % (1 of 2 labelled) · seasonal 100 % (1 of 1 labelled)',
      '*Precision by team:* payments 33 % (1 of 3 labelled) · checkout 0 % (0 of 1 labelled)',
      '*Pages per team* (vs the 7 days before): checkout 3 (2 before, +50 %) · payments 3 (1 before, +200 %) · platform 0 (1 before, -100 %)',
    ]) {
      expect(text).toContain(line);
    }
    expect(reply.text).toBe(
      'Vigil scorecard · last 7 days: precision 25 % (1 of 4 labelled), coverage 67 % (4 of 6 paged)',
    );
  });

  it('narrows every figure to one team', () => {
    constructed();
    const card = readScorecard(repos.scorecard, { now: NOW, days: 7, team: 'payments' });
    expect(card.team).toBe('payments');
    expect(card.paged).toBe(3);
    expect(card.labelled).toBe(3);
    expect(card.precision).toEqual({ count: 1, of: 3, value: 1 / 3 });
    expect(card.falsePositiveRate).toEqual({ count: 2, of: 3, value: 2 / 3 });
    expect(card.coverage).toEqual({ count: 3, of: 3, value: 1 });
    expect(card.byTeam.map((g) => g.key)).toEqual(['payments']);
    expect(card.timeToAcknowledge).toEqual({ seconds: 420, of: 2 });
    expect(card.timeToResolve).toEqual({ seconds: 1500, of: 2 });
    // D's restart was checkout's: one success and one failure of payments' remain.
    expect(card.remediationSuccess).toEqual({ count: 1, of: 2, value: 0.5 });
    expect(card.remediationDryRuns).toBe(1);
    expect(card.pagesByTeam).toEqual([{ team: 'payments', pages: 3, perWeek: 3, previous: 1, change: 2 }]);
    expect(JSON.stringify(buildScorecardReply(card).blocks)).not.toContain('Precision by team');
  });

  it('counts a longer window per week and compares it with as long a window before', () => {
    constructed();
    const card = readScorecard(repos.scorecard, { now: NOW, days: 14 });
    // Everything of the last 14 days except I; the 14 days before hold I alone.
    expect(card.paged).toBe(10);
    expect(card.labelled).toBe(5);
    expect(card.precision).toEqual({ count: 2, of: 5, value: 0.4 });
    expect(card.pagesByTeam).toEqual([
      { team: 'checkout', pages: 5, perWeek: 2.5, previous: 0, change: null },
      { team: 'payments', pages: 4, perWeek: 2, previous: 1, change: 3 },
      { team: 'platform', pages: 1, perWeek: 0.5, previous: 0, change: null },
    ]);
    expect(JSON.stringify(buildScorecardReply(card).blocks)).toContain('checkout 5 (2.5/week; 0 before, new)');
  });

  it('the window runs up to and including now; an incident paged at its start belongs to the window before', () => {
    const window = scorecardWindow(NOW, 7);
    paged('edge-start', 'payments', 'payment-api', window.since);
    paged('edge-now', 'payments', 'payment-api', window.until);
    const card = readScorecard(repos.scorecard, { now: NOW, days: 7 });
    expect(card.paged).toBe(1);
    expect(card.pagesByTeam).toEqual([{ team: 'payments', pages: 1, perWeek: 1, previous: 1, change: 0 }]);
  });

  it('a removed label leaves the incident unlabelled again', () => {
    paged('A', 'payments', 'payment-api', '2026-04-22T10:00:00.000Z');
    label('A', 'U1', 'noisy', '2026-04-22T10:05:00.000Z');
    expect(readScorecard(repos.scorecard, { now: NOW, days: 7 }).falsePositiveRate.count).toBe(1);
    expect(repos.feedback.remove('A', 'U1', 'noisy')).toBe(true);
    const card = readScorecard(repos.scorecard, { now: NOW, days: 7 });
    expect(card.labelled).toBe(0);
    expect(card.coverage).toEqual({ count: 0, of: 1, value: 0 });
    expect(card.falsePositiveRate).toEqual({ count: 0, of: 0, value: null });
  });

  it('with no pages at all, every figure is empty, and the reply says so instead of NaN', () => {
    const card = readScorecard(repos.scorecard, { now: NOW, days: 7 });
    expect(card.paged).toBe(0);
    expect(card.labelled).toBe(0);
    for (const r of [card.precision, card.falsePositiveRate, card.coverage, card.duplicateRate, card.wrongStartRate]) {
      expect(r).toEqual({ count: 0, of: 0, value: null });
    }
    expect(card.timeToAcknowledge).toEqual({ seconds: null, of: 0 });
    expect(card.timeToResolve).toEqual({ seconds: null, of: 0 });
    expect(card.remediationSuccess).toEqual({ count: 0, of: 0, value: null });
    expect(card.byDetector).toEqual([]);
    expect(card.pagesByTeam).toEqual([]);
    const reply = buildScorecardReply(card);
    const text = JSON.stringify(reply.blocks);
    expect(text).not.toContain('NaN');
    expect(text).toContain('*label coverage:* no pages yet');
    expect(text).toContain('*Alert precision:* no labels yet');
    expect(text).toContain('*False-positive rate:* no labels yet');
    expect(text).toContain('*Median time to acknowledge:* none acknowledged yet');
    expect(text).toContain('*Median time to resolve:* none resolved yet');
    expect(text).toContain('*Remediation success:* no actions run yet');
    expect(text).toContain('*Precision by detector:* no labels yet');
    expect(text).toContain('*Pages per team* (vs the 7 days before): no pages');
    expect(checkBlockKitLimits(reply)).toEqual([]);
  });

  it('with pages but no labels, coverage is 0 % and precision has no labels yet', () => {
    paged('A', 'payments', 'payment-api', '2026-04-22T10:00:00.000Z');
    paged('B', 'payments', 'payment-api', '2026-04-23T10:00:00.000Z');
    const text = JSON.stringify(buildScorecardReply(readScorecard(repos.scorecard, { now: NOW, days: 7 })).blocks);
    expect(text).toContain('*label coverage:* 0 % (0 of 2 paged)');
    expect(text).toContain('*Alert precision:* no labels yet');
    expect(text).not.toContain('NaN');
  });

  it('a team with many services stays within Block Kit limits, naming the first few and counting the rest', () => {
    for (let i = 0; i < 40; i += 1) {
      const id = `inc-${i}`;
      paged(
        id,
        'payments',
        `service-${String(i).padStart(2, '0')}-${'x'.repeat(150)}`,
        at(NOW.toISOString(), -60 - i).toISOString(),
      );
      label(id, 'U1', i % 2 === 0 ? 'useful' : 'noisy', NOW.toISOString());
    }
    const reply = buildScorecardReply(readScorecard(repos.scorecard, { now: NOW, days: 7 }));
    expect(checkBlockKitLimits(reply)).toEqual([]);
    expect(JSON.stringify(reply.blocks)).toContain('…and 32 more');
  });
});

describe('verdictOf: how an incident with mixed labels counts', () => {
  it('takes the label most people gave', () => {
    expect(
      verdictOf([
        { label: 'useful', votes: 1, latest: '2026-04-22T10:09:00Z' },
        { label: 'noisy', votes: 2, latest: '2026-04-22T10:01:00Z' },
      ]),
    ).toBe('noisy');
  });

  it('breaks a tie with the latest label, then with the label order', () => {
    const tie = [
      { label: 'noisy' as const, votes: 1, latest: '2026-04-22T10:01:00Z' },
      { label: 'late' as const, votes: 1, latest: '2026-04-22T10:02:00Z' },
    ];
    expect(verdictOf(tie)).toBe('late');
    expect(verdictOf([...tie].reverse())).toBe('late');
    const sameTime = [
      { label: 'expected' as const, votes: 1, latest: '2026-04-22T10:02:00Z' },
      { label: 'useful' as const, votes: 1, latest: '2026-04-22T10:02:00Z' },
    ];
    expect(verdictOf(sameTime)).toBe('useful');
    expect(verdictOf([...sameTime].reverse())).toBe('useful');
  });

  it('has none without labels', () => {
    expect(verdictOf([])).toBeNull();
  });

  it('computeScorecard on no rows is all empty', () => {
    const card = computeScorecard(
      { incidents: [], votes: [], detectors: [], previousPages: [], remediation: [] },
      scorecardWindow(NOW, 7),
    );
    expect(card.precision.value).toBeNull();
    expect(card.coverage.value).toBeNull();
  });
});
