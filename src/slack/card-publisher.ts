import type { SlackMessage } from './blocks/block-kit-limits.js';

/** Where a card lives: Slack answers the channel id, which updates need. */
export interface CardLocation {
  channel: string;
  ts: string;
}

/** Where incident cards go: Slack in production, the terminal in the demo, a list in a replay. */
export interface CardPublisher {
  /**
   * Posts the card of incident `incidentId`, marked with that id so `findCard` can find it. Sent once:
   * a post whose answer never came is not repeated here (Slack may have it).
   */
  post(channel: string, message: SlackMessage, incidentId: string): Promise<CardLocation>;
  /** The card of `incidentId` posted to `channel` since `since`, if there is one (after a post went unanswered). */
  findCard(channel: string, incidentId: string, since: Date): Promise<CardLocation | null>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  reply(channel: string, threadTs: string, text: string): Promise<void>;
}
