import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ActionId } from '../../action-ids.js';
import type { ListenerDeps } from '../deps.js';

/**
 * The Cancel button of a backtest's message. Acks first (Slack's 3 s); the job id in the button is
 * only a pointer: the running job is looked up server-side, and a stale button is told so. The
 * message itself says "cancelled at N %" once the run has stopped at its next tick or chunk.
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionId.backtestCancel, async ({ ack, body, action, respond }) => {
    await ack();
    const result = deps.backtests
      ? deps.backtests.cancel(action.value ?? '', body.user.id)
      : { ok: false as const, message: 'Backtests are not available in this Vigil.' };
    if (!result.ok) await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
  });
}
