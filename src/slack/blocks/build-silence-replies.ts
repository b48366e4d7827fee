import { type Silence, silenceTarget } from '../../silences/silence.js';
import { ActionId } from '../action-ids.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn, mention, truncate } from './mrkdwn.js';

/** Silences /vigil silences and the Home tab list; the rest are counted (2 blocks each, 50 max). */
export const SILENCES_LISTED = 15;

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** One line per silence, as every reply and the Home tab say it. */
export function silenceLine(s: Silence, now: Date): string {
  const icon = s.kind === 'silence' ? ':no_bell:' : ':construction:';
  const started = Date.parse(s.starts_at) <= now.getTime();
  const span = started ? `until ${when(s.ends_at)}` : `from ${when(s.starts_at)} to ${when(s.ends_at)}`;
  const reason = s.reason ? ` — ${escapeMrkdwn(truncate(s.reason, 200))}` : '';
  return `${icon} *${s.id}* ${s.kind} of \`${escapeMrkdwn(silenceTarget(s))}\` ${span}, by ${mention(s.created_by)}${reason}`;
}

function single(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function buildSilenceDeclaredReply(s: Silence, now: Date): SlackMessage {
  const what =
    s.kind === 'silence'
      ? 'Anomalies there are still recorded, but do not page'
      : 'Anomalies of it and of the services that depend on it are recorded, but do not page';
  return single(
    `${silenceLine(s, now)}\n${what}. Remove it early with \`/vigil unsilence ${s.id}\` or from \`/vigil silences\`.`,
  );
}

/** Why a removal changed nothing (unknown, over, removed already): said as it is, no usage. */
export function buildSilenceRefusal(message: string): SlackMessage {
  return single(`:warning: ${message}`);
}

export function buildSilenceRemovedReply(s: Silence, user: string): SlackMessage {
  return single(
    `:bell: ${s.id} (${s.kind} of \`${escapeMrkdwn(silenceTarget(s))}\`) removed by ${mention(user)}: it pages again.`,
  );
}

/** The silence rows with a Remove button each: shared by /vigil silences and the Home tab. */
export function silenceBlocks(silences: readonly Silence[], total: number, now: Date): Block[] {
  const blocks: Block[] = [];
  for (const s of silences.slice(0, SILENCES_LISTED)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: silenceLine(s, now) } });
    blocks.push({
      type: 'actions',
      block_id: `vigil_silence_${s.id}`,
      elements: [
        {
          type: 'button',
          action_id: ActionId.removeSilence,
          text: { type: 'plain_text', text: 'Remove' },
          value: s.id,
          confirm: {
            title: { type: 'plain_text', text: `Remove ${s.id}?` },
            text: { type: 'mrkdwn', text: `\`${escapeMrkdwn(truncate(silenceTarget(s), 200))}\` will page again.` },
            confirm: { type: 'plain_text', text: 'Remove' },
            deny: { type: 'plain_text', text: 'Keep' },
          },
        },
      ],
    });
  }
  const shown = Math.min(silences.length, SILENCES_LISTED);
  if (total > shown)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${total - shown} more` }] });
  return blocks;
}

/** `/vigil silences`: what is in force or ahead, soonest end first. */
export function buildSilencesReply(silences: readonly Silence[], total: number, now: Date): SlackMessage {
  if (total === 0)
    return single(
      ':bell: No silences or maintenance in force. Declare one with `/vigil silence` or `/vigil maintenance`.',
    );
  const header = `*Silences and maintenance: ${total} in force or ahead*`;
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: header } },
    ...silenceBlocks(silences, total, now),
  ];
  const lines = silences.slice(0, SILENCES_LISTED).map((s) => silenceLine(s, now));
  return { text: [header, ...lines].join('\n'), blocks };
}
