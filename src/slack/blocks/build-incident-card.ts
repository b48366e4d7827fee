import { appendAll } from '../../collections/append-all.js';
import { compareText } from '../../collections/compare-text.js';
import type { AnomalyEvent, FeedbackLabel, Incident, Severity } from '../../contracts/index.js';
import { FEEDBACK_LABELS, LABEL_CHOICES, LABEL_NAMES } from '../../feedback/label-names.js';
import type { FeedbackEmoji } from '../../feedback/reaction-labels.js';
import { ActionId, BlockId } from '../action-ids.js';
import { alertEvidenceLine } from './alert-evidence-line.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { buildRemediationCardBlocks, type RemediationOffer } from './build-remediation-blocks.js';
import { detectorPhrase } from './detector-phrase.js';
import { deviationPhrase } from './deviation-phrase.js';
import { formatValue, sparkline, type Unit } from './format-value.js';
import {
  anomaliesStoppedAt,
  durationPhrase,
  type TimelineInput,
  type TimelineSpan,
  timelineLines,
} from './incident-timeline.js';
import { escapeMrkdwn, mention, truncate } from './mrkdwn.js';
import { rarityPhrase } from './rarity-phrase.js';

export { escapeMrkdwn } from './mrkdwn.js';

export interface Runbook {
  service: string;
  title: string;
  url: string;
}

export interface IncidentCardInput {
  incident: Incident;
  /** The strongest anomaly per series, strongest first. */
  evidence: readonly AnomalyEvent[];
  anomalyCount: number;
  runbooks: readonly Runbook[];
  units: ReadonlyMap<string, Unit>;
  /**
   * The incident's series (first and latest anomaly, deploy) and its status changes: with them the
   * card shows a timeline, and each evidence line its first and latest time.
   */
  timeline?: { spans: readonly TimelineSpan[]; transitions: TimelineInput['transitions'] };
  /** Who moved it by hand (acknowledged, resolved), latest first: said on the card. */
  decisions?: ReadonlyArray<{ status: string; actor: string; reason: string; at: string }>;
  /** Allow-listed actions offered for this incident, and the state of those already requested. */
  remediation?: { offers: readonly RemediationOffer[]; lines: readonly string[] };
  /**
   * The labels people gave it, counted by label, and the reactions that give one: with it the card
   * shows the counts and offers the menu of labels.
   */
  feedback?: { counts: Partial<Record<FeedbackLabel, number>>; emoji: FeedbackEmoji };
}

/** What the label menu sends back: which incident, which label (checked again by the listener). */
export function labelMenuValue(incidentId: string, label: FeedbackLabel): string {
  return JSON.stringify({ incident: incidentId, label });
}

/** Slack's limit on an option's value (https://docs.slack.dev/reference/block-kit/composition-objects/option-object). */
const OPTION_VALUE_MAX = 150;

const MAX_EVIDENCE_LINES = 8;
const MAX_RUNBOOK_BUTTONS = 5;
const SPARK_POINTS = 20;

const SEVERITY_BADGE: Record<Severity, string> = {
  critical: ':red_circle: CRITICAL',
  high: ':large_orange_circle: HIGH',
  warning: ':large_yellow_circle: WARNING',
};
const STATUS_TEXT: Record<Incident['status'], string> = {
  open: ':rotating_light: Open',
  acknowledged: ':eyes: Acknowledged',
  resolved: ':white_check_mark: Resolved',
  suppressed: ':zipper_mouth_face: Suppressed',
};

function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * One series' evidence: its value against the band in the metric's units, what the detector saw,
 * how rare that is in the series, and labelled times (its first and latest anomaly when known, and
 * when the value shown was seen).
 */
export function evidenceLine(
  event: AnomalyEvent,
  unit: Unit,
  span?: Pick<TimelineSpan, 'first_at' | 'last_at'>,
): string {
  if (event.alert) return alertEvidenceLine(event, event.alert);
  const value = formatValue(event.value, unit);
  const arrow = event.direction === 'up' ? '↑' : '↓';
  const windowMin = Math.round(event.window_seconds / 60);
  const gaps = event.evidence.missing_samples > 0 ? ` · ${event.evidence.missing_samples} missing` : '';
  const spark = sparkline(event.evidence.recent_values.slice(-SPARK_POINTS));
  const rarity = rarityPhrase(event);
  const at = hhmmUtc(event.timestamp);
  const times =
    span && (span.first_at !== event.timestamp || span.last_at !== event.timestamp)
      ? `first ${hhmmUtc(span.first_at)} · this value ${at} · latest ${hhmmUtc(span.last_at)}`
      : `at ${at}`;
  return (
    `*${escapeMrkdwn(event.service)}* \`${escapeMrkdwn(event.metric_name)}\` ${arrow} *${value}*: ` +
    `${deviationPhrase(event, unit)} \`${spark}\`\n` +
    `      ${detectorPhrase(event)} (${event.detector})${rarity ? ` · ${rarity}` : ''} · ${times} · ` +
    `${windowMin} min window, ${event.evidence.baseline_points} pts${gaps}`
  );
}

