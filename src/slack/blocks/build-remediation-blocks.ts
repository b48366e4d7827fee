/**
 * Remediation on the card and in its thread: the offered actions (each behind Slack's confirm
 * dialog saying what runs where), the request with its preview and Approve/Reject, and the result.
 * Pure builders: the same request always gives the same message.
 */
import type { RemediationRequest } from '../../storage/remediation-repo.js';
import { ActionId, BlockId } from '../action-ids.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn, mention, truncate } from './mrkdwn.js';

export interface RemediationOffer {
  actionId: string;
  title: string;
  target: string;
  risk: RemediationRequest['risk'];
  /** What will run, where (shown in the confirm dialog, cut to fit). */
  what: string;
  dryRun: boolean;
  /** Button value: a pointer the server checks against config and the store, never trusted. */
  value: string;
}

export interface RequestView {
  request: RemediationRequest;
  title: string;
  approvers: { users: readonly string[]; groups: readonly string[] };
}

const STATE: Record<RemediationRequest['status'], string> = {
  proposed: ':hourglass_flowing_sand: waiting for approval',
  approved: ':white_check_mark: approved',
  executing: ':gear: running',
  succeeded: ':white_check_mark: succeeded',
  failed: ':x: failed',
  rejected: ':no_entry_sign: rejected',
  expired: ':alarm_clock: expired',
  needs_attention: ':warning: interrupted, needs a human',
};

function who(actor: string | null): string {
  return actor ? mention(actor) : 'nobody';
}

function hhmm(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

/** Slack's confirm text holds 300 characters: the command is cut, never the code fence around it. */
function confirmText(offer: RemediationOffer): string {
  const head =
    `Risk: *${offer.risk}*.${offer.dryRun ? ' Dry run: nothing will change.' : ''} Posts a request with a ` +
    'preview in the thread; runs only once approved.\n';
  return `${head}\`\`\`${truncate(escapeMrkdwn(offer.what), 300 - head.length - 6)}\`\`\``;
}

/** Card blocks: one button per offered action, and a line per request already made. */
export function buildRemediationCardBlocks(offers: readonly RemediationOffer[], lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  if (offers.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: BlockId.remediation,
      elements: offers.map((offer, i) => ({
        type: 'button' as const,
        text: {
          type: 'plain_text' as const,
          text: truncate(`${offer.title}: ${offer.target}${offer.dryRun ? ' (dry run)' : ''}`, 75),
          emoji: true,
        },
        action_id: ActionId.remediate(i),
        value: offer.value,
        ...(offer.risk === 'high' ? { style: 'danger' as const } : {}),
        confirm: {
          title: { type: 'plain_text' as const, text: truncate(`Request: ${offer.title}?`, 100) },
          text: {
            type: 'mrkdwn' as const,
            text: confirmText(offer),
          },
          confirm: { type: 'plain_text' as const, text: 'Request' },
          deny: { type: 'plain_text' as const, text: 'Cancel' },
        },
      })),
    });
  }
  if (lines.length > 0) {
    blocks.push({
      type: 'context',
      block_id: BlockId.remediationState,
      elements: lines.slice(0, 10).map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, 3000) })),
    });
  }
  return blocks;
}

/** The card's line for a request: what, on which service, its state and who. */
export function requestStateLine(request: RemediationRequest, title: string): string {
  const by =
    request.status === 'proposed'
      ? `requested by ${who(request.requested_by)}`
      : request.status === 'expired'
        ? `requested by ${who(request.requested_by)}`
        : `${request.status === 'rejected' ? 'rejected' : 'approved'} by ${who(request.decided_by)}`;
  return `:wrench: ${escapeMrkdwn(title)} on *${escapeMrkdwn(request.target)}*${request.dry_run ? ' (dry run)' : ''}: ${STATE[request.status]} · ${by} · ${request.id}`;
}

/** The request in the card's thread: what will run, the preview, the approvers, and the buttons while it is open. */
export function buildRequestMessage(view: RequestView): SlackMessage {
  const { request } = view;
  const approvers = [
    ...view.approvers.users.map((u) => `<@${u}>`),
    ...view.approvers.groups.map((g) => `<!subteam^${g}>`),
  ].join(', ');
  const blocks: Block[] = [
    {
      type: 'section',
      block_id: BlockId.requestSummary,
      text: {
        type: 'mrkdwn',
        text: truncate(
          `:wrench: ${who(request.requested_by)} requests *${escapeMrkdwn(view.title)}* on *${escapeMrkdwn(request.target)}* ` +
            `(${request.id}, risk *${request.risk}*${request.dry_run ? ', *dry run*: nothing will be changed' : ''}).\n` +
            `Approvers: ${approvers}${request.risk === 'high' ? ' · the requester cannot approve it' : ''}`,
          3000,
        ),
      },
    },
    {
      type: 'section',
      block_id: BlockId.requestPreview,
      text: {
        type: 'mrkdwn',
        text: truncate(`*Preview*\n\`\`\`${request.preview.replace(/```/g, "'''")}\`\`\``, 3000),
      },
    },
  ];
  if (request.status === 'proposed') {
    blocks.push(
      {
        type: 'actions',
        block_id: BlockId.requestDecision,
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Approve', emoji: true },
            action_id: ActionId.approve,
            value: request.id,
            style: 'primary',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Reject', emoji: true },
            action_id: ActionId.reject,
            value: request.id,
            style: 'danger',
          },
        ],
      },
      {
        type: 'context',
        block_id: BlockId.requestState,
        elements: [{ type: 'mrkdwn', text: `Expires at ${hhmm(request.expires_at)} if nobody approves it.` }],
      },
    );
  } else {
    blocks.push({
      type: 'context',
      block_id: BlockId.requestState,
      elements: [{ type: 'mrkdwn', text: truncate(`${STATE[request.status]} · ${decisionText(request)}`, 3000) }],
    });
  }
  return {
    text: truncate(
      `${view.title} on ${request.target} (${request.id}): ${STATE[request.status].replace(/^:[a-z_]+: /, '')}`,
      3000,
    ),
    blocks,
  };
}

function decisionText(request: RemediationRequest): string {
  switch (request.status) {
    case 'rejected':
      return `rejected by ${who(request.decided_by)}${request.reason ? `: ${escapeMrkdwn(request.reason)}` : ''}`;
    case 'expired':
      return `expired at ${hhmm(request.expires_at)} without approval`;
    case 'needs_attention':
      return escapeMrkdwn(request.error ?? 'interrupted');
    default:
      return `approved by ${who(request.decided_by)}${request.decided_at ? ` at ${hhmm(request.decided_at)}` : ''}`;
  }
}

/** The thread reply once it ran: who asked, who approved, what ran, the result, how long it took. */
export function resultText(request: RemediationRequest, title: string, what: string): string {
  const ok = request.status === 'succeeded';
  const took = request.duration_ms !== null ? ` in ${request.duration_ms} ms` : '';
  return (
    `${ok ? ':white_check_mark:' : ':x:'} *${escapeMrkdwn(title)}* on *${escapeMrkdwn(request.target)}* ${ok ? 'succeeded' : 'failed'}${took}` +
    `${request.dry_run ? ' (dry run: nothing was changed)' : ''}.\n` +
    `Requested by ${who(request.requested_by)}, approved by ${who(request.decided_by)} (${request.id}).\n` +
    `Ran: \`${escapeMrkdwn(what.split('\n')[0] ?? what)}\`\n` +
    `> ${escapeMrkdwn((ok ? request.result : request.error) ?? '')}`
  );
}
