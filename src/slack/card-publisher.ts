import type { SlackMessage } from './blocks/block-kit-limits.js';

/** Where incident cards go: Slack in production, the terminal in the demo, a list in a replay. */
export interface CardPublisher {
  /** Posts a new card; returns where it lives (Slack answers the channel id, which updates need). */
  post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  reply(channel: string, threadTs: string, text: string): Promise<void>;
}
