import { FeedbackLabelSchema } from '../../contracts/index.js';
import { describeVerdicts, type LabelCounts, VERDICT_LABELS } from '../../detection/feedback-adjustment.js';
import type { ExplainResult, SeriesExplanation } from '../../feedback/explain-series.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { formatValue, type Unit, withThousands } from './format-value.js';
import { escapeMrkdwn, mention, truncate } from './mrkdwn.js';

/** Section text limit (Block Kit: 3000 characters). */
const SECTION_CHARS = 3000;
/** Reasons are long sentences: one line of a change keeps its start. */
const REASON_CHARS = 400;
/** People named per feedback change; the change keeps up to 50 (LABELS_KEPT_PER_CHANGE). */
const LABELS_NAMED = 10;

function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function score(x: number): string {
  return Number(x.toPrecision(7)).toString();
}

/** "1 in 2,000 points (about 1.4 days at 60 s)": what a min_score means for this series. */
export function thresholdMeaning(minScore: number, stepSeconds: number): string {
  const tail = 1 - minScore;
  if (!(tail > 0)) return 'no point is rare enough: the series never alerts on rarity';
  const points = Math.round(1 / tail);
  const seconds = points * stepSeconds;
  const span =
    seconds >= 2 * 86_400
      ? `${Number((seconds / 86_400).toPrecision(2))} days`
      : seconds >= 2 * 3600
        ? `${Number((seconds / 3600).toPrecision(2))} hours`
        : `${Math.round(seconds / 60)} min`;
  return `a point must be rarer than 1 in ${withThousands(points)} of this series' own points (about ${span} of points at ${stepSeconds} s)`;
}

function allLabels(counts: LabelCounts): string {
  const parts = FeedbackLabelSchema.options.filter((l) => (counts[l] ?? 0) > 0).map((l) => `${counts[l]} ${l}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function baselineText(e: SeriesExplanation): string {
  if (typeof e.baseline === 'string') return `*Baseline:* unknown: ${escapeMrkdwn(e.baseline)}`;
  const v = (x: number) => formatValue(x, (e.unit ?? 'none') as Unit);
  const lines: string[] = [];
  const { recent, seasonal } = e.baseline;
  if (recent)
    lines.push(
      `recent: median ${v(recent.median)}, band ${v(recent.lower)} – ${v(recent.upper)} (robust MAD band of the ` +
        `last ${recent.points} points); mean ${v(recent.mean)} ± sd ${v(recent.sd)}`,
    );
  if (seasonal)
    lines.push(
      `this hour of day (${String(seasonal.hourUtc).padStart(2, '0')}:00 UTC): expected ${v(seasonal.expected)}, ` +
        `band ${v(seasonal.lower)} – ${v(seasonal.upper)} (${seasonal.points} points)`,
    );
  if (lines.length === 0) lines.push('still warming up');
  const saved = e.savedAt ? ` _(state saved ${when(e.savedAt)})_` : '';
  return `*Baseline:*${saved}\n${lines.map((l) => `• ${l}`).join('\n')}`;
}

function feedbackText(e: SeriesExplanation, minLabels: number): string {
  const f = e.feedback;
  const factor =
    f.tailFactor === 1
      ? 'none: the threshold is the alert rate’s alone'
      : `×${Number(f.tailFactor.toPrecision(3))} on the tail (1 − min_score), ${f.tailFactor < 1 ? 'stricter' : 'looser'} than the alert rate alone`;
  const counted = f.countedAt ? ` _(counted by the recalibration of ${when(f.countedAt)})_` : '';
  return (
    `*Feedback factor:* ${factor}\n*Labels:*${counted} ${escapeMrkdwn(allLabels(f.labels))}; ` +
    `not yet acted on: ${escapeMrkdwn(describeVerdicts(f.pending))}\n` +
    `_Only ${VERDICT_LABELS.join(', ')} move a threshold (a majority of at least ${minLabels} new ones, one step per run); ` +
    'duplicate and wrong_start are correlation faults, expected calls for a maintenance window._'
  );
}

function historyText(e: SeriesExplanation): string {
  const lines: string[] = [];
  for (const c of e.thresholdChanges)
    lines.push(
      `• ${when(c.changedAt)}: ${c.oldValue === null ? 'configured' : score(c.oldValue)} → ${score(c.newValue)}: ` +
        escapeMrkdwn(truncate(c.reason, REASON_CHARS)),
    );
  const threshold = lines.length > 0 ? lines.join('\n') : '• none yet';
  const feedback = e.feedbackChanges.map((c) => {
    const shown = c.labels.slice(0, LABELS_NAMED);
    const who =
      shown.map((l) => `${mention(l.slack_user)} ${escapeMrkdwn(l.label)}`).join(', ') +
      (c.labels.length > shown.length ? ` and ${c.labels.length - shown.length} more` : '');
    return (
      `• ${when(c.changedAt)}: ${c.direction} ×${Number(c.oldFactor.toPrecision(3))} → ×${Number(c.newFactor.toPrecision(3))}, ` +
      `min_score ${c.oldMinScore === null ? 'configured' : score(c.oldMinScore)} → ${score(c.newMinScore)}, ` +
      `by ${who || escapeMrkdwn(describeVerdicts(c.counts))}`
    );
  });
  return (
    `*Threshold changes* (newest first):\n${threshold}` +
    (feedback.length > 0 ? `\n*Feedback changes* (with the labels that justified them):\n${feedback.join('\n')}` : '')
  );
}

/** `/vigil explain <series>`: the series' threshold, its baseline, its labels and their history. */
export function buildExplainReply(result: ExplainResult, minLabels: number): SlackMessage {
  if (!result.found) {
    const key = escapeMrkdwn(truncate(result.seriesKey, 200));
    const text =
      `:grey_question: No series \`${key}\` is known (series keys are \`namespace/service/metric\`).` +
      (result.suggestions.length > 0
        ? `\nDid you mean:\n${result.suggestions.map((k) => `• \`${escapeMrkdwn(k)}\``).join('\n')}`
        : '');
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const e = result.explanation;
  const origin = e.source === 'recalibrated' && e.updatedAt ? `recalibrated ${when(e.updatedAt)}` : 'configured';
  const sections = [
    `*Series* \`${escapeMrkdwn(e.seriesKey)}\`\n*Threshold:* min_score ${score(e.minScore)} (${origin}): ` +
      thresholdMeaning(e.minScore, e.stepSeconds),
    baselineText(e),
    feedbackText(e, minLabels),
    historyText(e),
  ];
  const cut = sections.map((s) => truncate(s, SECTION_CHARS));
  const blocks: Block[] = cut.map((s) => ({ type: 'section', text: { type: 'mrkdwn', text: s } }));
  return { text: cut.join('\n'), blocks };
}
