import type { FeedbackCalibrationConfig } from '../config/config-schema.js';
import type { FeedbackLabel } from '../contracts/index.js';

/** Labels on a series, by label. */
export type LabelCounts = Partial<Record<FeedbackLabel, number>>;

/**
 * The labels that judge a series' threshold. The others are shown but never move it:
 * - `duplicate` and `wrong_start` say correlation grouped or ranked the incident wrongly; the
 *   series' point was a real deviation, and a stricter threshold would hide the next real one
 *   instead of fixing the grouping.
 * - `expected` says the change was real but planned (maintenance, a migration, a load test): the
 *   cure is a maintenance window or a deploy event, which suppress paging for that time only; a
 *   stricter threshold would stay stricter for every fault after it.
 */
export const VERDICT_LABELS = ['useful', 'noisy', 'late'] as const satisfies readonly FeedbackLabel[];

export type FeedbackDirection = 'raise' | 'lower';

export interface FeedbackStep {
  /** undefined: the labels do not move the series (too few, mixed, or already at its bound). */
  direction: FeedbackDirection | undefined;
  /** The series' tail factor after this run (unchanged without a direction). */
  tailFactor: number;
  /** Why, in words, with the counts: for the audit trail and `/vigil explain`. */
  why: string;
}

export type FeedbackSettings = Pick<
  FeedbackCalibrationConfig,
  'min_labels' | 'max_step_factor' | 'min_score_floor' | 'min_score_ceiling'
>;

/** The verdict labels among these counts, in words: "3 noisy, 1 useful". */
export function describeVerdicts(counts: LabelCounts): string {
  const parts = VERDICT_LABELS.filter((l) => (counts[l] ?? 0) > 0).map((l) => `${counts[l]} ${l}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * How a run moves a series' tail factor, from the labels it has not been moved by yet (`pending`).
 * A majority rule over the verdict labels: at least `min_labels` of them, and more than half `noisy`
 * → stricter (the tail probability 1 - min_score divided by `max_step_factor`), more than half
 * `late` → looser (multiplied by it); a mix moves nothing and its labels wait for more. The factor
 * stays where it can still change the threshold: between what puts the series at
 * `min_score_ceiling` and at `min_score_floor` from `base` (its alert-rate threshold), never moved
 * against its direction, so noisy labels at the ceiling change nothing instead of piling up.
 */
export function feedbackStep(
  settings: FeedbackSettings,
  base: number,
  tailFactor: number,
  pending: LabelCounts,
): FeedbackStep {
  const noisy = pending.noisy ?? 0;
  const late = pending.late ?? 0;
  const total = (pending.useful ?? 0) + noisy + late;
  const counted = describeVerdicts(pending);
  if (total < settings.min_labels)
    return {
      direction: undefined,
      tailFactor,
      why: `${total} new verdict labels (${counted}), ${settings.min_labels} needed`,
    };
  const tail = Math.max(1e-12, 1 - base);
  const step = settings.max_step_factor;
  let direction: FeedbackDirection | undefined;
  let next = tailFactor;
  if (2 * noisy > total) {
    direction = 'raise';
    next = Math.min(tailFactor, Math.max((1 - settings.min_score_ceiling) / tail, tailFactor / step));
  } else if (2 * late > total) {
    direction = 'lower';
    next = Math.max(tailFactor, Math.min((1 - settings.min_score_floor) / tail, tailFactor * step));
  } else {
    return { direction: undefined, tailFactor, why: `mixed labels (${counted}): no majority of noisy or late` };
  }
  if (next === tailFactor) {
    const bound = direction === 'raise' ? `ceiling ${settings.min_score_ceiling}` : `floor ${settings.min_score_floor}`;
    return { direction: undefined, tailFactor, why: `${counted}, but already at the ${bound}` };
  }
  const verb = direction === 'raise' ? 'mostly noisy: stricter' : 'mostly late: looser';
  return {
    direction,
    tailFactor: next,
    why: `${counted} since the last feedback change, ${verb} (tail ×${round(next / tailFactor)})`,
  };
}

/**
 * A series' min_score: its alert-rate threshold `base` with the feedback factor on its tail
 * (1 - min_score), kept within the configured bounds and never moved against the factor's direction
 * (a stricter factor never loosens a series the alert rate already holds above the ceiling).
 */
export function feedbackMinScore(settings: FeedbackSettings, base: number, tailFactor: number): number {
  if (tailFactor === 1) return base;
  const adjusted = 1 - (1 - base) * tailFactor;
  if (tailFactor < 1) return Math.max(base, Math.min(adjusted, settings.min_score_ceiling));
  return Math.min(base, Math.max(adjusted, settings.min_score_floor));
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}
