import type { FeedbackLabel } from '../contracts/index.js';

/** Reaction names (as Slack sends them, without colons) that mean 👍 useful and 👎 noisy. */
export interface FeedbackEmoji {
  useful_emoji: readonly string[];
  noisy_emoji: readonly string[];
}

/** Slack's canonical names for 👍 and 👎 and their aliases: a client may send either. */
export const DEFAULT_FEEDBACK_EMOJI: FeedbackEmoji = {
  useful_emoji: ['+1', 'thumbsup'],
  noisy_emoji: ['-1', 'thumbsdown'],
};

/** A skin tone travels in the reaction's name (`+1::skin-tone-3`): it is the same 👍. */
const SKIN_TONE = /::skin-tone-\d$/;

/** The label a reaction stands for, if it is one of the configured feedback emoji. */
export function labelOfReaction(
  reaction: string,
  emoji: FeedbackEmoji = DEFAULT_FEEDBACK_EMOJI,
): Extract<FeedbackLabel, 'useful' | 'noisy'> | undefined {
  const name = reaction.replace(SKIN_TONE, '');
  if (emoji.useful_emoji.includes(name)) return 'useful';
  if (emoji.noisy_emoji.includes(name)) return 'noisy';
  return undefined;
}
