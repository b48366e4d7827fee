/**
 * The feedback scorecard: how good Vigil's pages are, by the people who got them. Pure: it takes
 * the rows a ScorecardRepo read for one window (and team) and returns every figure with what it was
 * counted from, so a report can say "75 % (3 of 4 labelled)" and an empty set "no labels yet"
 * instead of NaN.
 *
 * The unit is the incident that paged (its card was due) in the window. Each labelled incident has
 * one verdict: the label most people gave it; a tie goes to the tied label given most recently, so
 * the latest word settles an even split. Every person has one current label per incident (a new
 * one replaces theirs), so the verdicts of the labelled incidents add up to `labelled`.
 */

import { compareText } from '../collections/compare-text.js';
import type { FeedbackLabel } from '../contracts/index.js';
import type { LabelVotesRow, ScorecardRepo, ScorecardRows } from '../storage/scorecard-repo.js';
import { FEEDBACK_LABELS } from './label-names.js';
import { verdictOf } from './verdict.js';

/** `count` of `of`; `value` is their ratio, null when `of` is 0 (nothing to divide). */
export interface Ratio {
  count: number;
  of: number;
  value: number | null;
}

/** The median of `of` durations, null when there are none. */
export interface Median {
  seconds: number | null;
  of: number;
}

/** Precision within one group of incidents (a detector, a starting service, a team). */
export interface GroupPrecision {
  key: string;
  precision: Ratio;
}

export interface TeamPages {
  team: string;
  pages: number;
  /** Pages per 7 days over the window. */
  perWeek: number;
  /** Pages in the window of the same length just before. */
  previous: number;
  /** Relative change from the previous window (0.5 = +50 %), null when it had none. */
  change: number | null;
}

export interface Scorecard {
  /** The window: (since, until], `days` long, up to and including its last moment. */
  since: string;
  until: string;
  days: number;
  /** The team it is about, or null for everyone. */
  team: string | null;
  /** Incidents that paged in the window. */
  paged: number;
  /** Those with at least one label. */
  labelled: number;
  /** Labelled incidents by verdict. */
  verdicts: Record<FeedbackLabel, number>;
  /** useful verdicts of labelled incidents. */
  precision: Ratio;
  /** noisy verdicts of labelled incidents. */
  falsePositiveRate: Ratio;
  /** Labelled of paged incidents. */
  coverage: Ratio;
  duplicateRate: Ratio;
  wrongStartRate: Ratio;
  /** Precision per detector behind the labelled incidents (an incident counts for each of its detectors). */
  byDetector: GroupPrecision[];
  /** Precision per probable starting service. */
  byService: GroupPrecision[];
  byTeam: GroupPrecision[];
  /** From the page to the first acknowledgement or resolution by a person. */
  timeToAcknowledge: Median;
  /** From the page to its resolution (by a person, or by Vigil after the quiet period). */
  timeToResolve: Median;
  /** Real executions (not dry runs) that succeeded, of those that finished. */
  remediationSuccess: Ratio;
  /** Dry runs in the window: described, never sent, so not counted as successes. */
  remediationDryRuns: number;
  /** Pages per team, most first, with the window before for comparison. */
  pagesByTeam: TeamPages[];
}

export interface ScorecardWindow {
  since: string;
  until: string;
  previousSince: string;
  days: number;
  team?: string | undefined;
}

const DAY_MS = 86_400_000;

/** The `days` up to `now`, and the same length before them. */
export function scorecardWindow(now: Date, days: number, team?: string): ScorecardWindow {
  const until = now.getTime();
  return {
    since: new Date(until - days * DAY_MS).toISOString(),
    until: now.toISOString(),
    previousSince: new Date(until - 2 * days * DAY_MS).toISOString(),
    days,
    ...(team === undefined ? {} : { team }),
  };
}

export function ratio(count: number, of: number): Ratio {
  return { count, of, value: of === 0 ? null : count / of };
}

