import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ModalView } from '@slack/web-api';
import { z } from 'zod';
import { ActionId, BlockId, REMEDIATE_ACTION } from '../../action-ids.js';
import type { ListenerDeps } from '../deps.js';

/** What a remediation button points at; the server checks each part against config and the store. */
const OfferPointer = z.object({ incident: z.string().min(1), action: z.string().min(1), target: z.string().min(1) });

function rejectModal(requestId: string): ModalView {
  return {
    type: 'modal',
    callback_id: ActionId.rejectModal,
    private_metadata: requestId,
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: BlockId.rejectReason,
        optional: true,
        label: { type: 'plain_text', text: `Why reject ${requestId}? (optional)` },
        element: { type: 'plain_text_input', action_id: ActionId.rejectReason, multiline: true, max_length: 500 },
      },
    ],
  };
}

/**
 * Remediation clicks. Each acks first (Slack's 3 s), then asks the remediation service, which
 * decides from stored state; the clicker hears the outcome ephemerally, the thread and the card
 * show it to everyone.
 */
export function register(app: App, deps: ListenerDeps): void {
  const notConfigured = 'Remediation is not configured in this Vigil.';

  app.action<BlockAction<ButtonAction>>(REMEDIATE_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const service = deps.remediation;
    if (!service) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: notConfigured });
      return;
    }
    let pointer: z.infer<typeof OfferPointer>;
    try {
      pointer = OfferPointer.parse(JSON.parse(action.value ?? ''));
    } catch {
      deps.logger.warn({ user: body.user.id }, 'remediation button with an unreadable value');
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That button is out of date.' });
      return;
    }
    const outcome = await service.request({
      incidentId: pointer.incident,
      actionId: pointer.action,
      target: pointer.target,
      user: body.user.id,
    });
    await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
  });

  app.action<BlockAction<ButtonAction>>(ActionId.approve, async ({ ack, body, action, respond }) => {
    await ack();
    const outcome = deps.remediation
      ? await deps.remediation.approve({ requestId: action.value ?? '', user: body.user.id })
      : { ok: false, message: notConfigured };
    await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
  });

  app.action<BlockAction<ButtonAction>>(ActionId.reject, async ({ ack, body, action, respond, client }) => {
    await ack();
    const service = deps.remediation;
    const requestId = action.value ?? '';
    const may = service ? await service.mayDecide(requestId, body.user.id) : { ok: false, message: notConfigured };
    if (!service || !may.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: may.message });
      return;
    }
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: rejectModal(requestId) });
    } catch (error) {
      // No dialog (its trigger expired, Slack hiccup): the decision matters more than its reason.
      deps.logger.warn(
        { err: error, request_id: requestId },
        'could not open the reject dialog; rejecting without a reason',
      );
      const outcome = await service.reject({ requestId, user: body.user.id, reason: '' });
      await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
    }
  });

  app.view(ActionId.rejectModal, async ({ ack, body, view, client }) => {
    // Ack at once: rejecting edits messages in Slack, which may take longer than a view's 3 s.
    await ack();
    const service = deps.remediation;
    if (!service) return;
    const requestId = view.private_metadata;
    const reason = (view.state.values[BlockId.rejectReason]?.[ActionId.rejectReason]?.value ?? '').trim().slice(0, 500);
    const outcome = await service.reject({ requestId, user: body.user.id, reason });
    const where = deps.repos.remediation.get(requestId)?.slack;
    if (!outcome.ok && where) {
      await client.chat.postEphemeral({
        channel: where.channel,
        user: body.user.id,
        thread_ts: where.ts,
        text: outcome.message,
      });
    }
  });
}
