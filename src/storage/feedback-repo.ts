import type { Feedback, FeedbackLabel } from '../contracts/index.js';
import type { Db } from './open-database.js';

export interface FeedbackRepo {
  /** Idempotent: the same person giving the same label twice is stored once. Returns true if new. */
  add(feedback: Feedback): boolean;
  /** Removes a label (e.g. the reaction was taken back). Returns true if something was removed. */
  remove(incidentId: string, slackUser: string, label: FeedbackLabel, source: Feedback['source']): boolean;
  listForIncident(incidentId: string): Feedback[];
  countByLabel(): Record<string, number>;
}

export function createFeedbackRepo(db: Db): FeedbackRepo {
  const insert = db.prepare(`INSERT OR IGNORE INTO feedback (incident_id, slack_user, label, source, created_at)
    VALUES (@incident_id, @slack_user, @label, @source, @created_at)`);
  const del = db.prepare('DELETE FROM feedback WHERE incident_id = ? AND slack_user = ? AND label = ? AND source = ?');
  const list = db.prepare(
    'SELECT incident_id, slack_user, label, source, created_at FROM feedback WHERE incident_id = ? ORDER BY id',
  );
  const counts = db.prepare('SELECT label, COUNT(*) AS n FROM feedback GROUP BY label');
  return {
    countByLabel: () =>
      Object.fromEntries((counts.all() as Array<{ label: string; n: number }>).map((r) => [r.label, r.n])),
    add: (f) => insert.run(f).changes > 0,
    remove: (incidentId, user, label, source) => del.run(incidentId, user, label, source).changes > 0,
    listForIncident: (incidentId) => list.all(incidentId) as Feedback[],
  };
}
