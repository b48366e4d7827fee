import { compareText } from '../collections/compare-text.js';
import type { FeedbackLabel } from '../contracts/index.js';
import { FEEDBACK_LABELS } from './label-names.js';

/** How many people gave one label to an incident, and when the latest of them did (if known). */
export interface LabelVotes {
  label: FeedbackLabel;
  votes: number;
  /** ISO time of the most recent of these labels. */
  latest?: string;
}

/**
 * An incident's verdict from its labels, the one rule the scorecard, the backtest and the shadow
 * comparison judge pages by: the label most people gave; a tie goes to the one given most recently
 * where that is known (the latest word settles an even split), then to the earlier label in
 * FEEDBACK_LABELS (useful first: someone found it worth the page), so the answer never depends on
 * row order. Null when nobody labelled it.
 */
export function verdictOf(votes: readonly LabelVotes[]): FeedbackLabel | null {
  let best: LabelVotes | undefined;
  for (const v of votes) {
    if (v.votes <= 0) continue;
    const later = v.latest !== undefined && best?.latest !== undefined ? compareText(v.latest, best.latest) : 0;
    if (
      !best ||
      v.votes > best.votes ||
      (v.votes === best.votes &&
        (later > 0 || (later === 0 && FEEDBACK_LABELS.indexOf(v.label) < FEEDBACK_LABELS.indexOf(best.label))))
    ) {
      best = v;
    }
  }
  return best?.label ?? null;
}

/** verdictOf for label counts alone (no times: ties go by FEEDBACK_LABELS order). */
export function verdictOfCounts(counts: Partial<Record<FeedbackLabel, number>>): FeedbackLabel | null {
  return verdictOf(FEEDBACK_LABELS.map((label) => ({ label, votes: counts[label] ?? 0 })));
}
