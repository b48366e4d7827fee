import type { AnomalyEvent, Incident, IncidentTransition } from '../contracts/index.js';
import { type CorrelationSettings, correlateAnomalies } from '../correlation/correlate-anomalies.js';
import type { IncidentDraft, ServiceEvidence } from '../correlation/incident-draft.js';
import { PERSISTENCE_MS } from '../correlation/service-evidence.js';
import { storyReaches, type Topology } from '../correlation/topology.js';
import type { IncidentsRepo } from '../storage/incidents-repo.js';
import { buildIncident, type Routing } from './build-incident.js';

export interface IncidentChanges {
  /** Became visible (a card is due). */
  opened: string[];
  updated: string[];
  resolved: string[];
  /** Recorded without paging: below the evidence bar, or suppressed. */
  recorded: string[];
}

export interface LifecycleSettings extends CorrelationSettings {
  resolveAfterQuietSeconds: number;
  /** Anomalous points an incident needs before it pages: a single one-sample blip does not. */
  minAnomalies: number;
  /** Symptom anomalies of one service that page when none of them is of full weight (see pagingWeight). */
  persistencePoints?: number;
  /**
   * Services with symptoms a story needs before a symptom that persists on a service where it may be
   * a daily pattern (see ServiceEvidence.novel) pages; 1: no such rule (see meetsEvidenceBar).
   */
  unseasonedMinServices?: number;
  /** A new incident links to one resolved this recently that shared a service. */
  linkWindowSeconds: number;
  /**
   * A story about to page that is this many calls from one already paged, active within its open
   * window, joins it instead (a surge or a spreading fault reaching a far leaf). 0 disables.
   */
  joinHops?: number;
}

/**
 * What the lifecycle reads and writes: the SQLite repo for the champion, an in-memory store for a
 * shadow challenger (src/shadow/), which must never touch the champion's incidents.
 */
export type IncidentStore = Pick<
  IncidentsRepo,
  'activeDrafts' | 'get' | 'save' | 'absorb' | 'listActive' | 'resolvedSince' | 'atomically'
>;

export interface ApplyAnomaliesOptions {
  incidents: IncidentStore;
  topology: Topology;
  routing: Routing;
  settings: LifecycleSettings;
  suppression?: (anomaly: AnomalyEvent) => string | null;
  /** An incident quiet long enough is still not resolved while this says so (an alert still firing). */
  holdOpen?: (incidentId: string) => boolean;
  trafficMetrics?: ReadonlySet<string>;
  now: Date;
}

const VIGIL = 'vigil';

function transition(
  incident: Incident,
  from: Incident['status'] | null,
  actor: string,
  reason: string,
  at: Date,
): IncidentTransition {
  return {
    incident_id: incident.id,
    from_status: from,
    to_status: incident.status,
    actor,
    reason,
    at: at.toISOString(),
  };
}

/**
 * Enough to page: at least `minAnomalies` anomalous points (with `minAnomalies` 1, the first
 * anomaly pages), of which a symptom persists on one service (two of full weight within a few
 * scrapes, or `persistencePoints` that count) or shows on three services at once (within a few
 * scrapes of each other). Single blips, coincident blips minutes apart, demand moving without any
 * symptom, moderate symptoms that do not last, symptoms that moved too little to page (see
 * pagingWeight), and symptoms of services scattered over a long story (a night of record-low demand
 * taking in one twitch here, another there) are recorded.
 *
 * A symptom that persists on a service where it may be a daily pattern not learned yet (its series'
 * seasonal baseline had not seen the hour, or the series did the same at this time yesterday: see
 * AnomalyEvent.novelty and ServiceEvidence.novel) pages only once the story has symptoms on
 * `unseasonedMinServices` services: alone, it may be a nightly batch job on a database in its first
 * nights, while a fault reaches its callers.
 */
