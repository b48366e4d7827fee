import type { ActionElement, SlackMessage } from './block-kit-limits.js';

const EMOJI: Record<string, string> = {
  ':red_circle:': '🔴',
  ':large_orange_circle:': '🟠',
  ':large_yellow_circle:': '🟡',
  ':rotating_light:': '🚨',
  ':eyes:': '👀',
  ':white_check_mark:': '✅',
  ':zipper_mouth_face:': '🤐',
  ':mag:': '🔍',
  ':wrench:': '🔧',
  ':+1:': '👍',
  ':-1:': '👎',
};

/** A button with its link, or a menu with its choices. */
function actionText(element: ActionElement): string {
  if (element.type === 'static_select') {
    return `[ ${element.placeholder?.text ?? 'Choose'} ▾ ] ${element.options.map((o) => o.text.text).join(' | ')}`;
  }
  return `[ ${element.text.text} ]${element.url ? ` ${element.url}` : ''}`;
}

/** Slack mrkdwn as plain terminal text. */
export function mrkdwnToPlain(mrkdwn: string): string {
  return mrkdwn
    .replace(/:[a-z0-9_+-]+:/g, (m) => EMOJI[m] ?? m)
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/g, '$1$2')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Renders a card as a person would read it in Slack, for the terminal (demo, replay). */
export function renderCardText(message: SlackMessage, width = 100): string {
  const rule = '─'.repeat(width);
  const out: string[] = [`┌${rule}`];
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        out.push(`│ ${block.text.text.toUpperCase()}`, `│`);
        break;
      case 'section':
        if (block.fields) {
          const cells = block.fields.map((f) => mrkdwnToPlain(f.text).replace('\n', ': '));
          for (let i = 0; i < cells.length; i += 2) {
            out.push(`│ ${(cells[i] ?? '').padEnd(48)} ${cells[i + 1] ?? ''}`.trimEnd());
          }
        }
        if (block.text) for (const line of mrkdwnToPlain(block.text.text).split('\n')) out.push(`│ ${line}`);
        out.push('│');
        break;
      case 'divider':
        out.push(`├${rule}`);
        break;
      case 'actions':
        out.push(`│ ${block.elements.map(actionText).join('\n│ ')}`);
        out.push('│');
        break;
      case 'context':
        out.push(`│ ${block.elements.map((e) => mrkdwnToPlain(e.text)).join(' · ')}`);
        break;
    }
  }
  out.push(`└${rule}`);
  return out.join('\n');
}
