import { type FeedbackLabel, FeedbackLabelSchema } from '../contracts/index.js';

/** Every label, in the order cards, menus and reports list them. */
export const FEEDBACK_LABELS: readonly FeedbackLabel[] = FeedbackLabelSchema.options;

/** How a label reads in a sentence ("2 useful · 1 wrong start"). */
export const LABEL_NAMES: Readonly<Record<FeedbackLabel, string>> = {
  useful: 'useful',
  noisy: 'noisy',
  late: 'late',
  duplicate: 'duplicate',
  wrong_start: 'wrong start',
  expected: 'expected',
};

/** The card menu's choices (plain text, at most 75 characters each). */
export const LABEL_CHOICES: Readonly<Record<FeedbackLabel, string>> = {
  useful: '👍 Useful: worth the page',
  noisy: '👎 Noisy: not worth a page',
  late: '⏰ Late: should have paged sooner',
  duplicate: '🔁 Duplicate of another incident',
  wrong_start: '🧭 Wrong starting service',
  expected: '📅 Expected: planned work',
};
