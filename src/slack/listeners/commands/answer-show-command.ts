import { z } from 'zod';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { buildUsageReply, permalinkOf } from '../../blocks/build-command-replies.js';
import type { ListenerDeps } from '../deps.js';

const ShowArgsSchema = z.tuple([z.string().min(1).max(100)]);

/**
 * `/vigil show <incident>`: the card as it is posted now (the same builder, primary-key and
 * per-incident index reads), without its buttons: an ephemeral copy is to read, the card is where
 * people act.
 */
export async function answerShowCommand(args: readonly string[], deps: ListenerDeps): Promise<SlackMessage> {
  const parsed = ShowArgsSchema.safeParse(args);
  if (!parsed.success) return buildUsageReply('`show` takes one incident id');
  if (!deps.cardOf) return buildUsageReply('Showing cards is not available in this Vigil.');
  const [id] = parsed.data;
  const card = await deps.cardOf(id);
  if (!card) return buildUsageReply(`No incident ${id.slice(0, 60)}.`);
  const slack = deps.repos.incidents.get(id)?.slack;
  const where = slack
    ? `<${permalinkOf(slack.channel, slack.ts)}|The card in its channel>`
    : 'The card is not posted yet.';
  return {
    text: card.text,
    blocks: [
      ...card.blocks.filter((b) => b.type !== 'actions').slice(0, 49),
      { type: 'context', elements: [{ type: 'mrkdwn', text: where }] },
    ],
  };
}
