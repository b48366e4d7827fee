import type { Ratio, ShadowComparison } from '../../shadow/compare-shadow.js';
import type { ChampionChange } from '../../storage/shadow-repo.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn } from './build-incident-card.js';

export interface ShadowReplyInput {
  champion: string;
  /** null: no challenger configured. */
  challenger: string | null;
  days: number;
  comparison: ShadowComparison | null;
  /** The newest champion changes, newest first. */
  changes: readonly ChampionChange[];
  /** A side of the comparison read only its first N pages of the window. */
  truncatedAt: number | null;
}

function ratio(r: Ratio): string {
  if (r.den === 0) return `– (0/0)`;
  return `${Math.round((100 * r.num) / r.den)} % (${r.num}/${r.den})`;
}

function delay(d: ShadowComparison['openDelayMinutes']): string {
  if (d.median === null) return 'no labelled incident opened by both yet';
  const m = Math.abs(d.median).toFixed(1);
  const on = `on ${d.count} labelled incident${d.count === 1 ? '' : 's'} both opened`;
  if (d.median < 0) return `earlier by a median of ${m} min ${on}`;
  if (d.median > 0) return `later by a median of ${m} min ${on}`;
  return `at the same time (median) ${on}`;
}

function changeLine(c: ChampionChange): string {
  const when = `${c.at.slice(0, 16).replace('T', ' ')} UTC`;
  if (c.from_name === null) return `• ${when}: first champion \`${escapeMrkdwn(c.to_name)}\``;
  const diff = Object.entries(c.diff)
    .slice(0, 8)
    .map(([k, [from, to]]) => `${escapeMrkdwn(k)} ${JSON.stringify(from ?? null)} → ${JSON.stringify(to ?? null)}`)
    .join(', ');
  return (
    `• ${when}: \`${escapeMrkdwn(c.from_name)}\` → \`${escapeMrkdwn(c.to_name)}\`` +
    `${c.was_challenger ? ' (promoted challenger)' : ''}${diff ? `: ${diff}` : ': no setting changed'}`
  );
}

/** `/vigil shadow`: champion against challenger on the labelled incidents of a window, and promotions. */
export function buildShadowReply(input: ShadowReplyInput): SlackMessage {
  const lines: string[] = [];
  const c = input.comparison;
  if (!input.challenger || !c) {
    lines.push(`No challenger configured (\`detection.shadow\`). Champion: \`${escapeMrkdwn(input.champion)}\`.`);
  } else {
    lines.push(
      `*Shadow: challenger \`${escapeMrkdwn(input.challenger)}\` vs champion \`${escapeMrkdwn(input.champion)}\`*, last ${input.days} day${input.days === 1 ? '' : 's'}`,
      `*Pages:* champion ${c.championPages}, challenger ${c.challengerPages} (would have opened; never posted)`,
      `*Labelled champion incidents:* ${c.labelled} (${c.useful} useful)`,
      `• Precision (useful / labelled): champion ${ratio(c.championPrecision)} · challenger ${ratio(c.challengerPrecision)} of those it would also have opened`,
      `• Recall of useful incidents: champion ${ratio(c.championRecall)} · challenger ${ratio(c.challengerRecall)}`,
      `• The challenger opens ${delay(c.openDelayMinutes)}`,
      `• Labelled not useful that the challenger would have skipped: ${ratio(c.notUsefulSkipped)}`,
      `• Extra pages the challenger would add (no champion incident, unlabelled): ${c.extraPages}`,
    );
    if (input.truncatedAt !== null)
      lines.push(`_Only the first ${input.truncatedAt} pages of each side were compared._`);
  }
  if (input.changes.length > 0) {
    lines.push('*Champion changes:*');
    for (const change of input.changes) lines.push(changeLine(change));
  }
  const text = lines.join('\n');
  // One section holds 3000 characters: the comparison, then the changes.
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }];
  return { text, blocks };
}
