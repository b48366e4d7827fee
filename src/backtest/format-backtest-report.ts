import type { FeedbackLabel } from '../contracts/index.js';
import type { PageMatch, StoredIncident } from './compare-with-stored.js';
import type { BacktestReport } from './run-backtest.js';

/** Would-be pages listed one by one; the rest are counted. */
export const PAGES_LISTED = 15;
/** Stored incidents not reproduced, listed one by one; the rest are counted. */
export const MISSED_LISTED = 5;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** `2026-11-24 10:02` (UTC). */
const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export function describeScope(report: Pick<BacktestReport, 'target' | 'scope' | 'days'>): string {
  return `${report.target} (${report.scope.kind}) over ${plural(report.days, 'day')}`;
}

/** "5 labelled useful, 2 noisy, 2 unlabelled" for a set of stored incidents; "" for none. */
function labelSummary(labels: ReadonlyArray<FeedbackLabel | null>): string {
  const counts = new Map<FeedbackLabel, number>();
  let unlabelled = 0;
  for (const label of labels) {
    if (label === null) unlabelled += 1;
    else counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([label, n], i) => (i === 0 ? `${n} labelled ${label}` : `${n} ${label}`));
  if (unlabelled > 0) parts.push(`${unlabelled} unlabelled`);
  return parts.join(', ');
}

/** The one-line verdict: "12 would page; 9 match a stored incident (5 labelled useful, 2 noisy); 3 new; 1 stored incident not reproduced". */
export function backtestSummary(report: BacktestReport): string {
  const { pages, missed } = report.comparison;
  const head = `${pages.length} would page`;
  if (!report.stored.compared) return `${head} (no stored incidents to compare with)`;
  const matched = pages.filter((p) => p.stored !== null);
  const labels = labelSummary(matched.map((p) => (p.stored as StoredIncident).label));
  const missedLabels = labelSummary(missed.map((m) => m.label));
  const more = report.stored.truncated ? ` (of the first ${report.stored.count} stored)` : '';
  return (
    `${head}; ${matched.length} match a stored incident${labels ? ` (${labels})` : ''}; ` +
    `${pages.length - matched.length} new; ${plural(missed.length, 'stored incident')} not reproduced` +
    `${missedLabels ? ` (${missedLabels})` : ''}${more}`
  );
}

function pageLine(match: PageMatch): string {
  const { page, stored } = match;
  const verdict = stored ? `matches ${stored.id}${stored.label ? ` (${stored.label})` : ''}` : 'new';
  return (
    `• ${minute(page.openedMs)} UTC ${page.severity} ${page.services.join(', ')}` +
    ` (probably ${page.probableStart}): ${verdict}`
  );
}

/**
 * The report as plain lines, the same for the command line and Slack (which escapes them): the
 * verdict, then when each page would have come (the first PAGES_LISTED), then stored incidents the
 * backtest did not reproduce (the first MISSED_LISTED).
 */
export function formatBacktestReport(report: BacktestReport): string[] {
  const { pages, missed } = report.comparison;
  const lines = [
    `Backtest of ${describeScope(report)}, ${minute(Date.parse(report.fromIso))} → ${minute(Date.parse(report.toIso))} UTC: ` +
      `${plural(report.series, 'series', 'series')}, ${plural(report.cycles, 'cycle')}, ${plural(report.anomalies, 'anomaly', 'anomalies')}, ` +
      `${report.recorded} recorded without paging.`,
    `${backtestSummary(report)}.`,
  ];
  if (pages.length > 0) {
    lines.push('Would page:');
    for (const match of pages.slice(0, PAGES_LISTED)) lines.push(pageLine(match));
    if (pages.length > PAGES_LISTED) lines.push(`…and ${pages.length - PAGES_LISTED} more`);
  }
  if (missed.length > 0) {
    lines.push('Stored, not reproduced:');
    for (const m of missed.slice(0, MISSED_LISTED)) {
      lines.push(`• ${minute(m.openedMs)} UTC ${m.id} ${m.services.join(', ')}${m.label ? ` (${m.label})` : ''}`);
    }
    if (missed.length > MISSED_LISTED) lines.push(`…and ${missed.length - MISSED_LISTED} more`);
  }
  return lines;
}
