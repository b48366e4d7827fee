import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { KnownBlock } from '@slack/web-api';
import { ActionId } from '../../action-ids.js';
import { buildSilenceRemovedReply } from '../../blocks/build-silence-replies.js';
import { answerSilencesCommand } from '../commands/answer-silences-command.js';
import type { ListenerDeps } from '../deps.js';
import { publishHome } from '../events/publish-home.js';

/**
 * The Remove button of a silence (in /vigil silences and on the Home tab). Acks first (Slack's 3 s);
 * the id in the button is only a pointer: the silence is looked up server-side, and one that is
 * over or already removed is said so. Anyone in the workspace may remove one; who did is stored.
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionId.removeSilence, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const outcome = deps.silences
      ? deps.silences.remove(action.value ?? '', user)
      : { ok: false as const, message: 'Silences are not available in this Vigil.' };
    if (body.container?.type === 'view') {
      // On the Home tab: it shows what is in force, so it is published again.
      await publishHome(client, user, deps);
      return;
    }
    if (!outcome.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
      return;
    }
    // The list it was clicked in, brought up to date, under what just happened.
    const removed = buildSilenceRemovedReply(outcome.silence, user);
    const list = answerSilencesCommand([], deps);
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: `${removed.text}\n${list.text}`,
      blocks: [...removed.blocks, ...list.blocks] as KnownBlock[],
    });
  });
}
