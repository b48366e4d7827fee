import type { FeedbackLabel } from '../contracts/index.js';

/** An incident the backtest would have paged. */
export interface BacktestPage {
  id: string;
  openedMs: number;
  resolvedMs: number | null;
  services: readonly string[];
  probableStart: string;
  severity: string;
}

/** A stored incident that paged in the same period and scope, with its people's labels. */
export interface StoredIncident {
  id: string;
  openedMs: number;
  resolvedMs: number | null;
  services: readonly string[];
  /** The label most people gave (ties: in FeedbackLabel order); null when nobody labelled it. */
  label: FeedbackLabel | null;
}

export interface PageMatch {
  page: BacktestPage;
  /** The stored incident it reproduces, or null when it is new. */
  stored: StoredIncident | null;
}

export interface Comparison {
  pages: PageMatch[];
  /** Stored incidents no page of the backtest reproduces. */
  missed: StoredIncident[];
}

/**
 * Pairs each would-be page with the stored incident it reproduces: one that shares a service and
 * whose time overlaps it, give or take `toleranceMs` (the correlation window: a story opened a
 * cycle or two apart is the same story). An incident still open counts as lasting to `endMs`. Of
 * several candidates the one opened nearest in time is taken; a stored incident may be reproduced
 * by more than one page (a story the backtest split in two).
 */
export function compareWithStored(
  pages: readonly BacktestPage[],
  stored: readonly StoredIncident[],
  options: { toleranceMs: number; endMs: number },
): Comparison {
  const reproduced = new Set<string>();
  const matches = pages.map((page): PageMatch => {
    const pageEnd = page.resolvedMs ?? options.endMs;
    let best: StoredIncident | null = null;
    for (const s of stored) {
      const storedEnd = s.resolvedMs ?? options.endMs;
      const overlaps = page.openedMs <= storedEnd + options.toleranceMs && s.openedMs <= pageEnd + options.toleranceMs;
      if (!overlaps || !s.services.some((x) => page.services.includes(x))) continue;
      if (!best || Math.abs(s.openedMs - page.openedMs) < Math.abs(best.openedMs - page.openedMs)) best = s;
    }
    if (best) reproduced.add(best.id);
    return { page, stored: best };
  });
  return { pages: matches, missed: stored.filter((s) => !reproduced.has(s.id)) };
}
