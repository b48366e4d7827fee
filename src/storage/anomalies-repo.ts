import { type AnomalyEvent, AnomalyEventSchema } from '../contracts/index.js';
import type { Db } from './open-database.js';

export interface AnomaliesRepo {
  /** Idempotent: an anomaly already stored (same id) is left as it is. Returns the new ones. */
  insert(events: readonly AnomalyEvent[], recordedAt: string): AnomalyEvent[];
  /** The strongest anomaly of each series of an incident, strongest first. */
  strongestPerSeries(incidentId: string, limit: number): AnomalyEvent[];
  /** Anomalies of an incident not yet told in its Slack thread, oldest first. */
  unannounced(incidentId: string): AnomalyEvent[];
  markAnnounced(incidentId: string, anomalyIds: readonly string[]): void;
  /** Series keys of the incident whose anomalies were already told. */
  announcedSeries(incidentId: string): Set<string>;
}

export function createAnomaliesRepo(db: Db): AnomaliesRepo {
  const insertOne = db.prepare(`INSERT OR IGNORE INTO anomalies
    (id, series_key, service, namespace, metric_name, detector, ts, value, expected, lower_bound, upper_bound,
     score, direction, event_json, recorded_at)
    VALUES (@id, @series_key, @service, @namespace, @metric_name, @detector, @timestamp, @value, @expected,
     @lower_bound, @upper_bound, @anomaly_score, @direction, @event_json, @recorded_at)`);
  const insertMany = db.transaction((events: readonly AnomalyEvent[], recordedAt: string) => {
    const added: AnomalyEvent[] = [];
    for (const e of events) {
      const { evidence: _evidence, labels: _labels, schema_version: _v, ...columns } = e;
      if (insertOne.run({ ...columns, event_json: JSON.stringify(e), recorded_at: recordedAt }).changes > 0) {
        added.push(e);
      }
    }
    return added;
  });
  const strongest = db.prepare(`SELECT event_json FROM (
      SELECT a.event_json, a.score, ROW_NUMBER() OVER (PARTITION BY a.series_key ORDER BY a.score DESC, a.ts DESC) AS rank
      FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
      WHERE ia.incident_id = ?)
    WHERE rank = 1 ORDER BY score DESC LIMIT ?`);
  const unannounced =
    db.prepare(`SELECT a.event_json FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
    WHERE ia.incident_id = ? AND ia.announced = 0 ORDER BY a.ts, a.id`);
  const mark = db.prepare('UPDATE incident_anomalies SET announced = 1 WHERE incident_id = ? AND anomaly_id = ?');
  const markMany = db.transaction((incidentId: string, ids: readonly string[]) => {
    for (const id of ids) mark.run(incidentId, id);
  });
  const announcedSeries = db.prepare(`SELECT DISTINCT a.series_key FROM incident_anomalies ia
    JOIN anomalies a ON a.id = ia.anomaly_id WHERE ia.incident_id = ? AND ia.announced = 1`);
  const parseRows = (rows: unknown[]) =>
    rows.map((row) => AnomalyEventSchema.parse(JSON.parse((row as { event_json: string }).event_json)));
  return {
    insert: (events, recordedAt) => insertMany(events, recordedAt),
    strongestPerSeries: (incidentId, limit) => parseRows(strongest.all(incidentId, limit)),
    unannounced: (incidentId) => parseRows(unannounced.all(incidentId)),
    markAnnounced: (incidentId, ids) => markMany(incidentId, ids),
    announcedSeries: (incidentId) =>
      new Set(announcedSeries.all(incidentId).map((r) => (r as { series_key: string }).series_key)),
  };
}
