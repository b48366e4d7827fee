import type { SlackMessage } from './blocks/block-kit-limits.js';

/** Where a card lives: Slack answers the channel id, which updates need. */
/** An image for a card's thread (the incident chart). */
export interface CardImage {
  png: Buffer;
  filename: string;
  title: string;
  /** What the image shows, for screen readers (Slack's alt_text). */
  altText: string;
  /** The message that goes with it in the thread. */
  comment: string;
  incidentId: string;
}

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
  /** Puts an image in the card's thread (files.uploadV2); absent where images cannot go. */
  attachImage?(channel: string, threadTs: string, image: CardImage): Promise<void>;
}