export function meetsEvidenceBar(
  draft: IncidentDraft,
  minAnomalies: number,
  persistencePoints = Number.POSITIVE_INFINITY,
  unseasonedMinServices = 1,
): boolean {
  // A firing Alertmanager alert (outside maintenance) pages alone: someone wrote that rule and it
  // held for its `for:`; anomalies that follow join its card instead of paging a second time.
  for (const m of draft.members.values()) if (m.alerts > 0) return true;
  // Only anomalies outside maintenance windows and deploy grace are evidence.
  if (draft.total - draft.suppressed < minAnomalies) return false;
  const members = [...draft.members.values()];
  // min_anomalies 1 means "page on the first anomaly": no waiting for a second scrape.
  if (minAnomalies <= 1) return true;
  // A symptom that persists (two anomalies of one service within a few scrapes), or symptoms on
  // several services at once. Demand moving alone (traffic anomalies, no symptom) does not page:
  // a surge that matters shows as latency, errors or saturation within a scrape or two.
  const symptomatic = members.filter((m) => m.count > m.traffic + m.minor + m.suppressed);
  const spread = symptomatic.length >= unseasonedMinServices;
  const persistent = members.some(
    (m) => (m.persistentSymptom || m.sustained >= persistencePoints) && (m.novel > 0 || spread),
  );
  return persistent || servicesAtOnce(symptomatic) >= 3;
}

/**
 * The most services whose latest symptom came within a few scrapes (PERSISTENCE_MS) of the latest
 * of all: symptoms on several services at once, as a spreading fault or a surge shows them.
 */
function servicesAtOnce(symptomatic: readonly ServiceEvidence[]): number {
  const latest = symptomatic.map((m) => m.lastSymptomAt ?? m.lastAt);
  let last = Number.NEGATIVE_INFINITY;
  for (const t of latest) last = Math.max(last, t);
  return latest.filter((t) => last - t <= PERSISTENCE_MS).length;
}

/**
 * Folds new anomalies (already stored) into the incident store and moves incidents through their
 * lifecycle: recorded (pending) → open once the evidence bar is met, or suppressed when every
 * anomaly fell in a maintenance window or deploy grace; suppressed → open when one did not;
 * open/acknowledged → resolved after a quiet period. A resolved incident never absorbs anything:
 * the next story opens anew and links to it. Each change is one transaction with its transition.
 */
