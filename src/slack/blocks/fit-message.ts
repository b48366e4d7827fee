/**
 * Makes any outgoing message fit Slack's limits before it is sent: a reply Slack refuses
 * (`invalid_blocks`, `msg_too_long`, `msg_blocks_too_long`) is a reply nobody reads, and for a card a
 * missed page. Texts too long are cut with cutText (never inside an escape, mention, link or fence);
 * what still does not fit after that is sent as its text alone. Limits: TESTING.md § Block Kit limits,
 * https://docs.slack.dev/reference/block-kit/blocks.
 */
import { checkBlockKitLimits, MAX_MESSAGE_CHARS, type SlackMessage } from './block-kit-limits.js';
import { cutText } from './cut-text.js';

/** chat.postMessage cuts `text` at 40 000 characters; longer is msg_too_long. */
export const MAX_TEXT_CHARS = 40_000;
const SECTION_TEXT = 3000;
const FIELD_TEXT = 2000;
const HEADER_TEXT = 150;
const BUTTON_TEXT = 75;
const CONTEXT_ELEMENTS = 10;
const SECTION_FIELDS = 10;

type Json = Record<string, unknown>;

export interface FitResult<T> {
  message: T;
  /** What had to change, for the log; empty when the message fitted as it was. */
  changes: string[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A text object (`{type, text}`) cut to `max`, noting the change. */
function fitTextObject(obj: unknown, max: number, where: string, changes: string[]): unknown {
  if (!isObject(obj) || typeof obj.text !== 'string') return obj;
  if (obj.text.length === 0) {
    changes.push(`${where}: empty text`);
    return { ...obj, text: ' ' };
  }
  if (obj.text.length <= max) return obj;
  changes.push(`${where}: text cut from ${obj.text.length} to ${max}`);
  return { ...obj, text: cutText(obj.text, max) };
}

function fitBlock(block: unknown, i: number, changes: string[]): unknown {
  if (!isObject(block)) return block;
  const where = `blocks.${i}`;
  switch (block.type) {
    case 'header':
      return { ...block, text: fitTextObject(block.text, HEADER_TEXT, where, changes) };
    case 'section': {
      const out: Json = { ...block };
      if (block.text !== undefined) out.text = fitTextObject(block.text, SECTION_TEXT, where, changes);
      if (Array.isArray(block.fields)) {
        if (block.fields.length > SECTION_FIELDS) changes.push(`${where}: ${block.fields.length} fields, kept 10`);
        out.fields = block.fields
          .slice(0, SECTION_FIELDS)
          .map((f, j) => fitTextObject(f, FIELD_TEXT, `${where}.fields.${j}`, changes));
      }
      return out;
    }
    case 'context': {
      if (!Array.isArray(block.elements)) return block;
      if (block.elements.length > CONTEXT_ELEMENTS)
        changes.push(`${where}: ${block.elements.length} elements, kept 10`);
      return {
        ...block,
        elements: block.elements
          .slice(0, CONTEXT_ELEMENTS)
          .map((e, j) => fitTextObject(e, SECTION_TEXT, `${where}.elements.${j}`, changes)),
      };
    }
    case 'actions': {
      if (!Array.isArray(block.elements)) return block;
      return {
        ...block,
        elements: block.elements.map((e, j) =>
          isObject(e) && e.type === 'button'
            ? { ...e, text: fitTextObject(e.text, BUTTON_TEXT, `${where}.elements.${j}`, changes) }
            : e,
        ),
      };
    }
    default:
      return block;
  }
}

const CHECKED_TYPES = new Set(['header', 'section', 'divider', 'context', 'image']);
const CHECKED_ELEMENTS = new Set(['button', 'static_select']);

/** A block of a kind block-kit-limits.ts describes in full. */
function isCheckable(block: unknown): boolean {
  if (!isObject(block) || typeof block.type !== 'string') return false;
  if (CHECKED_TYPES.has(block.type)) return true;
  return (
    block.type === 'actions' &&
    Array.isArray(block.elements) &&
    block.elements.every((e) => isObject(e) && CHECKED_ELEMENTS.has(String(e.type)))
  );
}

/** The blocks that stand in for ones that cannot be sent: the message's text, cut to one section. */
function textAsBlocks(text: string): Json[] {
  return [{ type: 'section', text: { type: 'mrkdwn', text: cutText(text || ' ', SECTION_TEXT) } }];
}

/**
 * `message` (chat.postMessage / chat.update / response_url / views.publish payload) within Slack's
 * limits; `maxBlocks` is 50 for messages, 100 for the Home tab and modals.
 */
export function fitMessage<T extends { text?: unknown; blocks?: unknown }>(message: T, maxBlocks = 50): FitResult<T> {
  const changes: string[] = [];
  const out: Json = { ...message };
  if (typeof message.text === 'string' && message.text.length > MAX_TEXT_CHARS) {
    changes.push(`text cut from ${message.text.length} to ${MAX_TEXT_CHARS}`);
    out.text = cutText(message.text, MAX_TEXT_CHARS);
  }
  if (!Array.isArray(message.blocks)) return { message: out as T, changes };
  let blocks = message.blocks.map((b, i) => fitBlock(b, i, changes));
  if (blocks.length > maxBlocks) {
    changes.push(`${blocks.length} blocks, kept ${maxBlocks - 1}`);
    const more = blocks.length - (maxBlocks - 1);
    blocks = [
      ...blocks.slice(0, maxBlocks - 1),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${more} more not shown` }] },
    ];
  }
  const text = typeof out.text === 'string' ? out.text : '';
  // Block by block: one Slack would refuse is left out, not the whole message. Only blocks of the
  // kinds Vigil's schema describes are judged; others (a modal's input, a rich_text) pass as they are.
  blocks = blocks.map((b, i) => {
    if (!isCheckable(b)) return b;
    const problems = checkBlockKitLimits({ text: ' ', blocks: [b] } as SlackMessage);
    if (problems.length === 0) return b;
    changes.push(`blocks.${i} refused (${problems.slice(0, 2).join('; ')}): left out`);
    return { type: 'context', elements: [{ type: 'mrkdwn', text: '(a part Slack would refuse was left out)' }] };
  });
  // Slack's guidance for one message (msg_blocks_too_long); the Home tab and modals are measured by block.
  if (maxBlocks <= 50 && JSON.stringify(blocks).length > MAX_MESSAGE_CHARS) {
    changes.push('blocks too long: sent as text');
    blocks = textAsBlocks(text);
  }
  out.blocks = blocks;
  return { message: out as T, changes };
}
