/** Sends requests to Bolt's /slack/events signed exactly as Slack signs them. */
import { createHmac } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedRequestOptions {
  url: string;
  secret: string;
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Overrides the signature (to test rejection). */
  signature?: string;
}

export async function postSigned(options: SignedRequestOptions): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(options.url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.secret, timestamp, options.body),
    },
    body: options.body,
    signal: AbortSignal.timeout(5000),
  });
}

export function slashCommandBody(fields: Record<string, string>): string {
  return new URLSearchParams({
    command: '/vigil',
    team_id: 'T0TEST',
    team_domain: 'vigil-test',
    channel_id: 'C0CHANNEL',
    channel_name: 'ops',
    user_id: 'U0ONCALL',
    user_name: 'oncall',
    trigger_id: '1.2.3',
    api_app_id: 'A0VIGIL',
    token: 'legacy-verification-token',
    ...fields,
  }).toString();
}

export function eventBody(event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0TEST',
    api_app_id: 'A0VIGIL',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0TEST', user_id: 'U0VIGIL', is_bot: true }],
    event,
  });
}

/** What every interactivity payload starts with: the workspace, the user and the app. */
function interaction(type: string, user: string) {
  return {
    type,
    team: { id: 'T0TEST', domain: 'vigil-test' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0VIGIL',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${user}`,
  };
}

/** The form body Slack sends when a button is clicked (block_actions), as the interactivity payload. */
export function blockActionBody(input: {
  user: string;
  actionId: string;
  value: string;
  blockId?: string;
  channel: string;
  messageTs: string;
  responseUrl: string;
  actionTs?: string;
}): string {
  return messageActionBody(input, {
    type: 'button',
    action_id: input.actionId,
    block_id: input.blockId ?? 'block',
    value: input.value,
    text: { type: 'plain_text', text: 'button' },
    action_ts: input.actionTs ?? '1760000200.000100',
  });
}

/** The form body Slack sends when an option of a menu (static_select) on a message is picked. */
export function selectActionBody(input: {
  user: string;
  actionId: string;
  /** The picked option's value (`null`: a payload without a selected option). */
  value: string | null;
  blockId?: string;
  channel: string;
  messageTs: string;
  responseUrl: string;
}): string {
  return messageActionBody(input, {
    type: 'static_select',
    action_id: input.actionId,
    block_id: input.blockId ?? 'block',
    ...(input.value === null
      ? {}
      : { selected_option: { text: { type: 'plain_text', text: 'option' }, value: input.value } }),
    placeholder: { type: 'plain_text', text: 'Label this incident' },
    action_ts: '1760000300.000100',
  });
}

/** A block_actions body for one action on a card (a message) in `channel`. */
function messageActionBody(
  input: { user: string; channel: string; messageTs: string; responseUrl: string },
  action: Record<string, unknown>,
): string {
  const payload = {
    ...interaction('block_actions', input.user),
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel },
    channel: { id: input.channel, name: 'team' },
    message: { ts: input.messageTs, text: 'card' },
    response_url: input.responseUrl,
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The form body of a modal's submission (view_submission). */
export function viewSubmissionBody(input: {
  user: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, { type: string; value: string | null }>>;
}): string {
  const payload = {
    ...interaction('view_submission', input.user),
    view: {
      id: 'V0TEST',
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata,
      state: { values: input.values },
      hash: 'h',
      blocks: [],
      title: { type: 'plain_text', text: 'Reject request' },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
