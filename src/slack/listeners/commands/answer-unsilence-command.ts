import { z } from 'zod';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply } from '../../blocks/build-command-replies.js';
import { buildSilenceRefusal, buildSilenceRemovedReply } from '../../blocks/build-silence-replies.js';
import type { ListenerDeps } from '../deps.js';

const UNSILENCE_USAGE = '/vigil unsilence <silence id, e.g. S-1A2B3C>';
export const SilenceIdSchema = z.string().regex(/^S-[0-9A-F]{6}$/i);

/** `/vigil unsilence <id>`: ends a silence or maintenance early; who did it is kept. */
export function answerUnsilenceCommand(args: readonly string[], deps: ListenerDeps, user: string): SlackMessage {
  const parsed = z.tuple([SilenceIdSchema]).safeParse(args);
  if (!parsed.success) return buildUsageReply(`\`unsilence\` takes one silence id: \`${UNSILENCE_USAGE}\``);
  if (!deps.silences) return buildUsageReply('Silences are not available in this Vigil.');
  const outcome = deps.silences.remove(parsed.data[0].toUpperCase(), user);
  if (!outcome.ok) return buildSilenceRefusal(outcome.message);
  return buildSilenceRemovedReply(outcome.silence, user);
}
