import type { FeedbackLabel } from '../contracts/index.js';
import type { Db } from './open-database.js';

/** An incident a challenger would have opened: kept apart from the champion's incidents. */
export interface WouldBeIncident {
  id: string;
  challenger: string;
  namespace: string;
  opened_at: string;
  onset_at: string;
  last_anomaly_at: string;
  resolved_at: string | null;
  services: string[];
  series: string[];
  detectors: string[];
  anomalies: number;
}

/** A page, champion's or challenger's, as /vigil shadow compares them. */
export interface PageSpan {
  id: string;
  namespace: string;
  services: string[];
  /** When it paged, its first anomaly, its latest anomaly (epoch ms). */
  openedAt: number;
  onsetAt: number;
  lastAnomalyAt: number;
}

/** A champion page with its current labels (one per person), by label. */
export interface LabelledPage extends PageSpan {
  labels: Partial<Record<FeedbackLabel, number>>;
}

export interface ChampionChange {
  at: string;
  from_name: string | null;
  to_name: string;
  settings: Record<string, unknown>;
  /** setting → [old, new] */
  diff: Record<string, [unknown, unknown]>;
  was_challenger: boolean;
}

export interface ShadowRepo {
  /** Inserts or updates these would-be incidents in one transaction. */
  saveWouldBe(incidents: readonly WouldBeIncident[], at: string): void;
  markResolved(ids: readonly string[], at: string): void;
  /** The challenger's pages opened in [from, to], oldest first, at most `limit`. */
  challengerPages(challenger: string, from: string, to: string, limit: number): PageSpan[];
  /** The champion's pages (incidents that became visible) opened in [from, to], with their labels. */
  championPages(from: string, to: string, limit: number): LabelledPage[];
  wouldBe(id: string): WouldBeIncident | undefined;
  countWouldBe(challenger: string): number;
  /** The newest recorded champion (the last change), if any. */
  currentChampion(): ChampionChange | undefined;
  recordChampion(change: ChampionChange): void;
  /** The newest `limit` champion changes, newest first. */
  championChanges(limit: number): ChampionChange[];
  /** Remembers a configured challenger (first and last start-up that had it). */
  seeChallenger(name: string, overrides: Record<string, unknown>, at: string): void;
  wasChallenger(name: string): boolean;
}

interface WouldBeRow {
  id: string;
  challenger: string;
  namespace: string;
  opened_at: string;
  onset_at: string;
  last_anomaly_at: string;
  resolved_at: string | null;
  services_json: string;
  series_json: string;
  detectors_json: string;
  anomalies: number;
}

interface SpanRow {
  id: string;
  namespace: string;
  services_json: string;
  opened_at: string;
  onset_at: string;
  last_anomaly_at: string;
}

interface ChangeRow {
  at: string;
  from_name: string | null;
  to_name: string;
  settings_json: string;
  diff_json: string;
  was_challenger: number;
}

const toSpan = (r: SpanRow): PageSpan => ({
  id: r.id,
  namespace: r.namespace,
  services: JSON.parse(r.services_json) as string[],
  openedAt: Date.parse(r.opened_at),
  onsetAt: Date.parse(r.onset_at),
  lastAnomalyAt: Date.parse(r.last_anomaly_at),
});

const toChange = (r: ChangeRow): ChampionChange => ({
  at: r.at,
  from_name: r.from_name,
  to_name: r.to_name,
  settings: JSON.parse(r.settings_json) as Record<string, unknown>,
  diff: JSON.parse(r.diff_json) as Record<string, [unknown, unknown]>,
  was_challenger: r.was_challenger === 1,
});

