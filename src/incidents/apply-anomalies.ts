import type { AnomalyEvent } from '../contracts/index.js';
import { type CorrelationSettings, correlateAnomalies } from '../correlation/correlate-anomalies.js';
import type { Topology } from '../correlation/topology.js';
import type { IncidentsRepo } from '../storage/incidents-repo.js';
import { buildIncident, type Routing } from './build-incident.js';

export interface IncidentChanges {
  opened: string[];
  updated: string[];
  resolved: string[];
}

export interface ApplyAnomaliesOptions {
  incidents: IncidentsRepo;
  topology: Topology;
  routing: Routing;
  correlation: CorrelationSettings & { resolveAfterQuietSeconds: number };
  now: Date;
}

/**
 * Folds new anomalies (already stored) into the incident store: new incidents open, open ones grow,
 * and open ones that have been quiet long enough resolve. One transaction per incident.
 */
export function applyAnomalies(anomalies: readonly AnomalyEvent[], options: ApplyAnomaliesOptions): IncidentChanges {
  const { incidents, topology, routing, now } = options;
  const changes: IncidentChanges = { opened: [], updated: [], resolved: [] };
  if (anomalies.length > 0) {
    const result = correlateAnomalies(anomalies, incidents.activeDrafts(), topology, options.correlation);
    for (const draft of result.opened) {
      const incident = buildIncident(draft, topology, routing, undefined, now);
      incidents.save(incident, draft.newAnomalyIds);
      changes.opened.push(incident.id);
    }
    for (const draft of result.updated) {
      const existing = draft.id === undefined ? undefined : incidents.get(draft.id);
      const incident = buildIncident(draft, topology, routing, existing, now);
      incidents.save(incident, draft.newAnomalyIds);
      changes.updated.push(incident.id);
    }
  }
  const quietMs = options.correlation.resolveAfterQuietSeconds * 1000;
  for (const incident of incidents.listActive()) {
    if (now.getTime() - Date.parse(incident.last_anomaly_at) < quietMs) continue;
    incidents.save(
      { ...incident, status: 'resolved', resolved_at: now.toISOString(), updated_at: now.toISOString() },
      [],
    );
    changes.resolved.push(incident.id);
  }
  return changes;
}
