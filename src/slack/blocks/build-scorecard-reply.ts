import { FEEDBACK_LABELS, LABEL_NAMES } from '../../feedback/label-names.js';
import type { GroupPrecision, Median, Ratio, Scorecard, TeamPages } from '../../feedback/scorecard.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

/** Groups a breakdown names; the rest are counted. */
export const GROUPS_SHOWN = 8;

/** "75 % (3 of 4 labelled)", or what is missing when there is nothing to divide by. */
export function formatRatio(r: Ratio, of: string, empty: string): string {
  return r.value === null ? empty : `${Math.round(r.value * 100)} % (${r.count} of ${r.of} ${of})`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

function formatMedian(m: Median, what: string, empty: string): string {
  return m.seconds === null ? empty : `${formatDuration(m.seconds)} (${m.of} ${what})`;
}

function groups(list: readonly GroupPrecision[]): string {
  if (list.length === 0) return 'no labels yet';
  const shown = list
    .slice(0, GROUPS_SHOWN)
    .map((g) => `${escapeMrkdwn(g.key)} ${formatRatio(g.precision, 'labelled', 'no labels yet')}`);
  const more = list.length - shown.length;
  return `${shown.join(' · ')}${more > 0 ? ` · …and ${more} more` : ''}`;
}

function change(t: TeamPages): string {
  if (t.change === null) return t.pages > 0 ? 'new' : 'none';
  if (t.change === 0) return 'no change';
  return `${t.change > 0 ? '+' : '-'}${Math.round(Math.abs(t.change) * 100)} %`;
}

function pagesPerTeam(list: readonly TeamPages[], days: number): string {
  if (list.length === 0) return 'no pages';
  const shown = list.slice(0, GROUPS_SHOWN).map((t) => {
    const rate = days === 7 ? '' : `${t.perWeek.toFixed(1)}/week; `;
    return `${escapeMrkdwn(t.team)} ${t.pages} (${rate}${t.previous} before, ${change(t)})`;
  });
  const more = list.length - shown.length;
  return `${shown.join(' · ')}${more > 0 ? ` · …and ${more} more` : ''}`;
}

const day = (iso: string) => iso.slice(0, 10);

/**
 * `/vigil stats` and the weekly digest: every figure of the scorecard with what it was counted
 * from; an empty set says so ("no labels yet") instead of showing NaN.
 */
export function buildScorecardReply(card: Scorecard, title = 'Vigil scorecard'): SlackMessage {
  const scope = `last ${card.days} day${card.days === 1 ? '' : 's'}${card.team === null ? '' : ` · team ${escapeMrkdwn(card.team)}`}`;
  const heading = `:bar_chart: *${title}* · ${scope} (${day(card.since)} – ${day(card.until)})`;
  const verdicts = FEEDBACK_LABELS.filter((l) => card.verdicts[l] > 0)
    .map((l) => `${card.verdicts[l]} ${LABEL_NAMES[l]}`)
    .join(' · ');
  const dryRuns =
    card.remediationDryRuns > 0
      ? ` · ${card.remediationDryRuns} dry run${card.remediationDryRuns === 1 ? '' : 's'} not counted`
      : '';
  const figures = [
    `*Pages:* ${card.paged} · *labelled:* ${card.labelled} · *label coverage:* ${formatRatio(card.coverage, 'paged', 'no pages yet')}`,
    `*Alert precision:* ${formatRatio(card.precision, 'labelled', 'no labels yet')}`,
    `*False-positive rate:* ${formatRatio(card.falsePositiveRate, 'labelled', 'no labels yet')}`,
    `*Duplicates:* ${formatRatio(card.duplicateRate, 'labelled', 'no labels yet')} · *wrong starting service:* ${formatRatio(card.wrongStartRate, 'labelled', 'no labels yet')}`,
    ...(verdicts ? [`*Verdicts:* ${verdicts}`] : []),
    `*Median time to acknowledge:* ${formatMedian(card.timeToAcknowledge, 'acknowledged', 'none acknowledged yet')}`,
    `*Median time to resolve:* ${formatMedian(card.timeToResolve, 'resolved', 'none resolved yet')}`,
    `*Remediation success:* ${formatRatio(card.remediationSuccess, 'run', 'no actions run yet')}${dryRuns}`,
  ];
  const breakdowns = [
    `*Precision by detector:* ${groups(card.byDetector)}`,
    `*Precision by starting service:* ${groups(card.byService)}`,
    ...(card.team === null ? [`*Precision by team:* ${groups(card.byTeam)}`] : []),
    `*Pages per team* (vs the ${card.days} days before): ${pagesPerTeam(card.pagesByTeam, card.days)}`,
  ];
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${heading}\n${figures.join('\n')}`, 3000) } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(breakdowns.join('\n'), 3000) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            'Counted over incidents that paged in the window. An incident’s verdict is the label most people ' +
            'gave it (a tie goes to the latest); precision is its share of useful verdicts, the false-positive ' +
            'rate its share of noisy ones.',
        },
      ],
    },
  ];
  const text = `${title} · ${scope}: precision ${formatRatio(card.precision, 'labelled', 'no labels yet')}, coverage ${formatRatio(card.coverage, 'paged', 'no pages yet')}`;
  return { text, blocks };
}
