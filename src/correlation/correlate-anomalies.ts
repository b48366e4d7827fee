import type { AnomalyEvent } from '../contracts/index.js';
import type { IncidentDraft, ServiceEvidence } from './incident-draft.js';
import { neighbourhoodOf, type Topology } from './topology.js';

export interface CorrelationSettings {
  windowSeconds: number;
}

export interface CorrelationResult {
  opened: IncidentDraft[];
  updated: IncidentDraft[];
}

/**
 * Groups anomalies (any order) into the open incidents or new ones. An anomaly joins an open incident
 * of its namespace when it is within the window of that incident's latest anomaly and its service is
 * the incident's or one call away from one of them; otherwise it opens a new incident. Pure: the
 * drafts passed in are not mutated, updated copies are returned.
 */
export function correlateAnomalies(
  anomalies: readonly AnomalyEvent[],
  open: readonly IncidentDraft[],
  topology: Topology,
  settings: CorrelationSettings,
): CorrelationResult {
  const windowMs = settings.windowSeconds * 1000;
  const drafts = open.map(cloneDraft);
  const touched = new Set<IncidentDraft>();
  const opened: IncidentDraft[] = [];
  const ordered = [...anomalies].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  for (const anomaly of ordered) {
    const ts = Date.parse(anomaly.timestamp);
    const related = neighbourhoodOf(topology, anomaly.service);
    let best: IncidentDraft | undefined;
    for (const draft of drafts) {
      if (draft.namespace !== anomaly.namespace) continue;
      if (ts - draft.lastAnomalyAt > windowMs || draft.createdAt - ts > windowMs) continue;
      if (![...draft.members.keys()].some((s) => related.has(s))) continue;
      if (!best || draft.lastAnomalyAt > best.lastAnomalyAt) best = draft;
    }
    if (!best) {
      best = {
        id: undefined,
        fingerprint: `${anomaly.namespace}/${anomaly.service}/${new Date(ts).toISOString()}`,
        namespace: anomaly.namespace,
        createdAt: ts,
        lastAnomalyAt: ts,
        members: new Map(),
        newAnomalyIds: [],
      };
      drafts.push(best);
      opened.push(best);
    }
    addAnomaly(best, anomaly, ts);
    touched.add(best);
  }
  return { opened, updated: drafts.filter((d) => touched.has(d) && !opened.includes(d)) };
}

function addAnomaly(draft: IncidentDraft, anomaly: AnomalyEvent, ts: number): void {
  draft.lastAnomalyAt = Math.max(draft.lastAnomalyAt, ts);
  draft.newAnomalyIds.push(anomaly.id);
  const member: ServiceEvidence = draft.members.get(anomaly.service) ?? {
    service: anomaly.service,
    firstAt: ts,
    lastAt: ts,
    count: 0,
    maxScore: 0,
    metrics: [],
    recentDeploy: null,
  };
  member.firstAt = Math.min(member.firstAt, ts);
  member.lastAt = Math.max(member.lastAt, ts);
  member.count += 1;
  member.maxScore = Math.max(member.maxScore, anomaly.anomaly_score);
  if (!member.metrics.includes(anomaly.metric_name)) member.metrics.push(anomaly.metric_name);
  member.recentDeploy ??= anomaly.evidence.recent_deploy;
  draft.members.set(anomaly.service, member);
}

function cloneDraft(draft: IncidentDraft): IncidentDraft {
  return {
    ...draft,
    members: new Map([...draft.members].map(([k, v]) => [k, { ...v, metrics: [...v.metrics] }])),
    newAnomalyIds: [],
  };
}
