import { type Hypothesis, type Incident, IncidentSchema, SCHEMA_VERSION } from '../contracts/index.js';
import type { IncidentDraft, ServiceEvidence } from '../correlation/incident-draft.js';
import type { Db } from './open-database.js';

interface IncidentRow {
  id: string;
  fingerprint: string;
  status: string;
  severity: string;
  namespace: string;
  team: string;
  channel: string;
  services_json: string;
  hypothesis_json: string;
  created_at: string;
  updated_at: string;
  last_anomaly_at: string;
  resolved_at: string | null;
  slack_channel: string | null;
  slack_ts: string | null;
  published_hash: string | null;
}

export interface IncidentsRepo {
  /** Inserts or updates the incident and links the given anomalies to it, in one transaction. */
  save(incident: Incident, anomalyIds: readonly string[]): void;
  get(id: string): Incident | undefined;
  /** Open and acknowledged incidents, newest first. */
  listActive(): Incident[];
  /** Active incidents as correlation sees them, with per-service evidence from their anomalies. */
  activeDrafts(): IncidentDraft[];
  findByMessage(channel: string, ts: string): Incident | undefined;
  setMessage(id: string, channel: string, ts: string): void;
  publishedHash(id: string): string | null;
  setPublishedHash(id: string, hash: string): void;
  /** Incidents whose card Slack has not accepted in its latest form (e.g. Slack was down). */
  listUnpublished(): Incident[];
  anomalyCount(id: string): number;
}

function toIncident(row: IncidentRow, anomalyIds: string[]): Incident {
  return IncidentSchema.parse({
    schema_version: SCHEMA_VERSION,
    id: row.id,
    fingerprint: row.fingerprint,
    status: row.status,
    severity: row.severity,
    services: JSON.parse(row.services_json),
    namespace: row.namespace,
    team: row.team,
    channel: row.channel,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_anomaly_at: row.last_anomaly_at,
    resolved_at: row.resolved_at,
    hypothesis: JSON.parse(row.hypothesis_json) as Hypothesis,
    anomaly_ids: anomalyIds,
    slack: row.slack_channel && row.slack_ts ? { channel: row.slack_channel, ts: row.slack_ts } : null,
  });
}

export function createIncidentsRepo(db: Db): IncidentsRepo {
  const upsert = db.prepare(`INSERT INTO incidents
    (id, fingerprint, status, severity, namespace, team, channel, services_json, hypothesis_json,
     created_at, updated_at, last_anomaly_at, resolved_at)
    VALUES (@id, @fingerprint, @status, @severity, @namespace, @team, @channel, @services_json, @hypothesis_json,
     @created_at, @updated_at, @last_anomaly_at, @resolved_at)
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, severity = excluded.severity,
      services_json = excluded.services_json, hypothesis_json = excluded.hypothesis_json,
      updated_at = excluded.updated_at, last_anomaly_at = excluded.last_anomaly_at, resolved_at = excluded.resolved_at`);
  const link = db.prepare('INSERT OR IGNORE INTO incident_anomalies (incident_id, anomaly_id) VALUES (?, ?)');
  const save = db.transaction((incident: Incident, anomalyIds: readonly string[]) => {
    upsert.run({
      ...incident,
      services_json: JSON.stringify(incident.services),
      hypothesis_json: JSON.stringify(incident.hypothesis),
    });
    for (const anomalyId of anomalyIds) link.run(incident.id, anomalyId);
  });
  const byId = db.prepare('SELECT * FROM incidents WHERE id = ?');
  const idsOf = db.prepare('SELECT anomaly_id FROM incident_anomalies WHERE incident_id = ? ORDER BY anomaly_id');
  const active = db.prepare(
    "SELECT * FROM incidents WHERE status IN ('open', 'acknowledged') ORDER BY created_at DESC, id",
  );
  const evidence = db.prepare(`SELECT a.service, MIN(a.ts) AS first_at, MAX(a.ts) AS last_at, COUNT(*) AS count,
      MAX(a.score) AS max_score, json_group_array(DISTINCT a.metric_name) AS metrics,
      MAX(json_extract(a.event_json, '$.evidence.recent_deploy')) AS recent_deploy
    FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
    WHERE ia.incident_id = ? GROUP BY a.service`);
  const byMessage = db.prepare('SELECT * FROM incidents WHERE slack_channel = ? AND slack_ts = ?');
  const setMessage = db.prepare('UPDATE incidents SET slack_channel = ?, slack_ts = ? WHERE id = ?');
  const getHash = db.prepare('SELECT published_hash FROM incidents WHERE id = ?');
  const setHash = db.prepare('UPDATE incidents SET published_hash = ? WHERE id = ?');
  const unpublished = db.prepare(
    "SELECT * FROM incidents WHERE published_hash IS NULL AND status != 'suppressed' ORDER BY created_at",
  );
  const count = db.prepare('SELECT COUNT(*) AS n FROM incident_anomalies WHERE incident_id = ?');

  const hydrate = (row: unknown): Incident => {
    const r = row as IncidentRow;
    return toIncident(
      r,
      idsOf.all(r.id).map((x) => (x as { anomaly_id: string }).anomaly_id),
    );
  };

  return {
    save: (incident, anomalyIds) => save(incident, anomalyIds),
    get: (id) => {
      const row = byId.get(id);
      return row ? hydrate(row) : undefined;
    },
    listActive: () => active.all().map(hydrate),
    activeDrafts: () =>
      active.all().map((row) => {
        const r = row as IncidentRow;
        const members = new Map<string, ServiceEvidence>();
        for (const e of evidence.all(r.id) as Array<{
          service: string;
          first_at: string;
          last_at: string;
          count: number;
          max_score: number;
          metrics: string;
          recent_deploy: string | null;
        }>) {
          members.set(e.service, {
            service: e.service,
            firstAt: Date.parse(e.first_at),
            lastAt: Date.parse(e.last_at),
            count: e.count,
            maxScore: e.max_score,
            metrics: JSON.parse(e.metrics) as string[],
            recentDeploy: e.recent_deploy,
          });
        }
        return {
          id: r.id,
          fingerprint: r.fingerprint,
          namespace: r.namespace,
          createdAt: Date.parse(r.created_at),
          lastAnomalyAt: Date.parse(r.last_anomaly_at),
          members,
          newAnomalyIds: [],
        };
      }),
    findByMessage: (channel, ts) => {
      const row = byMessage.get(channel, ts);
      return row ? hydrate(row) : undefined;
    },
    setMessage: (id, channel, ts) => {
      setMessage.run(channel, ts, id);
    },
    publishedHash: (id) => (getHash.get(id) as { published_hash: string | null } | undefined)?.published_hash ?? null,
    setPublishedHash: (id, hash) => {
      setHash.run(hash, id);
    },
    listUnpublished: () => unpublished.all().map(hydrate),
    anomalyCount: (id) => (count.get(id) as { n: number }).n,
  };
}
