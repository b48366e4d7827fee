/**
 * The one way Vigil shortens text for Slack. A cut that lands inside `&amp;` shows a stray "&am",
 * inside `<@U123>` or `<https://…|runbook>` shows raw markup, and inside a ``` fence turns the rest
 * of the message into code: the cut moves back to before such a token, and an open fence is closed.
 */

/** Tokens that must stay whole: mrkdwn escapes, `<…>` mentions/links/specials, code fences. */
const ATOM = /&(?:[a-zA-Z]+|#\d+);|<[^<>\n]{1,3000}>|```/g;
const FENCE = '```';
const CLOSE_FENCE = `\n${FENCE}`;

/** The last index ≤ `at` at which the text may be cut: not inside an atom, not inside a surrogate pair. */
function safeCut(text: string, at: number): number {
  let cut = at;
  ATOM.lastIndex = 0;
  for (let m = ATOM.exec(text); m !== null && m.index < cut; m = ATOM.exec(text)) {
    const end = m.index + m[0].length;
    if (end > cut) {
      cut = m.index;
      break;
    }
  }
  const code = text.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return cut;
}

/** Code fences opened and not closed in `text`. */
function openFence(text: string): boolean {
  let n = 0;
  for (let i = text.indexOf(FENCE); i !== -1; i = text.indexOf(FENCE, i + FENCE.length)) n += 1;
  return n % 2 === 1;
}

/**
 * `text` cut to at most `max` characters (UTF-16 units, as Slack counts), ending with `marker` when
 * cut. Never splits an escape, a mention, a link or a code fence; a fence left open is closed.
 */
export function cutText(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  if (max <= marker.length) return marker.slice(0, Math.max(0, max));
  const plain = text.slice(0, safeCut(text, max - marker.length));
  if (!openFence(plain)) return `${plain}${marker}`;
  // Room for the closing fence too.
  const fenced = text.slice(0, safeCut(text, Math.max(0, max - marker.length - CLOSE_FENCE.length)));
  return openFence(fenced) ? `${fenced}${marker}${CLOSE_FENCE}` : `${fenced}${marker}`;
}
