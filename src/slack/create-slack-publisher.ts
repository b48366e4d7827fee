import type { KnownBlock, WebClient } from '@slack/web-api';
import { ErrorCode, VigilError } from '../errors.js';
import type { SlackMessage } from './blocks/block-kit-limits.js';
import type { CardPublisher } from './card-publisher.js';

/**
 * zod infers optional keys as `T | undefined`, which Slack's types reject under
 * exactOptionalPropertyTypes; the blocks were already checked against Block Kit limits.
 */
function asKnownBlocks(message: SlackMessage): KnownBlock[] {
  return message.blocks as KnownBlock[];
}

/** Posts and edits incident cards with the Web API (chat.postMessage / chat.update). */
export function createSlackPublisher(client: WebClient): CardPublisher {
  return {
    async post(channel, message) {
      const res = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: asKnownBlocks(message),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!res.channel || !res.ts) {
        throw new VigilError(ErrorCode.SlackPublish, 'chat.postMessage answered without channel or ts');
      }
      return { channel: res.channel, ts: res.ts };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: asKnownBlocks(message) });
    },
    async reply(channel, threadTs, text) {
      await client.chat.postMessage({ channel, thread_ts: threadTs, text, unfurl_links: false, unfurl_media: false });
    },
  };
}
