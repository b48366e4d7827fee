import { describe, expect, it } from 'vitest';
import { cutText } from '../../src/slack/blocks/cut-text.js';
import { fitMessage } from '../../src/slack/blocks/fit-message.js';

describe('cutText: the one way Slack text is shortened', () => {
  it('leaves text that fits as it is', () => {
    expect(cutText('short', 5)).toBe('short');
  });

  it('cuts plain text with an ellipsis, within the limit', () => {
    const out = cutText('abcdefghij', 6);
    expect(out).toBe('abcde…');
    expect(out.length).toBeLessThanOrEqual(6);
  });

  it('never splits an escape', () => {
    // A cut at 6 would leave "ab&am".
    const out = cutText('ab&amp;cdefgh', 7);
    expect(out).toBe('ab…');
    expect(cutText('x&lt;y&gt;z and more text', 10)).toBe('x&lt;y…');
  });

  it('never splits a user mention, a channel mention or a special mention', () => {
    expect(cutText('hi <@U12345678> there', 10)).toBe('hi …');
    expect(cutText('see <#C0123|payments> now', 15)).toBe('see …');
    expect(cutText('ping <!here> please', 9)).toBe('ping …');
  });

  it('never splits a link', () => {
    const text = 'runbook: <https://runbooks.example.com/payment-api|payment-api runbook> and the rest';
    const out = cutText(text, 40);
    expect(out).toBe('runbook: …');
    // A link that fits whole is kept.
    expect(cutText(text, text.indexOf(' and') + 2)).toBe(`${text.slice(0, text.indexOf(' and') + 1)}…`);
  });

  it('closes a code fence it cuts into, and never splits the fence itself', () => {
    const text = `Preview\n\`\`\`${'line of yaml\n'.repeat(20)}\`\`\`\nafter`;
    const out = cutText(text, 60);
    expect(out.length).toBeLessThanOrEqual(60);
    expect(out.endsWith('…\n```')).toBe(true);
    expect((out.match(/```/g) ?? []).length).toBe(2);
    // A cut inside the opening backticks moves before them.
    expect(cutText('ab```code```', 5)).toBe('ab…');
  });

  it('never splits a surrogate pair (emoji)', () => {
    const out = cutText('ab😀cd', 4);
    expect(out).toBe('ab…');
  });
});

describe('fitMessage: every outgoing message within Block Kit limits', () => {
  it('cuts an oversized section and a long text safely, and says what changed', () => {
    const long = `${'&amp;'.repeat(700)} <@U0ALICE>`;
    const { message, changes } = fitMessage({
      text: 'x'.repeat(45_000),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: long } }],
    });
    expect(changes.length).toBe(2);
    expect((message.text as string).length).toBe(40_000);
    const section = (message.blocks as Array<{ text: { text: string } }>)[0]?.text.text ?? '';
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.replace(/&amp;/g, '').replace('…', '')).toBe('');
  });

  it('leaves out a block Slack would refuse, keeps the rest', () => {
    const { message, changes } = fitMessage({
      text: 'hi',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'kept' } },
        { type: 'actions', elements: [] },
      ],
    });
    expect(changes).toHaveLength(1);
    expect(JSON.stringify(message.blocks)).toContain('kept');
    expect(JSON.stringify(message.blocks)).toContain('left out');
  });

  it('passes blocks of kinds it does not describe (a modal input) as they are', () => {
    const input = { type: 'input', block_id: 'why', label: { type: 'plain_text', text: 'Why?' }, element: {} };
    const { message, changes } = fitMessage({ blocks: [input] }, 100);
    expect(changes).toEqual([]);
    expect(message.blocks).toEqual([input]);
  });

  it('keeps 49 of too many blocks and says how many more there were', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `${i}` } }));
    const { message } = fitMessage({ text: 'many', blocks });
    expect(message.blocks).toHaveLength(50);
    expect(JSON.stringify((message.blocks as unknown[])[49])).toContain('11 more');
  });

  it('sends a message whose blocks are too long in all as its text', () => {
    const blocks = Array.from({ length: 10 }, () => ({
      type: 'section',
      text: { type: 'mrkdwn', text: 'y'.repeat(2000) },
    }));
    const { message, changes } = fitMessage({ text: 'summary of it', blocks });
    expect(changes).toContain('blocks too long: sent as text');
    expect(message.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'summary of it' } }]);
  });
});
