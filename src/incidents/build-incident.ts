import { createHash } from 'node:crypto';
import { compareText } from '../collections/compare-text.js';
import { type Incident, SCHEMA_VERSION } from '../contracts/index.js';
import { assessSeverity } from '../correlation/assess-severity.js';
import type { IncidentDraft } from '../correlation/incident-draft.js';
import { rankHypothesis } from '../correlation/rank-hypothesis.js';
import type { Topology } from '../correlation/topology.js';

export interface Routing {
  /** team → Slack channel */
  teamChannels: ReadonlyMap<string, string>;
  defaultChannel: string;
  /** The team labels name for a service not under `services:` (see service-ownership.ts). */
  teamOf?: (service: string) => string | undefined;
}

export function incidentIdOf(fingerprint: string): string {
  return `inc-${createHash('sha256').update(fingerprint).digest('hex').slice(0, 8)}`;
}

/**
 * The incident a draft stands for. A new incident is routed to the team owning its probable starting
 * service; an existing one keeps its team, channel and status so its card stays where people saw it.
 */
export function buildIncident(
  draft: IncidentDraft,
  topology: Topology,
  routing: Routing,
  existing: Incident | undefined,
  now: Date,
): Incident {
  const hypothesis = rankHypothesis(draft, topology);
  const services = [...draft.members.values()]
    .sort((a, b) => a.firstAt - b.firstAt || compareText(a.service, b.service))
    .map((m) => m.service);
  // A configured team wins over one labels name; a team not under `teams:` gets the default channel.
  const teamOf = (s: string) => topology.services.get(s)?.team ?? routing.teamOf?.(s);
  const owner =
    teamOf(hypothesis.probable_starting_service) ?? services.map(teamOf).find((t) => t !== undefined) ?? 'unowned';
  const team = existing?.team ?? owner;
  return {
    schema_version: SCHEMA_VERSION,
    id: existing?.id ?? draft.id ?? incidentIdOf(draft.fingerprint),
    fingerprint: draft.fingerprint,
    status: existing?.status ?? 'open',
    severity: assessSeverity(draft, topology),
    services,
    namespace: draft.namespace,
    team,
    channel: existing?.channel ?? routing.teamChannels.get(team) ?? routing.defaultChannel,
    created_at: existing?.created_at ?? new Date(draft.createdAt).toISOString(),
    updated_at: now.toISOString(),
    last_anomaly_at: new Date(draft.lastAnomalyAt).toISOString(),
    resolved_at: null,
    hypothesis,
    slack: existing?.slack ?? null,
    pending: existing?.pending ?? true,
    opened_at: existing?.opened_at ?? null,
    suppression_reason: existing?.suppression_reason ?? null,
    notes: existing?.notes ?? [],
    previous_incident_id: existing?.previous_incident_id ?? null,
  };
}
