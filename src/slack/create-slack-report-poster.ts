import type { KnownBlock, WebClient } from '@slack/web-api';
import { ErrorCode, VigilError } from '../errors.js';
import type { SlackMessage } from './blocks/block-kit-limits.js';
import { type ChannelDirectory, createChannelDirectory } from './create-channel-directory.js';
import { explainSlackError } from './explain-slack-error.js';

export interface SlackReportPosterOptions {
  /** Channel lookups and joins. */
  client: WebClient;
  /** Sends chat.postMessage without retries (see createPostingClient). */
  poster: WebClient;
  channels?: ChannelDirectory;
  now?: () => Date;
}

/**
 * Posts a report (the weekly scorecard) to a channel, as a card is posted: the channel's id is
 * found and joined first, and Slack's refusals come back explained (not in the channel, archived...).
 */
export function createSlackReportPoster(
  options: SlackReportPosterOptions,
): (channel: string, message: SlackMessage) => Promise<{ channel: string; ts: string }> {
  const now = options.now ?? (() => new Date());
  const channels = options.channels ?? createChannelDirectory(options.client, now);
  return async (channel, message) => {
    const id = await channels.ready(channel);
    let res: Awaited<ReturnType<WebClient['chat']['postMessage']>>;
    try {
      res = await options.poster.chat.postMessage({
        channel: id,
        text: message.text,
        // Checked against Block Kit limits by the builder; see asKnownBlocks in create-slack-publisher.
        blocks: message.blocks as KnownBlock[],
        unfurl_links: false,
        unfurl_media: false,
      });
    } catch (error) {
      throw explainSlackError(error, { method: 'chat.postMessage', channel, now: now() });
    }
    if (!res.channel || !res.ts)
      throw new VigilError(ErrorCode.SlackPublish, 'chat.postMessage answered without channel or ts');
    return { channel: res.channel, ts: res.ts };
  };
}