export function median(values: readonly number[]): Median {
  if (values.length === 0) return { seconds: null, of: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const seconds =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { seconds, of: sorted.length };
}

/** Precision per group, the groups with most labelled incidents first. */
function precisionBy(groups: ReadonlyMap<string, { useful: number; labelled: number }>): GroupPrecision[] {
  return [...groups]
    .map(([key, g]) => ({ key, precision: ratio(g.useful, g.labelled) }))
    .sort((a, b) => b.precision.of - a.precision.of || compareText(a.key, b.key));
}

function tally(groups: Map<string, { useful: number; labelled: number }>, key: string, useful: boolean): void {
  const g = groups.get(key) ?? { useful: 0, labelled: 0 };
  g.labelled += 1;
  if (useful) g.useful += 1;
  groups.set(key, g);
}

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

export function computeScorecard(rows: ScorecardRows, window: ScorecardWindow): Scorecard {
  const votesOf = new Map<string, LabelVotesRow[]>();
  for (const v of rows.votes) votesOf.set(v.incident_id, [...(votesOf.get(v.incident_id) ?? []), v]);
  const detectorsOf = new Map<string, string[]>();
  for (const d of rows.detectors)
    detectorsOf.set(d.incident_id, [...(detectorsOf.get(d.incident_id) ?? []), d.detector]);

  const verdicts = Object.fromEntries(FEEDBACK_LABELS.map((l) => [l, 0])) as Record<FeedbackLabel, number>;
  const byDetector = new Map<string, { useful: number; labelled: number }>();
  const byService = new Map<string, { useful: number; labelled: number }>();
  const byTeam = new Map<string, { useful: number; labelled: number }>();
  const pages = new Map<string, number>();
  const toAcknowledge: number[] = [];
  const toResolve: number[] = [];
  let labelled = 0;
  for (const incident of rows.incidents) {
    pages.set(incident.team, (pages.get(incident.team) ?? 0) + 1);
    if (incident.responded_at) toAcknowledge.push(seconds(incident.opened_at, incident.responded_at));
    if (incident.resolved_at) toResolve.push(seconds(incident.opened_at, incident.resolved_at));
    const verdict = verdictOf(votesOf.get(incident.id) ?? []);
    if (!verdict) continue;
    labelled += 1;
    verdicts[verdict] += 1;
    const useful = verdict === 'useful';
    for (const detector of detectorsOf.get(incident.id) ?? []) tally(byDetector, detector, useful);
    tally(byService, incident.service, useful);
    tally(byTeam, incident.team, useful);
  }

  const previous = new Map(rows.previousPages.map((p) => [p.team, p.pages]));
  const teams = new Set([...pages.keys(), ...previous.keys()]);
  const pagesByTeam = [...teams]
    .map((team): TeamPages => {
      const now = pages.get(team) ?? 0;
      const before = previous.get(team) ?? 0;
      return {
        team,
        pages: now,
        perWeek: (now * 7) / window.days,
        previous: before,
        change: before === 0 ? null : (now - before) / before,
      };
    })
    .sort((a, b) => b.pages - a.pages || b.previous - a.previous || compareText(a.team, b.team));

  const finished = rows.remediation.filter(
    (r) => !r.dry_run && (r.status === 'succeeded' || r.status === 'failed' || r.status === 'needs_attention'),
  );
  const count = (rs: typeof finished, status?: string) =>
    rs.filter((r) => status === undefined || r.status === status).reduce((n, r) => n + r.requests, 0);

  return {
    since: window.since,
    until: window.until,
    days: window.days,
    team: window.team ?? null,
    paged: rows.incidents.length,
    labelled,
    verdicts,
    precision: ratio(verdicts.useful, labelled),
    falsePositiveRate: ratio(verdicts.noisy, labelled),
    coverage: ratio(labelled, rows.incidents.length),
    duplicateRate: ratio(verdicts.duplicate, labelled),
    wrongStartRate: ratio(verdicts.wrong_start, labelled),
    byDetector: precisionBy(byDetector),
    byService: precisionBy(byService),
    byTeam: precisionBy(byTeam),
    timeToAcknowledge: median(toAcknowledge),
    timeToResolve: median(toResolve),
    remediationSuccess: ratio(count(finished, 'succeeded'), count(finished)),
    remediationDryRuns: rows.remediation.filter((r) => r.dry_run).reduce((n, r) => n + r.requests, 0),
    pagesByTeam,
  };
}

/** The scorecard of the `days` up to `now`, for one team or everyone, read through the repo. */
export function readScorecard(repo: ScorecardRepo, options: { now: Date; days: number; team?: string }): Scorecard {
  const window = scorecardWindow(options.now, options.days, options.team);
  return computeScorecard(repo.read(window), window);
}
