import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/web-api';
import type { ListenerDeps } from '../deps.js';
import { answerVigilCommand } from './answer-vigil-command.js';

export function register(app: App, deps: ListenerDeps): void {
  app.command('/vigil', async ({ command, ack, respond }) => {
    // Ack first: Slack shows an error to the user if it gets no answer within 3 s
    // (https://api.slack.com/interactivity/slash-commands#responding_basic_receipt).
    await ack();
    const reply = await answerVigilCommand(command.text, deps, command.user_id, command.channel_id);
    await respond({
      response_type: 'ephemeral',
      text: reply.text,
      // Checked against Block Kit limits by the builders; see asKnownBlocks.
      blocks: reply.blocks as KnownBlock[],
    });
  });
}
