import { WebClient } from '@slack/web-api';
import { type SlackClientSettings, slackClientOptions } from './slack-client-options.js';

/**
 * The client that sends chat.postMessage: the same settings, no retries. web-api retries a call that
 * timed out, and Slack may have accepted the post and only answered late: each retry would be one
 * more card (three in 7.5 s for one incident). A post that goes unanswered is instead checked
 * against the channel's history before it is sent again (publishIncidents).
 */
export function createPostingClient(token: string, settings: Omit<SlackClientSettings, 'retries'>): WebClient {
  return new WebClient(token, slackClientOptions({ ...settings, retries: 0 }));
}