export function applyAnomalies(anomalies: readonly AnomalyEvent[], options: ApplyAnomaliesOptions): IncidentChanges {
  const { incidents, topology, routing, now, settings } = options;
  const changes: IncidentChanges = { opened: [], updated: [], resolved: [], recorded: [] };
  if (anomalies.length > 0) {
    const result = correlateAnomalies({
      anomalies,
      open: incidents.activeDrafts(options.trafficMetrics),
      topology,
      settings,
      ...(options.suppression ? { suppression: options.suppression } : {}),
      ...(options.trafficMetrics ? { trafficMetrics: options.trafficMetrics } : {}),
    });
    for (const draft of [...result.opened, ...result.updated]) {
      const existing = draft.id === undefined ? undefined : incidents.get(draft.id);
      settle(draft, existing);
    }
  }

  function settle(draft: IncidentDraft, existing: Incident | undefined) {
    const built = buildIncident(draft, topology, routing, existing, now);
    const evidence = meetsEvidenceBar(
      draft,
      settings.minAnomalies,
      settings.persistencePoints,
      settings.unseasonedMinServices,
    );
    const maintenanceNotes = draft.suppressionReasons
      .filter((r) => r.startsWith('maintenance') || r.startsWith('silence'))
      .map((r) => `Overlaps ${r}.`);
    let incident: Incident = { ...built, notes: [...new Set([...(existing?.notes ?? []), ...maintenanceNotes])] };
    let change: IncidentTransition | undefined;
    const was = existing?.status ?? null;
    const wasVisible = existing !== undefined && !existing.pending && existing.status !== 'suppressed';
    if (wasVisible) {
      // Once paged, an incident stays paged until it is resolved: the evidence bar is for opening.
      changes.updated.push(incident.id);
    } else if (!evidence && !(draft.suppressed > 0 && draft.total >= settings.minAnomalies)) {
      incident = { ...incident, pending: true, status: 'open' };
      if (!existing)
        change = transition(incident, null, VIGIL, `recorded: ${draft.total} anomaly below the evidence bar`, now);
      changes.recorded.push(incident.id);
    } else if (!evidence) {
      // A story of anomalies in maintenance windows or deploy grace: recorded as suppressed, with
      // the reason. Only evidence outside them pages (a moderate blip of an unrelated service that
      // joins it must not page what the window covers).
      incident = {
        ...incident,
        pending: false,
        status: 'suppressed',
        suppression_reason: draft.suppressionReasons.join('; '),
      };
      if (was !== 'suppressed')
        change = transition(incident, was, VIGIL, `suppressed: ${incident.suppression_reason}`, now);
      changes.recorded.push(incident.id);
    } else if (joinVisible(draft, incident)) {
      return;
    } else {
      incident = {
        ...incident,
        pending: false,
        status: 'open',
        opened_at: now.toISOString(),
        suppression_reason: null,
        previous_incident_id: existing?.previous_incident_id ?? previousOf(incident),
      };
      const services = draft.members.size;
      change = transition(
        incident,
        was === 'suppressed' ? 'suppressed' : null,
        VIGIL,
        was === 'suppressed'
          ? 'opened: anomalies outside the suppression window'
          : `opened: ${draft.total} anomalies in ${services} service${services === 1 ? '' : 's'}`,
        now,
      );
      changes.opened.push(incident.id);
    }
    incidents.save(incident, draft.newAnomalies, change);
    for (const from of draft.absorbed) incidents.absorb(incident.id, from, now.toISOString());
  }

  /**
   * About to page: if a paged incident of the namespace is active and a few calls away (along the
   * direction faults travel), this is part of its story. Store the draft (as recorded), move its anomalies there, and do not page.
   */
  function joinVisible(draft: IncidentDraft, incident: Incident): boolean {
    const hops = settings.joinHops ?? 0;
    if (hops <= 0) return false;
    const windowMs = Math.max(settings.windowSeconds, settings.resolveAfterQuietSeconds) * 1000;
    const target = incidents
      .listActive()
      .filter(
        (v) =>
          v.id !== incident.id &&
          v.namespace === incident.namespace &&
          draft.createdAt - Date.parse(v.last_anomaly_at) <= windowMs &&
          // Along the direction faults travel (see storyReaches): an outage in another part of the
          // graph that merely shares a gateway or a database with a paged one pages on its own.
          [...draft.members.keys()].some((s) => storyReaches(topology, new Set(v.services), s, hops)),
      )
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))[0];
    if (!target) return false;
    incidents.save({ ...incident, pending: true, status: 'open' }, draft.newAnomalies);
    incidents.absorb(target.id, incident.id, now.toISOString());
    for (const from of draft.absorbed) incidents.absorb(target.id, from, now.toISOString());
    changes.recorded.push(incident.id);
    return true;
  }

  /** The most recent resolved incident that shared a service with this one, if recent enough. */
  function previousOf(incident: Incident): string | null {
    const since = new Date(now.getTime() - settings.linkWindowSeconds * 1000).toISOString();
    const match = incidents
      .resolvedSince(incident.namespace, since)
      .find((r) => r.id !== incident.id && r.services.some((s) => incident.services.includes(s)));
    return match?.id ?? null;
  }

  const quietMs = settings.resolveAfterQuietSeconds * 1000;
  for (const incident of incidents.listActive({ includeHidden: true })) {
    if (now.getTime() - Date.parse(incident.last_anomaly_at) < quietMs) continue;
    if (options.holdOpen?.(incident.id)) continue;
    const resolved: Incident = {
      ...incident,
      status: 'resolved',
      resolved_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    incidents.save(
      resolved,
      [],
      transition(resolved, incident.status, VIGIL, `no new anomaly for ${Math.round(quietMs / 60_000)} min`, now),
    );
    if (!incident.pending && incident.status !== 'suppressed') changes.resolved.push(incident.id);
  }
  return changes;
}
