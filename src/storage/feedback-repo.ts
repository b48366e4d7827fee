import type { Feedback, FeedbackLabel } from '../contracts/index.js';
import type { Db } from './open-database.js';

export interface FeedbackRepo {
  /** Idempotent: the same person giving the same label twice is stored once. Returns true if new. */
  add(feedback: Feedback): boolean;
  /** Removes a label (e.g. the reaction was taken back). Returns true if something was removed. */
  remove(incidentId: string, slackUser: string, label: FeedbackLabel, source: Feedback['source']): boolean;
  listForIncident(incidentId: string): Feedback[];
  countByLabel(): Record<string, number>;
  /** Feedback labels per series, over the incidents the series took part in. */
  labelsBySeries(): Map<string, Record<string, number>>;
}

export function createFeedbackRepo(db: Db): FeedbackRepo {
  const insert = db.prepare(`INSERT OR IGNORE INTO feedback (incident_id, slack_user, label, source, created_at)
    VALUES (@incident_id, @slack_user, @label, @source, @created_at)`);
  const del = db.prepare('DELETE FROM feedback WHERE incident_id = ? AND slack_user = ? AND label = ? AND source = ?');
  const list = db.prepare(
    'SELECT incident_id, slack_user, label, source, created_at FROM feedback WHERE incident_id = ? ORDER BY id',
  );
  const counts = db.prepare('SELECT label, COUNT(*) AS n FROM feedback GROUP BY label');
  const bySeries = db.prepare(`SELECT a.series_key AS series_key, f.label AS label, COUNT(DISTINCT f.id) AS n
    FROM feedback f JOIN incident_anomalies ia ON ia.incident_id = f.incident_id
    JOIN anomalies a ON a.id = ia.anomaly_id GROUP BY a.series_key, f.label`);
  return {
    labelsBySeries: () => {
      const out = new Map<string, Record<string, number>>();
      for (const r of bySeries.all() as Array<{ series_key: string; label: string; n: number }>) {
        const labels = out.get(r.series_key) ?? {};
        labels[r.label] = r.n;
        out.set(r.series_key, labels);
      }
      return out;
    },
    countByLabel: () =>
      Object.fromEntries((counts.all() as Array<{ label: string; n: number }>).map((r) => [r.label, r.n])),
    add: (f) => insert.run(f).changes > 0,
    remove: (incidentId, user, label, source) => del.run(incidentId, user, label, source).changes > 0,
    listForIncident: (incidentId) => list.all(incidentId) as Feedback[],
  };
}
