import { type IncidentSummary, type SummaryRow, toSummary } from './incidents-repo.js';
import type { Db } from './open-database.js';

/** What the App Home tab reads that no other reply does: open incidents of some teams. */
export interface HomeRepo {
  /** The newest `limit` open incidents owned by one of `teams`, and how many there are. */
  activeOfTeams(teams: readonly string[], limit: number): { incidents: IncidentSummary[]; total: number };
}

export function createHomeRepo(db: Db): HomeRepo {
  // The partial index of open incidents (006), newest first; the team filter runs on it only.
  const ACTIVE_OF_TEAMS = `incidents INDEXED BY incidents_active
    WHERE status IN ('open', 'acknowledged') AND pending = 0 AND team IN (SELECT value FROM json_each(?))`;
  const list = db.prepare(`SELECT id, status, severity, services_json,
      json_extract(hypothesis_json, '$.probable_starting_service') AS probable_starting_service,
      created_at, slack_channel, slack_ts
    FROM ${ACTIVE_OF_TEAMS} ORDER BY created_at DESC, id LIMIT ?`);
  const count = db.prepare(`SELECT COUNT(*) AS n FROM ${ACTIVE_OF_TEAMS}`);
  return {
    activeOfTeams(teams, limit) {
      const json = JSON.stringify(teams);
      return {
        incidents: (list.all(json, limit) as SummaryRow[]).map(toSummary),
        total: (count.get(json) as { n: number }).n,
      };
    },
  };
}
