import type { WebClient } from '@slack/web-api';
import { ErrorCode, VigilError } from '../errors.js';
import { channelAccessHint, explainSlackError } from './explain-slack-error.js';

export interface ChannelDirectory {
  /**
   * The id of `channel` (`#name` or an id, as configured) once Vigil is a member there. Slack sends
   * `reaction_added` only from channels the bot is a member of, so a card posted with
   * chat:write.public alone would get 👍/👎 that never reach Vigil; and conversations.history, which
   * finds a card whose post went unanswered, needs membership too. A public channel is joined
   * (conversations.join); a private one cannot be, and a clear error says to invite the bot.
   */
  ready(channel: string): Promise<string>;
  /** Forgets what is known of `channel` (Slack said Vigil is not in it after all: removed, renamed). */
  forget(channel: string): void;
}

interface ChannelInfo {
  id?: string;
  name?: string;
  is_private?: boolean;
  is_member?: boolean;
}

const CHANNEL_ID = /^[CG][A-Z0-9]+$/;
/** Slack recommends no more than 200 per page (https://docs.slack.dev/apis/web-api/pagination). */
const PAGE = 200;

export function createChannelDirectory(client: WebClient, now: () => Date = () => new Date()): ChannelDirectory {
  // Only channels Vigil is known to be in: a failure is asked again on the next cycle.
  const ready = new Map<string, string>();
  const fail = (error: unknown, method: string, channel: string) =>
    explainSlackError(error, { method, channel, now: now() });

  async function byId(id: string): Promise<ChannelInfo> {
    try {
      return (await client.conversations.info({ channel: id })).channel ?? {};
    } catch (error) {
      throw fail(error, 'conversations.info', id);
    }
  }

  /** Names are resolved by listing: conversations.join and .history take ids only. */
  async function byName(channel: string): Promise<ChannelInfo | null> {
    const name = channel.slice(1);
    let cursor: string | undefined;
    do {
      let page: Awaited<ReturnType<WebClient['conversations']['list']>>;
      try {
        page = await client.conversations.list({
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: PAGE,
          ...(cursor ? { cursor } : {}),
        });
      } catch (error) {
        throw fail(error, 'conversations.list', channel);
      }
      const hit = page.channels?.find((c) => c.name === name);
      if (hit) return hit;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return null;
  }

  async function join(id: string, channel: string): Promise<void> {
    try {
      await client.conversations.join({ channel: id });
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error === 'method_not_supported_for_channel_type') {
        throw privateWithoutVigil(channel);
      }
      throw fail(error, 'conversations.join', channel);
    }
  }

  return {
    async ready(channel) {
      const known = ready.get(channel);
      if (known) return known;
      // A direct message has no membership to speak of.
      if (channel.startsWith('D')) return channel;
      const info = CHANNEL_ID.test(channel) ? await byId(channel) : await byName(channel);
      // Slack lists a private channel only to its members: one Vigil is not in looks absent.
      if (!info?.id) {
        throw new VigilError(
          ErrorCode.SlackChannelAccess,
          `Vigil cannot find ${channel}: ${channelAccessHint(channel)}`,
        );
      }
      if (!info.is_member) {
        if (info.is_private) throw privateWithoutVigil(channel);
        await join(info.id, channel);
      }
      ready.set(channel, info.id);
      return info.id;
    },
    forget(channel) {
      ready.delete(channel);
    },
  };
}

function privateWithoutVigil(channel: string): VigilError {
  return new VigilError(
    ErrorCode.SlackChannelAccess,
    `Vigil is not in the private channel ${channel}: invite the bot there (\`/invite @Vigil\`); a bot cannot join a private channel by itself`,
  );
}
