import { median } from 'simple-statistics';
import type { FeedbackLabel } from '../contracts/index.js';
import { verdictOfCounts } from '../feedback/verdict.js';
import type { LabelledPage, PageSpan } from '../storage/shadow-repo.js';

/** A figure with what it is made of: `num` of `den` (value null when there is nothing to divide). */
export interface Ratio {
  num: number;
  den: number;
}

export interface ShadowComparison {
  /** Pages opened in the window. */
  championPages: number;
  challengerPages: number;
  /** Champion pages in the window with at least one label, and those judged useful. */
  labelled: number;
  useful: number;
  /** Useful of labelled: the champion's own; the challenger's over the labelled pages it would also have opened. */
  championPrecision: Ratio;
  challengerPrecision: Ratio;
  /** Useful incidents opened: the champion opened every one it was labelled on, by construction. */
  championRecall: Ratio;
  challengerRecall: Ratio;
  /** Labelled champion pages judged not useful that the challenger would not have opened. */
  notUsefulSkipped: Ratio;
  /**
   * Challenger's open time minus the champion's on labelled pages both opened, in minutes: negative
   * is earlier. Median, and how many pages it is the median of.
   */
  openDelayMinutes: { median: number | null; count: number };
  /** Challenger pages in the window that match no champion page at all: what it would add, unlabelled. */
  extraPages: number;
}

/** Whether the people who labelled a page found it useful: its verdict (see verdictOf) is `useful`. */
export function judgedUseful(labels: Partial<Record<FeedbackLabel, number>>): boolean {
  return verdictOfCounts(labels) === 'useful';
}

const labelCount = (labels: Partial<Record<FeedbackLabel, number>>) =>
  Object.values(labels).reduce((sum: number, n) => sum + (n ?? 0), 0);

/**
 * The same story told by both: the same namespace, a service in common, and their anomalies within
 * the correlation window of each other (the rule by which correlation would have joined them).
 */
export function overlaps(a: PageSpan, b: PageSpan, windowMs: number): boolean {
  if (a.namespace !== b.namespace) return false;
  if (a.onsetAt > b.lastAnomalyAt + windowMs || b.onsetAt > a.lastAnomalyAt + windowMs) return false;
  return a.services.some((s) => b.services.includes(s));
}

/** Pages by namespace/service: a page is compared only with those that share a service with it. */
function byService(pages: readonly PageSpan[]): Map<string, PageSpan[]> {
  const index = new Map<string, PageSpan[]>();
  for (const p of pages) {
    for (const s of p.services) {
      const key = `${p.namespace}/${s}`;
      const list = index.get(key);
      if (list) list.push(p);
      else index.set(key, [p]);
    }
  }
  return index;
}

function matchesOf(page: PageSpan, index: Map<string, PageSpan[]>, windowMs: number): PageSpan[] {
  const found = new Set<PageSpan>();
  for (const s of page.services)
    for (const other of index.get(`${page.namespace}/${s}`) ?? [])
      if (overlaps(page, other, windowMs)) found.add(other);
  return [...found];
}

export interface CompareInput {
  /** Champion and challenger pages opened from a margin before the window (for overlaps at its start). */
  champion: readonly LabelledPage[];
  challenger: readonly PageSpan[];
  /** The window [fromMs, toMs] (toMs: now): only pages opened in it are counted. */
  fromMs: number;
  toMs: number;
  /** correlation.window_seconds in ms. */
  windowMs: number;
}

/**
 * Champion against challenger on the labelled champion pages of a window: for each, whether the
 * challenger would have opened one overlapping it, and for each challenger page, whether the
 * champion opened one. Pure: rows in, figures (each with its count) out.
 */
export function compareShadow(input: CompareInput): ShadowComparison {
  const inWindow = (p: PageSpan) => p.openedAt >= input.fromMs && p.openedAt <= input.toMs;
  const champion = input.champion.filter(inWindow);
  const challenger = input.challenger.filter(inWindow);
  const challengerIndex = byService(input.challenger);
  const championIndex = byService(input.champion);
  let labelled = 0;
  let useful = 0;
  let labelledMatched = 0;
  let usefulMatched = 0;
  let notUseful = 0;
  let notUsefulSkipped = 0;
  const delays: number[] = [];
  for (const page of champion) {
    if (labelCount(page.labels) === 0) continue;
    labelled += 1;
    const isUseful = judgedUseful(page.labels);
    if (isUseful) useful += 1;
    else notUseful += 1;
    const matches = matchesOf(page, challengerIndex, input.windowMs);
    if (matches.length === 0) {
      if (!isUseful) notUsefulSkipped += 1;
      continue;
    }
    labelledMatched += 1;
    if (isUseful) usefulMatched += 1;
    let first = Number.POSITIVE_INFINITY;
    for (const m of matches) first = Math.min(first, m.openedAt);
    delays.push((first - page.openedAt) / 60_000);
  }
  let extraPages = 0;
  for (const page of challenger) if (matchesOf(page, championIndex, input.windowMs).length === 0) extraPages += 1;
  return {
    championPages: champion.length,
    challengerPages: challenger.length,
    labelled,
    useful,
    championPrecision: { num: useful, den: labelled },
    challengerPrecision: { num: usefulMatched, den: labelledMatched },
    championRecall: { num: useful, den: useful },
    challengerRecall: { num: usefulMatched, den: useful },
    notUsefulSkipped: { num: notUsefulSkipped, den: notUseful },
    openDelayMinutes: { median: delays.length > 0 ? median(delays) : null, count: delays.length },
    extraPages,
  };
}
