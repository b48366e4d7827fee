/** Text helpers every Block Kit builder shares. */
import { cutText } from './cut-text.js';

/** Slack mrkdwn treats &, < and > as control characters; label values from Prometheus may hold them. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack user ids render as mentions; anything else (e.g. "vigil") as plain text. */
export function mention(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : escapeMrkdwn(actor);
}

/** Cut to `max` characters, saying so with an ellipsis; never inside an escape, mention, link or fence. */
export function truncate(text: string, max: number): string {
  return cutText(text, max);
}
