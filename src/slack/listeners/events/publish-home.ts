import type { KnownBlock, WebClient } from '@slack/web-api';
import { checkHomeViewLimits } from '../../blocks/block-kit-limits.js';
import { permalinkOf } from '../../blocks/build-command-replies.js';
import {
  buildHomeView,
  HOME_ACTIONS,
  HOME_APPROVALS,
  HOME_INCIDENTS,
  type HomeApproval,
} from '../../blocks/build-home-view.js';
import { SILENCES_LISTED } from '../../blocks/build-silence-replies.js';
import type { ListenerDeps } from '../deps.js';

/** Proposed requests looked at for the user's approvals: the oldest first, a bounded page. */
const PROPOSED_READ = 50;

/** Teams whose members (config teams.<name>.members) include the user. */
export function teamsOf(user: string, members: ReadonlyMap<string, readonly string[]> | undefined): string[] {
  return [...(members ?? new Map<string, readonly string[]>())].filter(([, ids]) => ids.includes(user)).map(([t]) => t);
}

async function approvalsFor(user: string, deps: ListenerDeps): Promise<HomeApproval[]> {
  const remediation = deps.remediation;
  if (!remediation) return [];
  const out: HomeApproval[] = [];
  for (const r of deps.repos.remediation.withStatus('proposed').slice(0, PROPOSED_READ)) {
    if (out.length >= HOME_APPROVALS) break;
    // The same check the Approve button makes (users and user groups of the action's approvers).
    if (r.requested_by === user || !(await remediation.mayDecide(r.id, user)).ok) continue;
    out.push({
      id: r.id,
      incident_id: r.incident_id,
      title: r.action_id,
      target: r.target,
      requested_by: r.requested_by,
      expires_at: r.expires_at,
      link: r.slack ? permalinkOf(r.slack.channel, r.slack.ts) : null,
    });
  }
  return out;
}

/**
 * Publishes the user's Home tab (views.publish). A user in no configured team sees every team's
 * open incidents (LIMITed): a Home tab that hides incidents would mislead more than a long one.
 */
export async function publishHome(client: WebClient, user: string, deps: ListenerDeps): Promise<void> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const teams = teamsOf(user, deps.teamMembers);
  const incidents =
    teams.length > 0
      ? deps.repos.home.activeOfTeams(teams, HOME_INCIDENTS)
      : {
          incidents: deps.repos.incidents.listActiveSummaries(HOME_INCIDENTS),
          total: deps.repos.incidents.countActive(),
        };
  const view = buildHomeView({
    teams,
    incidents: incidents.incidents,
    incidentTotal: incidents.total,
    approvals: await approvalsFor(user, deps),
    silences: deps.repos.silences.live(nowIso, SILENCES_LISTED),
    silenceTotal: deps.repos.silences.countLive(nowIso),
    actions: deps.repos.remediation.auditLog({ limit: HOME_ACTIONS }),
    now,
  });
  const problems = checkHomeViewLimits(view);
  if (problems.length > 0) {
    // A bug of the builder, not of the data: said loudly, and nothing half-valid is sent.
    deps.logger.error({ user, problems }, 'the Home view breaks Block Kit limits; not published');
    return;
  }
  await client.views.publish({ user_id: user, view: { type: 'home', blocks: view.blocks as KnownBlock[] } });
}
