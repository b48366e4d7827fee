import type { FeedbackLabel } from '../contracts/index.js';
import type { Db } from './open-database.js';

/** Which incidents a scorecard is about: those that paged in (since, until], of one team or all. */
export interface ScorecardQuery {
  since: string;
  until: string;
  /** Start of the window before (it ends at `since`), whose pages per team are compared. */
  previousSince: string;
  team?: string | undefined;
}

/** One incident that paged in the window: a few columns, never the whole incident. */
export interface PagedIncidentRow {
  id: string;
  team: string;
  /** The probable starting service the card named. */
  service: string;
  opened_at: string;
  /** When a person first acknowledged or resolved it (a button or /vigil), if anyone did. */
  responded_at: string | null;
  /** When it was resolved (by a person or after its quiet period), if it is. */
  resolved_at: string | null;
}

/** How many people gave an incident one label, and when the latest of them did. */
export interface LabelVotesRow {
  incident_id: string;
  label: FeedbackLabel;
  votes: number;
  latest: string;
}

/** A detector behind a labelled incident (as its labels recorded it). */
export interface LabelledDetectorRow {
  incident_id: string;
  detector: string;
}

export interface TeamPagesRow {
  team: string;
  pages: number;
}

/** Remediation requests started in the window, counted by final status and dry run. */
export interface RemediationCountRow {
  status: string;
  dry_run: boolean;
  requests: number;
}

/** Everything a scorecard is computed from (see computeScorecard). */
export interface ScorecardRows {
  incidents: PagedIncidentRow[];
  votes: LabelVotesRow[];
  detectors: LabelledDetectorRow[];
  /** Pages per team in the window before. */
  previousPages: TeamPagesRow[];
  remediation: RemediationCountRow[];
}

export interface ScorecardRepo {
  /**
   * The rows of a scorecard, each query bounded by the window and the team and read through the
   * indexes of migration 009 (incidents by when they paged), the feedback primary key and the
   * transitions' incident index: a week of a big platform is a few hundred narrow rows.
   */
  read(query: ScorecardQuery): ScorecardRows;
}

/**
 * Incidents that paged between two parameters, through the index for the query's shape. INDEXED BY:
 * the plan must not fall back to reading every incident, and a missing index is an error at start-up.
 */
function paged(forTeam: boolean, from = '@since', to = '@until'): { table: string; where: string } {
  return forTeam
    ? {
        table: 'incidents AS i INDEXED BY incidents_team_paged',
        where: `i.team = @team AND i.opened_at > ${from} AND i.opened_at <= ${to}`,
      }
    : { table: 'incidents AS i INDEXED BY incidents_paged', where: `i.opened_at > ${from} AND i.opened_at <= ${to}` };
}

function statements(db: Db, forTeam: boolean) {
  const { table, where } = paged(forTeam);
  const previous = paged(forTeam, '@previousSince', '@since');
  return {
    incidents: db.prepare(`SELECT i.id, i.team,
        json_extract(i.hypothesis_json, '$.probable_starting_service') AS service, i.opened_at,
        (SELECT MIN(t.at) FROM incident_transitions t WHERE t.incident_id = i.id AND t.actor <> 'vigil'
          AND t.to_status IN ('acknowledged', 'resolved')) AS responded_at,
        CASE WHEN i.status = 'resolved' THEN i.resolved_at END AS resolved_at
      FROM ${table} WHERE ${where} ORDER BY i.opened_at, i.id`),
    votes: db.prepare(`SELECT f.incident_id, f.label, COUNT(*) AS votes, MAX(f.created_at) AS latest
      FROM ${table} JOIN feedback f ON f.incident_id = i.id WHERE ${where}
      GROUP BY f.incident_id, f.label`),
    detectors: db.prepare(`SELECT DISTINCT f.incident_id, d.value AS detector
      FROM ${table} JOIN feedback f ON f.incident_id = i.id, json_each(f.detectors) d WHERE ${where}`),
    previousPages: db.prepare(
      `SELECT i.team, COUNT(*) AS pages FROM ${previous.table} WHERE ${previous.where} GROUP BY i.team`,
    ),
    remediation: db.prepare(`SELECT r.status, r.dry_run, COUNT(*) AS requests
      FROM remediation_requests AS r INDEXED BY remediation_requests_started
      ${forTeam ? 'JOIN incidents i ON i.id = r.incident_id AND i.team = @team' : ''}
      WHERE r.started_at > @since AND r.started_at <= @until GROUP BY r.status, r.dry_run`),
  };
}

export function createScorecardRepo(db: Db): ScorecardRepo {
  const all = statements(db, false);
  const team = statements(db, true);
  return {
    read(query) {
      const s = query.team === undefined ? all : team;
      const params = {
        since: query.since,
        until: query.until,
        previousSince: query.previousSince,
        ...(query.team === undefined ? {} : { team: query.team }),
      };
      // One read transaction: the figures agree with each other while a cycle writes.
      return db.transaction(() => ({
        incidents: s.incidents.all(params) as PagedIncidentRow[],
        votes: s.votes.all(params) as LabelVotesRow[],
        detectors: s.detectors.all(params) as LabelledDetectorRow[],
        previousPages: s.previousPages.all(params) as TeamPagesRow[],
        remediation: (s.remediation.all(params) as Array<{ status: string; dry_run: number; requests: number }>).map(
          (r) => ({ status: r.status, dry_run: r.dry_run === 1, requests: r.requests }),
        ),
      }))();
    },
  };
}
