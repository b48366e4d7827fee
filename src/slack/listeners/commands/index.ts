import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/block-kit-limits.js';
import { fitMessage } from '../../blocks/fit-message.js';
import type { ListenerDeps } from '../deps.js';
import { answerVigilCommand, isAnsweredInAck } from './answer-vigil-command.js';

/** A reply as Slack takes it, in an ack or on response_url: seen by the person who asked only. */
function ephemeral(reply: SlackMessage) {
  // Checked against Block Kit limits by the builders; see asKnownBlocks.
  return { response_type: 'ephemeral' as const, text: reply.text, blocks: reply.blocks as KnownBlock[] };
}

export function register(app: App, deps: ListenerDeps): void {
  app.command('/vigil', async ({ command, ack, respond }) => {
    // Slack shows an error to the user if it gets no answer within 3 s
    // (https://api.slack.com/interactivity/slash-commands#responding_basic_receipt).
    if (isAnsweredInAck(command.text)) {
      let reply: SlackMessage;
      try {
        reply = await answerVigilCommand(command.text, deps, command.user_id, command.channel_id);
      } catch (error) {
        // Acked all the same (Slack would show a timeout); the error goes to Bolt's handler, which logs it.
        await ack();
        throw error;
      }
      // An ack's body does not go through the fetch that fits every other outgoing message
      // (check-outgoing-messages.ts): fitted here, with the same function.
      const fitted = fitMessage(reply);
      if (fitted.changes.length > 0)
        deps.logger.warn({ method: 'ack', changes: fitted.changes }, 'reply fitted to Slack limits');
      await ack(ephemeral(fitted.message));
      return;
    }
    // Ack first: the other subcommands change state or do more than a few indexed reads.
    await ack();
    const reply = await answerVigilCommand(command.text, deps, command.user_id, command.channel_id);
    await respond(ephemeral(reply));
  });
}
