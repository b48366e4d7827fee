import type { Incident } from '../contracts/index.js';
import { createTimeSlicer } from '../event-loop/create-time-slicer.js';
import type { IncidentsRepo } from '../storage/incidents-repo.js';
import type { Db } from '../storage/open-database.js';

export interface ReplayIncident {
  id: string;
  created_at: string;
  services: string[];
  probable_starting_service: string;
  confidence: number;
  reason: string;
  severity: Incident['severity'];
  status: Incident['status'];
  team: string;
  channel: string;
  anomaly_count: number;
  resolved_at: string | null;
  /** Got a card: neither suppressed (maintenance, deploy grace) nor below the evidence bar. */
  paged: boolean;
}

/**
 * The incidents a replay's private database ended with, oldest first, as a person would have seen
 * them. Only for a replay's own database (a scenario, a backtest): it reads every incident, in
 * turns (a noisy week can be thousands, and a backtest runs on the thread that acks Slack).
 */
export async function readReplayIncidents(db: Db, incidents: IncidentsRepo): Promise<ReplayIncident[]> {
  const ids = (db.prepare('SELECT id FROM incidents ORDER BY created_at, id').all() as Array<{ id: string }>).map(
    (row) => row.id,
  );
  const slicer = createTimeSlicer();
  const out: ReplayIncident[] = [];
  for (const id of ids) {
    if (slicer.due()) await slicer.pause();
    const i = incidents.get(id) as Incident;
    out.push({
      id: i.id,
      // What a person saw: when the card was due (the first anomaly may be minutes earlier).
      created_at: i.opened_at ?? i.created_at,
      services: i.services,
      probable_starting_service: i.hypothesis.probable_starting_service,
      confidence: i.hypothesis.confidence,
      reason: i.hypothesis.reason,
      severity: i.severity,
      status: i.status,
      team: i.team,
      channel: i.channel,
      anomaly_count: incidents.anomalyCount(id),
      resolved_at: i.resolved_at,
      paged: !i.pending && i.opened_at !== null,
    });
  }
  return out;
}
