import type { Feedback, FeedbackLabel } from '../contracts/index.js';
import type { Db } from './open-database.js';

/** Series remembered with one label: an incident with more is judged by its first ones. */
export const SERIES_PER_LABEL = 200;

export type LabelOutcome = 'stored' | 'replaced' | 'unchanged';

/** A label as given: what it judged (detectors, series) is read from the incident when stored. */
export type GivenLabel = Omit<Feedback, 'detectors' | 'series'>;

export interface FeedbackRepo {
  /**
   * Makes `label` this person's current label on the incident, with the detectors and series behind
   * the incident now. The same label again changes nothing; another label replaces theirs.
   */
  set(given: GivenLabel): LabelOutcome;
  /**
   * Removes this person's label if it is still `label` (taking back 👎 does not undo a menu choice
   * made since). Returns true if something was removed.
   */
  remove(incidentId: string, slackUser: string, label: FeedbackLabel): boolean;
  listForIncident(incidentId: string): Feedback[];
  /** Current labels on one incident, by label. */
  countsForIncident(incidentId: string): Partial<Record<FeedbackLabel, number>>;
  countByLabel(): Record<string, number>;
  /** Labels per series, over the series each label judged. */
  labelsBySeries(): Map<string, Record<string, number>>;
}

interface FeedbackRow extends GivenLabel {
  detectors: string;
  series: string;
}

export function createFeedbackRepo(db: Db): FeedbackRepo {
  // What the incident's anomalies are now, as JSON arrays, computed in the same statement.
  const upsert =
    db.prepare(`INSERT INTO feedback (incident_id, slack_user, label, source, created_at, detectors, series)
    VALUES (@incident_id, @slack_user, @label, @source, @created_at,
      COALESCE((SELECT json_group_array(d) FROM (SELECT DISTINCT a.detector AS d FROM incident_anomalies ia
        JOIN anomalies a ON a.id = ia.anomaly_id WHERE ia.incident_id = @incident_id ORDER BY d)), '[]'),
      COALESCE((SELECT json_group_array(k) FROM (SELECT DISTINCT a.series_key AS k FROM incident_anomalies ia
        JOIN anomalies a ON a.id = ia.anomaly_id WHERE ia.incident_id = @incident_id ORDER BY k LIMIT ${SERIES_PER_LABEL})), '[]'))
    ON CONFLICT (incident_id, slack_user) DO UPDATE SET label = excluded.label, source = excluded.source,
      created_at = excluded.created_at, detectors = excluded.detectors, series = excluded.series
    WHERE feedback.label <> excluded.label`);
  const current = db.prepare('SELECT label FROM feedback WHERE incident_id = ? AND slack_user = ?');
  const del = db.prepare('DELETE FROM feedback WHERE incident_id = ? AND slack_user = ? AND label = ?');
  const list = db.prepare(`SELECT incident_id, slack_user, label, source, created_at, detectors, series
    FROM feedback WHERE incident_id = ? ORDER BY created_at, slack_user`);
  const perIncident = db.prepare('SELECT label, COUNT(*) AS n FROM feedback WHERE incident_id = ? GROUP BY label');
  const counts = db.prepare('SELECT label, COUNT(*) AS n FROM feedback GROUP BY label');
  const bySeries = db.prepare(`SELECT j.value AS series_key, f.label AS label, COUNT(*) AS n
    FROM feedback f, json_each(f.series) j GROUP BY j.value, f.label`);
  return {
    set: (given) => {
      const before = current.get(given.incident_id, given.slack_user) as { label: string } | undefined;
      if (before?.label === given.label) return 'unchanged';
      upsert.run(given);
      return before ? 'replaced' : 'stored';
    },
    remove: (incidentId, user, label) => del.run(incidentId, user, label).changes > 0,
    listForIncident: (incidentId) =>
      (list.all(incidentId) as FeedbackRow[]).map((r) => ({
        ...r,
        detectors: JSON.parse(r.detectors) as string[],
        series: JSON.parse(r.series) as string[],
      })),
    countsForIncident: (incidentId) =>
      Object.fromEntries(
        (perIncident.all(incidentId) as Array<{ label: string; n: number }>).map((r) => [r.label, r.n]),
      ),
    countByLabel: () =>
      Object.fromEntries((counts.all() as Array<{ label: string; n: number }>).map((r) => [r.label, r.n])),
    labelsBySeries: () => {
      const out = new Map<string, Record<string, number>>();
      for (const r of bySeries.all() as Array<{ series_key: string; label: string; n: number }>) {
        const labels = out.get(r.series_key) ?? {};
        labels[r.label] = r.n;
        out.set(r.series_key, labels);
      }
      return out;
    },
  };
}
