import type { KnownBlock, WebClient } from '@slack/web-api';
import { ErrorCode, isVigilError, VigilError } from '../errors.js';
import type { SlackMessage } from './blocks/block-kit-limits.js';
import type { CardPublisher } from './card-publisher.js';
import { type ChannelDirectory, createChannelDirectory } from './create-channel-directory.js';
import { explainSlackError } from './explain-slack-error.js';

/** The message metadata event a card carries (https://docs.slack.dev/messaging/message-metadata). */
export const CARD_EVENT_TYPE = 'vigil_incident';
/** How far back the history search for an unanswered post reads at most. */
const HISTORY_PAGES = 5;

/**
 * zod infers optional keys as `T | undefined`, which Slack's types reject under
 * exactOptionalPropertyTypes; the blocks were already checked against Block Kit limits.
 */
function asKnownBlocks(message: SlackMessage): KnownBlock[] {
  return message.blocks as KnownBlock[];
}

export interface SlackPublisherOptions {
  /** Reads and edits (history, joins, updates): idempotent, so its retries are safe. */
  client: WebClient;
  /**
   * Sends chat.postMessage, and must not retry (see createPostingClient): a post Slack accepted but
   * answered late would be sent again, one more card each time.
   */
  poster: WebClient;
  /** Which channels Vigil is in; default: one over `client`. */
  channels?: ChannelDirectory;
  now?: () => Date;
}

/** Posts and edits incident cards with the Web API (chat.postMessage / chat.update). */
export function createSlackPublisher(options: SlackPublisherOptions): CardPublisher {
  const { client, poster } = options;
  const now = options.now ?? (() => new Date());
  const channels = options.channels ?? createChannelDirectory(client, now);
  // A card is adopted only if this bot posted it: another app in the channel (a staging Vigil, say)
  // may carry the same event type and incident id. Asked once; a failure is asked again next time.
  let ownBotId: Promise<string> | undefined;
  const botId = () => {
    ownBotId ??= client.auth.test().then(
      (res) => {
        if (!res.bot_id) throw new VigilError(ErrorCode.SlackPublish, 'auth.test answered without bot_id');
        return res.bot_id;
      },
      (error: unknown) => {
        ownBotId = undefined;
        throw error;
      },
    );
    return ownBotId;
  };

  /** Calls Slack; a failure comes back explained (and a channel Vigil turned out not to be in is asked again). */
  async function call<T>(method: string, channel: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const explained = explainSlackError(error, { method, channel, now: now() });
      if (isVigilError(explained, ErrorCode.SlackChannelAccess)) channels.forget(channel);
      throw explained;
    }
  }

  return {
    async post(channel, message, incidentId) {
      const id = await channels.ready(channel);
      const res = await call('chat.postMessage', channel, () =>
        poster.chat.postMessage({
          channel: id,
          text: message.text,
          blocks: asKnownBlocks(message),
          metadata: { event_type: CARD_EVENT_TYPE, event_payload: { incident_id: incidentId } },
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      if (!res.channel || !res.ts) {
        throw new VigilError(ErrorCode.SlackPublish, 'chat.postMessage answered without channel or ts');
      }
      return { channel: res.channel, ts: res.ts };
    },
    async findCard(channel, incidentId, since) {
      const id = await channels.ready(channel);
      const mine = await call('auth.test', channel, botId);
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page += 1) {
        const res = await call('conversations.history', channel, () =>
          client.conversations.history({
            channel: id,
            // Without it Slack leaves out metadata of event types the app does not subscribe to.
            include_all_metadata: true,
            oldest: (since.getTime() / 1000).toFixed(6),
            limit: 200,
            ...(cursor ? { cursor } : {}),
          }),
        );
        const card = res.messages?.find((m) => {
          // web-api types the payload by Slack's own examples; ours holds incident_id.
          const payload = m.metadata?.event_payload as { incident_id?: unknown } | undefined;
          return m.bot_id === mine && m.metadata?.event_type === CARD_EVENT_TYPE && payload?.incident_id === incidentId;
        });
        if (card?.ts) return { channel: id, ts: card.ts };
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return null;
    },
    async update(channel, ts, message) {
      await call('chat.update', channel, () =>
        client.chat.update({ channel, ts, text: message.text, blocks: asKnownBlocks(message) }),
      );
    },
    async reply(channel, threadTs, text) {
      await call('chat.postMessage', channel, () =>
        poster.chat.postMessage({ channel, thread_ts: threadTs, text, unfurl_links: false, unfurl_media: false }),
      );
    },
    async attachImage(channel, threadTs, image) {
      // files.getUploadURLExternal, a POST of the bytes, files.completeUploadExternal. Sent by the
      // client that does not retry: a completed upload retried would show the chart twice.
      await call('files.uploadV2', channel, () =>
        poster.filesUploadV2({
          channel_id: channel,
          thread_ts: threadTs,
          file: image.png,
          filename: image.filename,
          title: image.title,
          alt_text: image.altText,
          initial_comment: image.comment,
        }),
      );
    },
  };
}
