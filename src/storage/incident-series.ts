import type { Db } from './open-database.js';

/**
 * The incident_series summary (migration 018), kept in step with incident_anomalies: every write
 * that links, moves or tells anomalies calls it inside the same transaction.
 */
export interface IncidentSeriesSummary {
  /** An anomaly was just linked to the incident (only when the link is new: it counts once). */
  linked(incidentId: string, anomalyId: string): void;
  /** The incident's links changed wholesale (a merge): its rows are folded again from them. */
  rebuild(incidentId: string): void;
  /** These anomalies were told in the incident's thread: their series are no longer new. */
  told(incidentId: string, anomalyIdsJson: string): void;
}

/**
 * One anomaly folded into its series' row: the one rule every path uses (a new link, a rebuild, a
 * database from before the table). In DO UPDATE, bare names are the row as it was, `excluded` the
 * anomaly's own values; every assignment reads the old row.
 */
const fold = (where: string) => `INSERT INTO incident_series (incident_id, series_key, service, metric_name, count,
    first_at, first_id, last_at, top_id, top_score, top_at, early_top_id, early_top_at, told)
  SELECT ia.incident_id, a.series_key, a.service, a.metric_name, 1,
    a.ts, a.id, a.ts, a.id, a.score, a.ts, a.id, a.ts, ia.announced
  FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
  WHERE ${where}
  ON CONFLICT (incident_id, series_key) DO UPDATE SET
    count = count + 1,
    first_at = CASE WHEN (excluded.first_at, excluded.first_id) < (first_at, first_id) THEN excluded.first_at ELSE first_at END,
    first_id = CASE WHEN (excluded.first_at, excluded.first_id) < (first_at, first_id) THEN excluded.first_id ELSE first_id END,
    last_at = max(last_at, excluded.last_at),
    top_id = CASE WHEN excluded.top_score > top_score OR (excluded.top_score = top_score
      AND (excluded.top_at > top_at OR (excluded.top_at = top_at AND excluded.top_id < top_id))) THEN excluded.top_id ELSE top_id END,
    top_at = CASE WHEN excluded.top_score > top_score OR (excluded.top_score = top_score
      AND (excluded.top_at > top_at OR (excluded.top_at = top_at AND excluded.top_id < top_id))) THEN excluded.top_at ELSE top_at END,
    top_score = max(top_score, excluded.top_score),
    early_top_id = CASE WHEN excluded.top_score > top_score OR (excluded.top_score = top_score
      AND (excluded.early_top_at, excluded.early_top_id) < (early_top_at, early_top_id)) THEN excluded.early_top_id ELSE early_top_id END,
    early_top_at = CASE WHEN excluded.top_score > top_score OR (excluded.top_score = top_score
      AND (excluded.early_top_at, excluded.early_top_id) < (early_top_at, early_top_id)) THEN excluded.early_top_at ELSE early_top_at END,
    told = max(told, excluded.told)`;

export function createIncidentSeriesSummary(db: Db): IncidentSeriesSummary {
  const foldOne = db.prepare(fold('ia.incident_id = ? AND ia.anomaly_id = ?'));
  const foldIncident = db.prepare(fold('ia.incident_id = ?'));
  const forget = db.prepare('DELETE FROM incident_series WHERE incident_id = ?');
  const tell = db.prepare(`UPDATE incident_series SET told = 1 WHERE incident_id = ? AND told = 0 AND series_key IN
    (SELECT a.series_key FROM anomalies a WHERE a.id IN (SELECT value FROM json_each(?)))`);
  return {
    linked: (incidentId, anomalyId) => {
      foldOne.run(incidentId, anomalyId);
    },
    rebuild: (incidentId) => {
      forget.run(incidentId);
      foldIncident.run(incidentId);
    },
    told: (incidentId, anomalyIdsJson) => {
      tell.run(incidentId, anomalyIdsJson);
    },
  };
}

/**
 * A database linked anomalies before migration 018: its summary is folded once, from every link
 * (openDatabase calls this after the migrations). Every later link folds in the same transaction, so
 * links without any summary row mean exactly that; the check runs in a write transaction, so two
 * threads opening the file do it once.
 */
export function fillIncidentSeriesAfterUpgrade(db: Db): void {
  const due = db.prepare(
    'SELECT EXISTS (SELECT 1 FROM incident_anomalies) AND NOT EXISTS (SELECT 1 FROM incident_series) AS due',
  );
  const foldAll = db.prepare(fold('true'));
  db.transaction(() => {
    if ((due.get() as { due: number }).due === 1) foldAll.run();
  }).immediate();
}