export function createShadowRepo(db: Db): ShadowRepo {
  const upsert = db.prepare(`INSERT INTO shadow_incidents
    (id, challenger, namespace, opened_at, onset_at, last_anomaly_at, resolved_at, services_json, series_json,
     detectors_json, anomalies, updated_at)
    VALUES (@id, @challenger, @namespace, @opened_at, @onset_at, @last_anomaly_at, @resolved_at, @services_json,
     @series_json, @detectors_json, @anomalies, @updated_at)
    ON CONFLICT (id) DO UPDATE SET last_anomaly_at = excluded.last_anomaly_at, resolved_at = excluded.resolved_at,
      services_json = excluded.services_json, series_json = excluded.series_json,
      detectors_json = excluded.detectors_json, anomalies = excluded.anomalies, updated_at = excluded.updated_at`);
  const saveMany = db.transaction((list: readonly WouldBeIncident[], at: string) => {
    for (const i of list) {
      const { services, series, detectors, ...columns } = i;
      upsert.run({
        ...columns,
        services_json: JSON.stringify(services),
        series_json: JSON.stringify(series),
        detectors_json: JSON.stringify(detectors),
        updated_at: at,
      });
    }
  });
  const resolve = db.prepare('UPDATE shadow_incidents SET resolved_at = ?, updated_at = ? WHERE id = ?');
  const resolveMany = db.transaction((ids: readonly string[], at: string) => {
    for (const id of ids) resolve.run(at, at, id);
  });
  const byId = db.prepare('SELECT * FROM shadow_incidents WHERE id = ?');
  const count = db.prepare('SELECT COUNT(*) AS n FROM shadow_incidents WHERE challenger = ?').pluck();
  const challengerPages = db.prepare(`SELECT id, namespace, services_json, opened_at, onset_at, last_anomaly_at
    FROM shadow_incidents INDEXED BY shadow_incidents_opened
    WHERE challenger = ? AND opened_at >= ? AND opened_at <= ? ORDER BY opened_at, id LIMIT ?`);
  // The champion's pages by when they opened, from migration 012's partial index (INDEXED BY: a
  // missing index is an error, never a silent scan of every incident).
  const championPages = db.prepare(`SELECT id, namespace, services_json, opened_at, created_at AS onset_at,
      last_anomaly_at
    FROM incidents INDEXED BY incidents_opened_at
    WHERE opened_at >= ? AND opened_at <= ? AND pending = 0 ORDER BY opened_at, id LIMIT ?`);
  // Per page, from feedback's primary key (incident_id, slack_user).
  const labelsOf = db.prepare('SELECT label, COUNT(*) AS n FROM feedback WHERE incident_id = ? GROUP BY label');
  const latestChange = db.prepare('SELECT * FROM champion_changes ORDER BY id DESC LIMIT 1');
  const changes = db.prepare('SELECT * FROM champion_changes ORDER BY id DESC LIMIT ?');
  const insertChange = db.prepare(`INSERT INTO champion_changes
    (at, from_name, to_name, settings_json, diff_json, was_challenger)
    VALUES (@at, @from_name, @to_name, @settings_json, @diff_json, @was_challenger)`);
  const seeChallenger = db.prepare(`INSERT INTO shadow_challengers (name, overrides_json, first_seen_at, last_seen_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET overrides_json = excluded.overrides_json,
      last_seen_at = excluded.last_seen_at`);
  const challengerSeen = db.prepare('SELECT 1 FROM shadow_challengers WHERE name = ?').pluck();

  return {
    saveWouldBe: (list, at) => saveMany(list, at),
    markResolved: (ids, at) => resolveMany(ids, at),
    challengerPages: (challenger, from, to, limit) =>
      (challengerPages.all(challenger, from, to, limit) as SpanRow[]).map(toSpan),
    championPages: (from, to, limit) =>
      (championPages.all(from, to, limit) as SpanRow[]).map((r) => ({
        ...toSpan(r),
        labels: Object.fromEntries(
          (labelsOf.all(r.id) as Array<{ label: FeedbackLabel; n: number }>).map((l) => [l.label, l.n]),
        ),
      })),
    wouldBe(id) {
      const r = byId.get(id) as WouldBeRow | undefined;
      if (!r) return undefined;
      const { services_json, series_json, detectors_json, ...rest } = r;
      return {
        ...rest,
        services: JSON.parse(services_json) as string[],
        series: JSON.parse(series_json) as string[],
        detectors: JSON.parse(detectors_json) as string[],
      };
    },
    countWouldBe: (challenger) => count.get(challenger) as number,
    currentChampion() {
      const r = latestChange.get() as ChangeRow | undefined;
      return r ? toChange(r) : undefined;
    },
    recordChampion(change) {
      insertChange.run({
        at: change.at,
        from_name: change.from_name,
        to_name: change.to_name,
        settings_json: JSON.stringify(change.settings),
        diff_json: JSON.stringify(change.diff),
        was_challenger: change.was_challenger ? 1 : 0,
      });
    },
    championChanges: (limit) => (changes.all(limit) as ChangeRow[]).map(toChange),
    seeChallenger(name, overrides, at) {
      seeChallenger.run(name, JSON.stringify(overrides), at, at);
    },
    wasChallenger: (name) => challengerSeen.get(name) !== undefined,
  };
}