const hhmmUtc = (iso: string) => `${iso.slice(11, 16)} UTC`;

/**
 * The incident card: what is wrong, where it probably started and why, the evidence to judge it,
 * and where the runbooks are. Pure: the same incident always gives the same card.
 */
export function buildIncidentCard(input: IncidentCardInput): SlackMessage {
  const { incident } = input;
  const services = incident.services.map(escapeMrkdwn);
  const title = `${incident.status === 'resolved' ? 'Resolved: ' : ''}${incident.severity.toUpperCase()} · ${incident.services.join(', ')}`;
  const hyp = incident.hypothesis;
  const blocks: Block[] = [
    { type: 'header', block_id: BlockId.header, text: { type: 'plain_text', text: truncate(title, 150), emoji: true } },
    {
      type: 'section',
      block_id: BlockId.summary,
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${SEVERITY_BADGE[incident.severity]}` },
        { type: 'mrkdwn', text: `*Status*\n${STATUS_TEXT[incident.status]}` },
        { type: 'mrkdwn', text: truncate(`*Services (${services.length})*\n${services.join(', ')}`, 2000) },
        { type: 'mrkdwn', text: `*Team*\n${escapeMrkdwn(incident.team)}` },
        { type: 'mrkdwn', text: `*Namespace*\n${escapeMrkdwn(incident.namespace)}` },
        { type: 'mrkdwn', text: `*Started*\n${utc(incident.created_at)}` },
        {
          type: 'mrkdwn',
          text: incident.resolved_at
            ? `*Resolved*\n${utc(incident.resolved_at)}`
            : `*Last anomaly*\n${utc(incident.last_anomaly_at)}`,
        },
        {
          type: 'mrkdwn',
          text: `*Duration*\n${durationPhrase(incident, anomaliesStoppedAt({ incident, spans: input.timeline?.spans ?? [] }))}`,
        },
      ],
    },
    {
      type: 'section',
      block_id: BlockId.hypothesis,
      text: {
        type: 'mrkdwn',
        text: truncate(
          `:mag: *Probable starting service: ${escapeMrkdwn(hyp.probable_starting_service)}* ` +
            `(confidence ${Math.round(hyp.confidence * 100)}%)\n${escapeMrkdwn(hyp.reason)}\n` +
            '_A hypothesis from timing and topology, not a confirmed root cause._',
          3000,
        ),
      },
    },
  ];
  if (input.timeline) {
    const lines = timelineLines({ incident, ...input.timeline });
    blocks.push({
      type: 'section',
      block_id: BlockId.timeline,
      text: { type: 'mrkdwn', text: truncateLines('*Timeline* (UTC)', lines, 3000) },
    });
  }
  const notes = [
    ...(incident.previous_incident_id
      ? [`Follows ${incident.previous_incident_id} (resolved) on the same services.`]
      : []),
    ...incident.notes,
    // The timeline tells who acknowledged and resolved it, and when.
    ...(input.timeline ? [] : (input.decisions ?? [])).map(
      (d) =>
        `${d.status === 'acknowledged' ? ':eyes: Acknowledged' : ':white_check_mark: Resolved'} by ${mention(d.actor)} at ${d.at.slice(11, 16)} UTC${d.reason && d.status === 'resolved' ? `: ${escapeMrkdwn(d.reason)}` : ''}`,
    ),
  ];
  if (notes.length > 0) {
    blocks.push({
      type: 'context',
      block_id: BlockId.notes,
      elements: notes.slice(0, 10).map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, 3000) })),
    });
  }
  blocks.push({ type: 'divider' });
  const heading =
    `*Evidence* (${input.anomalyCount} anomal${input.anomalyCount === 1 ? 'y' : 'ies'} in ` +
    `${input.evidence.length} series)`;
  // Whole lines only, so a cut never splits an entry or an &amp; escape, and the reader is told
  // how many series did not fit.
  const lines: string[] = [];
  let length = heading.length + 60;
  const spanOf = new Map((input.timeline?.spans ?? []).map((sp) => [sp.series_key, sp]));
  // The strongest series, told in the order their anomalies began.
  const shown = input.evidence
    .slice(0, MAX_EVIDENCE_LINES)
    .map((event) => ({ event, first: spanOf.get(event.series_key)?.first_at ?? event.timestamp }))
    .sort((a, b) => compareText(a.first, b.first));
  for (const { event } of shown) {
    const line = evidenceLine(event, input.units.get(event.metric_name) ?? 'none', spanOf.get(event.series_key));
    if (length + line.length + 1 > 3000) break;
    lines.push(line);
    length += line.length + 1;
  }
  const more = input.evidence.length - lines.length;
  blocks.push({
    type: 'section',
    block_id: BlockId.evidence,
    text: {
      type: 'mrkdwn',
      text:
        `${heading}\n${lines.length > 0 ? lines.join('\n') : '_no anomalies recorded_'}` +
        (more > 0 ? `\n…and ${more} more series in the thread` : ''),
    },
  });
  if (incident.status === 'open' || incident.status === 'acknowledged') {
    blocks.push({
      type: 'actions',
      block_id: BlockId.lifecycle,
      elements: [
        ...(incident.status === 'open'
          ? [
              {
                type: 'button' as const,
                text: { type: 'plain_text' as const, text: 'Acknowledge', emoji: true },
                action_id: ActionId.acknowledge,
                value: incident.id,
                style: 'primary' as const,
              },
            ]
          : []),
        {
          type: 'button' as const,
          text: { type: 'plain_text' as const, text: 'Resolve', emoji: true },
          action_id: ActionId.resolve,
          value: incident.id,
        },
      ],
    });
  }
  if (input.remediation)
    appendAll(blocks, buildRemediationCardBlocks(input.remediation.offers, input.remediation.lines));
  const runbooks = input.runbooks.slice(0, MAX_RUNBOOK_BUTTONS);
  if (runbooks.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: BlockId.runbooks,
      elements: runbooks.map((r, i) => ({
        type: 'button' as const,
        text: { type: 'plain_text' as const, text: truncate(`📖 ${r.service}: ${r.title}`, 75), emoji: true },
        action_id: ActionId.runbook(i),
        url: r.url,
      })),
    });
  }
  const feedback = input.feedback ? feedbackBlocks(incident.id, input.feedback) : undefined;
  if (feedback) appendAll(blocks, feedback.blocks);
  blocks.push({
    type: 'context',
    block_id: BlockId.footer,
    elements: [
      {
        type: 'mrkdwn',
        text: [
          incident.id,
          `updated ${utc(incident.updated_at)}`,
          input.feedback && feedback
            ? invitation(input.feedback.emoji, feedback.menu)
            : 'React :+1: useful or :-1: noisy to teach Vigil',
        ]
          .filter(Boolean)
          .join(' · '),
      },
    ],
  });
  const text = truncate(
    `[${incident.severity.toUpperCase()}] ${incident.status === 'resolved' ? 'Resolved: ' : ''}` +
      `${incident.services.join(', ')}: probably started at ${hyp.probable_starting_service} (${incident.id})`,
    3000,
  );
  return { text, blocks };
}

/** A heading and whole lines, as many as fit in `max`, then how many were left out. */
function truncateLines(heading: string, lines: readonly string[], max: number): string {
  const kept: string[] = [];
  let length = heading.length + 40;
  for (const line of lines) {
    if (length + line.length + 1 > max) break;
    kept.push(line);
    length += line.length + 1;
  }
  const more = lines.length - kept.length;
  return [heading, ...kept, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n');
}

/** How the footer asks for feedback, with the first configured emoji of each kind. */
function invitation(emoji: FeedbackEmoji, menu: boolean): string {
  const useful = emoji.useful_emoji[0];
  const noisy = emoji.noisy_emoji[0];
  const reactions = [useful ? `:${useful}: useful` : '', noisy ? `:${noisy}: noisy` : ''].filter(Boolean);
  if (reactions.length === 0) return menu ? 'Pick a label to teach Vigil' : '';
  return `React ${reactions.join(' or ')}${menu ? ', or pick a label,' : ''} to teach Vigil`;
}

/** The menu of labels and, once someone gave one, the counts ("Feedback: 2 useful · 1 noisy"). */
function feedbackBlocks(
  incidentId: string,
  feedback: NonNullable<IncidentCardInput['feedback']>,
): { blocks: Block[]; menu: boolean } {
  const blocks: Block[] = [];
  const values = FEEDBACK_LABELS.map((label) => ({ label, value: labelMenuValue(incidentId, label) }));
  // Incident ids are short (inc-xxxxxxxx); one too long for an option must not cost the card itself.
  if (values.every((v) => v.value.length <= OPTION_VALUE_MAX)) {
    blocks.push({
      type: 'actions',
      block_id: BlockId.feedback,
      elements: [
        {
          type: 'static_select',
          action_id: ActionId.label,
          placeholder: { type: 'plain_text', text: 'Label this incident', emoji: true },
          options: values.map(({ label, value }) => ({
            text: { type: 'plain_text' as const, text: LABEL_CHOICES[label], emoji: true },
            value,
          })),
        },
      ],
    });
  }
  const menu = blocks.length > 0;
  const counted = FEEDBACK_LABELS.filter((label) => (feedback.counts[label] ?? 0) > 0);
  if (counted.length > 0) {
    blocks.push({
      type: 'context',
      block_id: BlockId.feedbackCounts,
      elements: [
        {
          type: 'mrkdwn',
          text: `Feedback: ${counted.map((label) => `${feedback.counts[label]} ${LABEL_NAMES[label]}`).join(' · ')}`,
        },
      ],
    });
  }
  return { blocks, menu };
}
