import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import { z } from 'zod';
import { FeedbackLabelSchema } from '../../../contracts/index.js';
import { LABEL_NAMES } from '../../../feedback/label-names.js';
import { ActionId } from '../../action-ids.js';
import type { ListenerDeps } from '../deps.js';

/** What an option of the card's label menu carries (labelMenuValue); only a pointer, checked here. */
const LabelPointer = z.object({ incident: z.string().min(1).max(200), label: FeedbackLabelSchema });

export type MenuLabelOutcome =
  | { ok: true; incidentId: string; changed: boolean; message: string }
  | { ok: false; message: string };

/**
 * A label picked from the card's menu: the payload is validated and the incident read from the
 * store (never trusted from the request), then the label becomes the person's current one on it,
 * replacing a 👍/👎 they gave before.
 */
export function recordMenuLabel(value: string | undefined, user: string, deps: ListenerDeps): MenuLabelOutcome {
  let pointer: z.infer<typeof LabelPointer>;
  try {
    pointer = LabelPointer.parse(JSON.parse(value ?? ''));
  } catch {
    deps.logger.warn({ user }, 'label menu choice with an unreadable value');
    return { ok: false, message: 'That menu is out of date.' };
  }
  const incident = deps.repos.incidents.get(pointer.incident);
  if (!incident) {
    deps.logger.warn({ user, incident_id: pointer.incident }, 'label for an unknown incident ignored');
    return { ok: false, message: `No incident \`${pointer.incident}\`: nothing was labelled.` };
  }
  const outcome = deps.repos.feedback.set({
    incident_id: incident.id,
    slack_user: user,
    label: pointer.label,
    source: 'menu',
    created_at: deps.now().toISOString(),
  });
  deps.logger.info({ incident_id: incident.id, user, label: pointer.label, outcome }, 'feedback stored');
  const name = LABEL_NAMES[pointer.label];
  const message =
    outcome === 'unchanged'
      ? `${incident.id} already has your label *${name}*.`
      : `You labelled ${incident.id} *${name}*${outcome === 'replaced' ? ', in place of your earlier label' : ''}. Thank you.`;
  return { ok: true, incidentId: incident.id, changed: outcome !== 'unchanged', message };
}

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<StaticSelectAction>>(ActionId.label, async ({ ack, body, action, respond }) => {
    // Ack first (Slack's 3 s), then store and edit the card.
    await ack();
    const outcome = recordMenuLabel(action.selected_option?.value, body.user.id, deps);
    if (outcome.ok && outcome.changed) await deps.republish(outcome.incidentId);
    await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
  });
}
