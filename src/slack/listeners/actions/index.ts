import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { changeStatus } from '../../../incidents/change-status.js';
import { ActionId } from '../../action-ids.js';
import type { ListenerDeps } from '../deps.js';
import { register as registerCancelBacktest } from './cancel-backtest.js';
import { register as registerLabelMenu } from './label-menu.js';
import { register as registerRemediation } from './remediation.js';
import { register as registerRemoveSilence } from './remove-silence.js';

export function register(app: App, deps: ListenerDeps): void {
  for (const [actionId, to] of [
    [ActionId.acknowledge, 'acknowledged'],
    [ActionId.resolve, 'resolved'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      // Ack first (Slack's 3 s), then work: the card is edited in place with who did it.
      await ack();
      // The incident id in the button is only a pointer: its state is read from the store.
      const result = changeStatus(
        deps.repos.incidents,
        action.value ?? '',
        to,
        body.user.id,
        `${to} from the card`,
        deps.now(),
      );
      if (!result.ok) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
        return;
      }
      deps.logger.info({ incident_id: result.incident.id, user: body.user.id, status: to }, 'incident status changed');
      await deps.republish(result.incident.id);
    });
  }
  registerLabelMenu(app, deps);
  registerRemediation(app, deps);
  registerCancelBacktest(app, deps);
  registerRemoveSilence(app, deps);
}
