import type { CycleReport } from '../../storage/cycles-repo.js';
import type { RecalibrationRun } from '../../storage/detector-state-repo.js';
import type { IncidentSummary, LateCard } from '../../storage/incidents-repo.js';
import type { AuditEntry } from '../../storage/remediation-repo.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn } from './build-incident-card.js';
import { truncate } from './mrkdwn.js';

export const USAGE = [
  '*Vigil* watches Prometheus and posts incident cards. Commands:',
  '• `/vigil help` — this message',
  '• `/vigil status` — each stage’s health: cycles, Prometheus and Slack errors, recalibration, late cards',
  '• `/vigil incidents` — open incidents with links to their cards',
  '• `/vigil show <incident>` — the incident’s card, here, only for you',
  '• `/vigil ack <incident>` — acknowledge: someone is on it',
  '• `/vigil resolve <incident> [reason]` — resolve by hand',
  '• `/vigil audit [incident]` — the latest remediation requests, decisions and results',
  '• `/vigil explain <series>` — a series’ threshold, baseline, labels and why its threshold changed',
  '• `/vigil stats [--days N] [--team T]` — alert precision, label coverage, time to acknowledge (default: 7 days)',
  '• `/vigil backtest <signal|service> [--days N]` — what would have paged over the last N days (≤ 35), against stored incidents and labels',
  '• `/vigil shadow [--days N]` — the shadow challenger against the champion on labelled incidents (7 days)',
  '• `/vigil silence <service|ns/service/metric> <30m|2h|1d> [reason]` — record without paging, up to 7 days',
  '• `/vigil maintenance <service> <start> <end> [reason]` — a maintenance window (ISO, or HH:MM UTC, or tomorrow HH:MM)',
  '• `/vigil silences` — silences and maintenance in force, each with a Remove button',
  '• `/vigil unsilence <id>` — end a silence or maintenance early',
  '• `/vigil topology [service]` — a service’s callers and callees and where each edge came from (config or the service graph)',
].join('\n');

export function buildUsageReply(problem?: string): SlackMessage {
  const text = problem ? `:warning: ${escapeMrkdwn(problem)}\n\n${USAGE}` : USAGE;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

function ago(fromIso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export interface StatusInput {
  lastCycle: CycleReport | undefined;
  openIncidents: number;
  seriesTracked: number;
  cycleRunning: boolean;
  now: Date;
  lastRecalibration?: RecalibrationRun | undefined;
  /** Cards not in Slack as they should be, and why: the first LATE_CARDS_SHOWN of them. */
  lateCards?: readonly LateCard[];
  /** How many cards are late in all (default: as many as lateCards). */
  lateTotal?: number;
}

/** Late cards /vigil status names; the rest are counted. */
export const LATE_CARDS_SHOWN = 5;

/** Each late card with its reason: rate limited until when, post outcome unknown, invite the bot to #x. */
function lateCardLines(late: readonly LateCard[], total: number, now: Date): string {
  if (total === 0) return '';
  const lines = late
    .slice(0, LATE_CARDS_SHOWN)
    .map(
      (c) =>
        `• ${escapeMrkdwn(c.id)} (${escapeMrkdwn(c.channel)}), late since ${ago(c.since, now)}: ${escapeMrkdwn(truncate(c.reason, 300))}`,
    );
  const more = total > lines.length ? `\n…and ${total - lines.length} more` : '';
  return `\n*Late cards:* ${total}\n${lines.join('\n')}${more}`;
}

export function buildStatusReply(input: StatusInput): SlackMessage {
  const c = input.lastCycle;
  const cycle = c
    ? `*Last cycle:* ${c.status === 'ok' ? ':large_green_circle:' : c.status === 'partial' ? ':large_yellow_circle:' : ':red_circle:'} ${c.status}, ` +
      `finished ${ago(c.finished_at, input.now)} in ${Math.round(c.duration_ms)} ms\n` +
      `*Series scored:* ${c.series_scored} (${c.samples} samples, ${c.anomalies} anomalies)` +
      (c.errors.length > 0
        ? `\n*Errors:*\n${c.errors
            .slice(0, 5)
            .map((e) => `• ${escapeMrkdwn(e)}`)
            .join('\n')}`
        : '')
    : '*Last cycle:* none yet — the first detection cycle has not finished';
  const r = input.lastRecalibration;
  const recalibration = r
    ? `\n*Last recalibration:* ${r.status}, ${ago(r.finished_at ?? r.started_at, input.now)}: ${r.series} series, ` +
      `${r.changes} threshold change${r.changes === 1 ? '' : 's'}${r.error ? ` (${escapeMrkdwn(r.error.slice(0, 200))})` : ''}`
    : '';
  const text =
    `${cycle}\n*Series tracked:* ${input.seriesTracked}\n*Open incidents:* ${input.openIncidents}${recalibration}` +
    lateCardLines(input.lateCards ?? [], input.lateTotal ?? input.lateCards?.length ?? 0, input.now) +
    (input.cycleRunning ? '\n_A cycle is running now._' : '');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] };
}

