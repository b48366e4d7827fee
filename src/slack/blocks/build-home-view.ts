import type { Silence } from '../../silences/silence.js';
import type { IncidentSummary } from '../../storage/incidents-repo.js';
import type { AuditEntry } from '../../storage/remediation-repo.js';
import type { Block, HomeView } from './block-kit-limits.js';
import { buildAuditReply, buildIncidentsReply } from './build-command-replies.js';
import { silenceBlocks } from './build-silence-replies.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** What the Home tab lists of each kind; with the headers it stays far under 100 blocks. */
export const HOME_INCIDENTS = 10;
export const HOME_APPROVALS = 10;
export const HOME_ACTIONS = 10;

export interface HomeApproval {
  id: string;
  incident_id: string;
  title: string;
  target: string;
  requested_by: string;
  expires_at: string;
  /** Where the request waits (its message in the card's thread). */
  link: string | null;
}

export interface HomeInput {
  /** Whose tab: the teams they are in (config teams.<name>.members); empty: every team. */
  teams: readonly string[];
  incidents: readonly IncidentSummary[];
  incidentTotal: number;
  approvals: readonly HomeApproval[];
  silences: readonly Silence[];
  silenceTotal: number;
  actions: readonly AuditEntry[];
  now: Date;
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text } });

/**
 * The App Home tab: the user's teams' open incidents, requests they may approve, silences and
 * maintenance in force (with Remove buttons), and recent remediation activity. Every list is a
 * LIMITed read; the builders of the matching /vigil replies make the rows, so both read the same.
 */
export function buildHomeView(input: HomeInput): HomeView {
  const scope = input.teams.length > 0 ? `team ${input.teams.map(escapeMrkdwn).join(', ')}` : 'all teams';
  const incidents = buildIncidentsReply(input.incidents.slice(0, HOME_INCIDENTS), input.incidentTotal).blocks;
  const approvals =
    input.approvals.length === 0
      ? [section('Nothing waits for your approval.')]
      : [
          section(
            input.approvals
              .slice(0, HOME_APPROVALS)
              .map(
                (a) =>
                  `• ${a.link ? `<${a.link}|${escapeMrkdwn(a.id)}>` : escapeMrkdwn(a.id)} *${escapeMrkdwn(a.title)}* on ` +
                  `\`${escapeMrkdwn(a.target)}\` for ${escapeMrkdwn(a.incident_id)}, asked by <@${a.requested_by}>, ` +
                  `expires ${a.expires_at.slice(11, 16)} UTC`,
              )
              .join('\n')
              .slice(0, 3000),
          ),
        ];
  const silences =
    input.silenceTotal === 0
      ? [section('No silences or maintenance in force.')]
      : silenceBlocks(input.silences, input.silenceTotal, input.now);
  const actions = buildAuditReply(input.actions.slice(0, HOME_ACTIONS)).blocks.slice(1);
  const blocks: Block[] = [
    header('Vigil'),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Open incidents of ${scope} · updated ${input.now.toISOString().slice(11, 16)} UTC` },
      ],
    },
    header('Open incidents'),
    ...incidents,
    { type: 'divider' },
    header('Waiting for your approval'),
    ...approvals,
    { type: 'divider' },
    header('Silences and maintenance'),
    ...silences,
    { type: 'divider' },
    header('Recent actions'),
    ...(input.actions.length === 0 ? [section('No remediation activity yet.')] : actions),
  ];
  return { type: 'home', blocks };
}
