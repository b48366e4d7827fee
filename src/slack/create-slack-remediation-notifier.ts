import type { KnownBlock, WebClient } from '@slack/web-api';
import { ErrorCode, VigilError } from '../errors.js';
import type { RemediationNotifier } from '../remediation/create-remediation-service.js';

/** Requests and results in the incident card's thread, through the Web API. */
export function createSlackRemediationNotifier(client: WebClient): RemediationNotifier {
  return {
    async post(channel, threadTs, message) {
      const res = await client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: message.text,
        // Checked against Block Kit limits by the builders (zod's optional keys upset Slack's types).
        blocks: message.blocks as KnownBlock[],
        unfurl_links: false,
      });
      if (!res.ts) throw new VigilError(ErrorCode.SlackPublish, 'chat.postMessage answered without ts');
      return { ts: res.ts };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as KnownBlock[] });
    },
    async reply(channel, threadTs, text) {
      await client.chat.postMessage({ channel, thread_ts: threadTs, text, unfurl_links: false });
    },
  };
}

/**
 * Members of Slack user groups (approvers by group), cached briefly: fifty approvers clicking at
 * once ask Slack once. A failure is not cached and rejects, so the caller refuses (fails closed).
 */
export function createGroupDirectory(
  client: WebClient,
  ttlMs: number,
): (groupId: string) => Promise<ReadonlySet<string>> {
  const cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();
  return (groupId) => {
    const hit = cache.get(groupId);
    if (hit && Date.now() - hit.at < ttlMs) return hit.members;
    const members = client.usergroups.users
      .list({ usergroup: groupId })
      .then((res) => new Set(res.users ?? []) as ReadonlySet<string>);
    cache.set(groupId, { at: Date.now(), members });
    members.catch(() => cache.delete(groupId));
    return members;
  };
}