export function permalinkOf(channel: string, ts: string): string {
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}

/** Incidents /vigil incidents lists; the rest are counted. */
export const INCIDENTS_LISTED = 20;

/**
 * `/vigil incidents`: the newest INCIDENTS_LISTED open incidents (the repo reads no more) and how
 * many more there are; `total` is the count of all open ones.
 */
export function buildIncidentsReply(incidents: readonly IncidentSummary[], total: number): SlackMessage {
  if (total === 0) {
    const text = ':white_check_mark: No open incidents.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const lines = incidents.slice(0, INCIDENTS_LISTED).map((i) => {
    const link = i.slack ? `<${permalinkOf(i.slack.channel, i.slack.ts)}|${i.id}>` : `${i.id} (card not posted yet)`;
    return (
      `• ${link} *${i.severity.toUpperCase()}* ${i.status} · ${i.services.map(escapeMrkdwn).join(', ')} · ` +
      `probably ${escapeMrkdwn(i.probable_starting_service)} · since ${i.created_at.slice(11, 16)} UTC`
    );
  });
  const header = `*${total} open incident${total === 1 ? '' : 's'}*`;
  const more = total > lines.length ? `…and ${total - lines.length} more` : '';
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: header } }];
  // One section per 10 lines keeps each under the 3000-character section limit.
  for (let i = 0; i < lines.length; i += 10) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: lines
          .slice(i, i + 10)
          .join('\n')
          .slice(0, 3000),
      },
    });
  }
  // In the blocks too: they are what Slack shows, the text is only the notification's fallback.
  if (more) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: more }] });
  return { text: `${header}\n${lines.join('\n')}${more ? `\n${more}` : ''}`, blocks };
}

const AUDIT_ICON: Record<string, string> = {
  requested: ':wrench:',
  approved: ':white_check_mark:',
  auto_approved: ':robot_face:',
  executing: ':gear:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  rejected: ':no_entry_sign:',
  expired: ':alarm_clock:',
  refused: ':no_entry:',
  needs_attention: ':warning:',
};

/** `/vigil audit [incident]`: the latest entries of the append-only remediation log, newest first. */
export function buildAuditReply(entries: readonly AuditEntry[], incidentId?: string): SlackMessage {
  const scope = incidentId ? ` for ${escapeMrkdwn(incidentId)}` : '';
  if (entries.length === 0) {
    const text = `No remediation activity${scope} yet.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const actor = (a: string) => (/^[UW][A-Z0-9]{2,}$/.test(a) ? `<@${a}>` : escapeMrkdwn(a));
  const lines = entries.map(
    (e) =>
      `${AUDIT_ICON[e.event] ?? '•'} \`${e.at.slice(0, 16).replace('T', ' ')}\` *${escapeMrkdwn(e.event)}* ` +
      `${escapeMrkdwn(e.action_id ?? '')}${e.target ? ` on ${escapeMrkdwn(e.target)}` : ''} by ${actor(e.actor)}` +
      `${e.request_id ? ` · ${escapeMrkdwn(e.request_id)}` : ''}${e.incident_id && !incidentId ? ` · ${escapeMrkdwn(e.incident_id)}` : ''}` +
      `${e.outcome ? `\n      ${escapeMrkdwn(e.outcome.length > 200 ? `${e.outcome.slice(0, 199)}…` : e.outcome)}` : ''}`,
  );
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*Remediation audit${scope}* (latest ${entries.length})` } },
  ];
  // Sections hold 3000 characters: split the lines over as many as needed.
  let chunk: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > 2900 && chunk.length > 0) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n') } });
      chunk = [];
      length = 0;
    }
    chunk.push(line);
    length += line.length + 1;
  }
  if (chunk.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n') } });
  return { text: `Remediation audit${incidentId ? ` for ${incidentId}` : ''}: ${entries.length} entries`, blocks };
}
