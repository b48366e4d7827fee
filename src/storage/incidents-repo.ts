import type { z } from 'zod';
import {
  type Hypothesis,
  HypothesisSchema,
  type Incident,
  IncidentSchema,
  type IncidentTransition,
  SCHEMA_VERSION,
} from '../contracts/index.js';
import type { IncidentDraft, ServiceEvidence } from '../correlation/incident-draft.js';
import { addServiceEvidence } from '../correlation/service-evidence.js';
import { createIncidentSeriesSummary } from './incident-series.js';
import type { Db } from './open-database.js';

/** One of a story's anomalies as activeDrafts reads it back (see addServiceEvidence). */
interface EvidenceRow {
  service: string;
  metric_name: string;
  ts: string;
  score: number;
  detector: string;
  suppressed: number;
  paging_weight: string | null;
  recent_deploy: string | null;
  /** AnomalyEvent.novelty, or null. */
  novelty: string | null;
}

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
  pending: number;
  opened_at: string | null;
  suppression_reason: string | null;
  notes_json: string;
  previous_incident_id: string | null;
}

export interface IncidentsRepo {
  /**
   * Inserts or updates the incident, links the given anomalies to it and records the status
   * transition (who, why), in one transaction.
   */
  save(
    incident: Incident,
    anomalies: ReadonlyArray<{ id: string; suppressed: boolean }>,
    transition?: IncidentTransition,
  ): void;
  transitions(id: string): IncidentTransition[];
  /**
   * Runs `work` in one write transaction taken at its start (BEGIN IMMEDIATE): a read-modify-write
   * of incidents that another connection (the detection thread, a person's click) cannot interleave.
   */
  atomically<T>(work: () => T): T;
  /** Moves the anomalies of `from` (never paged) to `into` and closes `from` as merged, in one transaction. */
  absorb(into: string, from: string, at: string): void;
  /** Paged incidents of a namespace resolved since `since`, newest first (to link a new story to). */
  resolvedSince(namespace: string, since: string): Incident[];
  get(id: string): Incident | undefined;
  /**
   * Open and acknowledged incidents with a card, newest first; with `includeHidden`, also those
   * recorded without one (pending evidence, suppressed): everything not resolved.
   */
  listActive(options?: { includeHidden?: boolean }): Incident[];
  /** How many incidents listActive() would return (without includeHidden), counted by SQLite. */
  countActive(): number;
  /** The newest `limit` of those incidents, as much of each as a list shows. */
  listActiveSummaries(limit: number): IncidentSummary[];
  /** Unresolved incidents as correlation sees them, with per-service evidence from their anomalies. */
  activeDrafts(trafficMetrics?: ReadonlySet<string>): IncidentDraft[];
  findByMessage(channel: string, ts: string): Incident | undefined;
  /** Where the card lives; the post it came from is no longer in doubt (clears the post attempt). */
  setMessage(id: string, channel: string, ts: string): void;
  /** A card post sent whose answer never came (timeout, crash), if any: Slack may have the card. */
  postAttempt(id: string): PostAttempt | null;
  /** Recorded before the card is posted, so that an unanswered post is known on the next try. */
  markPostAttempt(id: string, channel: string, at: string): void;
  /** Slack answered the post with a refusal: nothing was posted. */
  clearPostAttempt(id: string): void;
  /** Why the card is late (null: it no longer is); `since` is kept from the first failure. */
  setLate(id: string, reason: string | null, at: string): void;
  /** Cards that are late, longest first, for /vigil status; at most `limit` of them when given. */
  listLate(limit?: number): LateCard[];
  /** How many cards are late. */
  countLate(): number;
  publishedHash(id: string): string | null;
  setPublishedHash(id: string, hash: string): void;
  /** Incidents whose card Slack has not accepted in its latest form (e.g. Slack was down). */
  listUnpublished(): Incident[];
  /**
   * The ids a cycle brings in line with Slack besides those it changed: every active incident
   * (listActive's) and every one never published (listUnpublished's), ids only (nothing hydrated).
   */
  idsToRepublish(): string[];
  anomalyCount(id: string): number;
}

export interface PostAttempt {
  /** The channel as configured when the post was sent. */
  channel: string;
  at: string;
}

/** What a list of incidents shows (`/vigil incidents`): a few columns, not the whole incident. */
const IncidentSummarySchema = IncidentSchema.pick({
  id: true,
  status: true,
  severity: true,
  services: true,
  created_at: true,
  slack: true,
}).extend({ probable_starting_service: HypothesisSchema.shape.probable_starting_service });
export type IncidentSummary = z.infer<typeof IncidentSummarySchema>;

export interface SummaryRow {
  id: string;
  status: string;
  severity: string;
  services_json: string;
  probable_starting_service: string | null;
  created_at: string;
  slack_channel: string | null;
  slack_ts: string | null;
}

export function toSummary(row: SummaryRow): IncidentSummary {
  return IncidentSummarySchema.parse({
    id: row.id,
    status: row.status,
    severity: row.severity,
    services: JSON.parse(row.services_json),
    created_at: row.created_at,
    slack: row.slack_channel && row.slack_ts ? { channel: row.slack_channel, ts: row.slack_ts } : null,
    probable_starting_service: row.probable_starting_service,
  });
}

export interface LateCard {
  id: string;
  channel: string;
  reason: string;
  since: string;
}

function toIncident(row: IncidentRow): Incident {
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
    slack: row.slack_channel && row.slack_ts ? { channel: row.slack_channel, ts: row.slack_ts } : null,
    pending: row.pending === 1,
    opened_at: row.opened_at,
    suppression_reason: row.suppression_reason,
    notes: JSON.parse(row.notes_json) as string[],
    previous_incident_id: row.previous_incident_id,
  });
}

export function createIncidentsRepo(db: Db): IncidentsRepo {
  const upsert = db.prepare(`INSERT INTO incidents
    (id, fingerprint, status, severity, namespace, team, channel, services_json, hypothesis_json,
     created_at, updated_at, last_anomaly_at, resolved_at, pending, opened_at, suppression_reason, notes_json,
     previous_incident_id)
    VALUES (@id, @fingerprint, @status, @severity, @namespace, @team, @channel, @services_json, @hypothesis_json,
     @created_at, @updated_at, @last_anomaly_at, @resolved_at, @pending, @opened_at, @suppression_reason, @notes_json,
     @previous_incident_id)
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, severity = excluded.severity,
      services_json = excluded.services_json, hypothesis_json = excluded.hypothesis_json,
      updated_at = excluded.updated_at, last_anomaly_at = excluded.last_anomaly_at, resolved_at = excluded.resolved_at,
      pending = excluded.pending, opened_at = excluded.opened_at, suppression_reason = excluded.suppression_reason,
      notes_json = excluded.notes_json, team = excluded.team, channel = excluded.channel`);
  const insertTransition =
    db.prepare(`INSERT INTO incident_transitions (incident_id, from_status, to_status, actor, reason, at)
    VALUES (@incident_id, @from_status, @to_status, @actor, @reason, @at)`);
  const transitionsOf = db.prepare(
    'SELECT incident_id, from_status, to_status, actor, reason, at FROM incident_transitions WHERE incident_id = ? ORDER BY id',
  );
  const summary = createIncidentSeriesSummary(db);
  const relink = db.prepare(
    'INSERT OR IGNORE INTO incident_anomalies (incident_id, anomaly_id, suppressed, announced) SELECT ?, anomaly_id, suppressed, announced FROM incident_anomalies WHERE incident_id = ?',
  );
  const unlink = db.prepare('DELETE FROM incident_anomalies WHERE incident_id = ?');
  const closeMerged = db.prepare(
    "UPDATE incidents SET status = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ?",
  );
  const absorb = db.transaction((into: string, from: string, at: string) => {
    const before = (byId.get(from) as IncidentRow | undefined)?.status ?? null;
    relink.run(into, from);
    unlink.run(from);
    summary.rebuild(into);
    summary.rebuild(from);
    closeMerged.run(at, at, from);
    insertTransition.run({
      incident_id: from,
      from_status: before,
      to_status: 'resolved',
      actor: 'vigil',
      reason: `merged into ${into}: the same story`,
      at,
    });
  });
  const recentlyResolved = db.prepare(
    "SELECT * FROM incidents WHERE status = 'resolved' AND pending = 0 AND namespace = ? AND resolved_at >= ? ORDER BY resolved_at DESC",
  );
  const link = db.prepare(
    'INSERT OR IGNORE INTO incident_anomalies (incident_id, anomaly_id, suppressed) VALUES (?, ?, ?)',
  );
  const save = db.transaction(
    (
      incident: Incident,
      anomalies: ReadonlyArray<{ id: string; suppressed: boolean }>,
      transition: IncidentTransition | undefined,
    ) => {
      const { slack: _slack, schema_version: _v, notes, hypothesis, services, ...columns } = incident;
      upsert.run({
        ...columns,
        pending: incident.pending ? 1 : 0,
        services_json: JSON.stringify(services),
        hypothesis_json: JSON.stringify(hypothesis),
        notes_json: JSON.stringify(notes),
      });
      for (const a of anomalies) {
        if (link.run(incident.id, a.id, a.suppressed ? 1 : 0).changes > 0) summary.linked(incident.id, a.id);
      }
      if (transition) insertTransition.run(transition);
    },
  );
  const byId = db.prepare('SELECT * FROM incidents WHERE id = ?');
  // Open incidents with a card, from the partial index of migration 006 (its WHERE word for word).
  // INDEXED BY because /vigil answers must stay cheap: left to itself, SQLite (without ANALYZE) picks
  // incidents_status, reads every open row and sorts them; a missing index is an error at start-up.
  const ACTIVE = "incidents INDEXED BY incidents_active WHERE status IN ('open', 'acknowledged') AND pending = 0";
  const active = db.prepare(`SELECT * FROM ${ACTIVE} ORDER BY created_at DESC, id`);
  const countActive = db.prepare(`SELECT COUNT(*) AS n FROM ${ACTIVE}`);
  const activeSummaries = db.prepare(`SELECT id, status, severity, services_json,
      json_extract(hypothesis_json, '$.probable_starting_service') AS probable_starting_service,
      created_at, slack_channel, slack_ts
    FROM ${ACTIVE} ORDER BY created_at DESC, id LIMIT ?`);
  const unresolved = db.prepare("SELECT * FROM incidents WHERE status != 'resolved' ORDER BY created_at DESC, id");
  // A story's anomalies in time order, narrow columns only: read back, they are counted by the same
  // addServiceEvidence that counted them when they came (a rule written once, not again in SQL).
  const evidencePoints = db.prepare(`SELECT a.service, a.metric_name, a.ts, a.score, a.detector, ia.suppressed,
      json_extract(a.event_json, '$.paging_weight') AS paging_weight,
      json_extract(a.event_json, '$.evidence.recent_deploy') AS recent_deploy,
      json_extract(a.event_json, '$.novelty') AS novelty
    FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
    WHERE ia.incident_id = ? ORDER BY a.ts, a.id`);
  const byMessage = db.prepare('SELECT * FROM incidents WHERE slack_channel = ? AND slack_ts = ?');
  const setMessage = db.prepare(
    'UPDATE incidents SET slack_channel = ?, slack_ts = ?, post_attempt_channel = NULL, post_attempt_at = NULL WHERE id = ?',
  );
  const getAttempt = db.prepare(
    'SELECT post_attempt_channel AS channel, post_attempt_at AS at FROM incidents WHERE id = ? AND post_attempt_at IS NOT NULL',
  );
  const setAttempt = db.prepare('UPDATE incidents SET post_attempt_channel = ?, post_attempt_at = ? WHERE id = ?');
  // Publishing clears the reason of every card it touches: write only when it changes, so a cycle
  // over many on-time cards does not rewrite their rows.
  const setLate = db.prepare(
    'UPDATE incidents SET late_reason = ?, late_since = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(late_since, ?) END WHERE id = ? AND late_reason IS NOT ?',
  );
  // A negative LIMIT is no limit in SQLite.
  const late = db.prepare(
    'SELECT id, channel, late_reason AS reason, late_since AS since FROM incidents WHERE late_reason IS NOT NULL ORDER BY late_since, id LIMIT ?',
  );
  const countLate = db.prepare('SELECT COUNT(*) AS n FROM incidents WHERE late_reason IS NOT NULL');
  const getHash = db.prepare('SELECT published_hash FROM incidents WHERE id = ?');
  const setHash = db.prepare('UPDATE incidents SET published_hash = ? WHERE id = ?');
  const unpublished = db.prepare(
    "SELECT * FROM incidents WHERE published_hash IS NULL AND status != 'suppressed' AND pending = 0 ORDER BY created_at",
  );
  const count = db.prepare('SELECT COUNT(*) AS n FROM incident_anomalies WHERE incident_id = ?');
  const republish = db
    .prepare(
      `SELECT id FROM (SELECT id FROM ${ACTIVE} ORDER BY created_at DESC, id) UNION ALL ` +
        "SELECT id FROM (SELECT id FROM incidents WHERE published_hash IS NULL AND status != 'suppressed' AND pending = 0 ORDER BY created_at)",
    )
    .pluck();

  // An incident's anomalies are its links, counted or read by the queries made for it (the card's
  // read incident_series): never loaded with it, as a long outage links tens of thousands.
  const hydrate = (row: unknown): Incident => toIncident(row as IncidentRow);

  return {
    save: (incident, anomalies, transition) => save(incident, anomalies, transition),
    atomically: <T>(work: () => T): T => db.transaction(work).immediate(),
    transitions: (id) => transitionsOf.all(id) as IncidentTransition[],
    absorb: (into, from, at) => absorb(into, from, at),
    resolvedSince: (namespace, since) => recentlyResolved.all(namespace, since).map(hydrate),
    get: (id) => {
      const row = byId.get(id);
      return row ? hydrate(row) : undefined;
    },
    listActive: (options) => (options?.includeHidden ? unresolved : active).all().map(hydrate),
    countActive: () => (countActive.get() as { n: number }).n,
    listActiveSummaries: (limit) => (activeSummaries.all(limit) as SummaryRow[]).map(toSummary),
    activeDrafts: (trafficMetrics) =>
      unresolved.all().map((row): IncidentDraft => {
        const r = row as IncidentRow;
        const members = new Map<string, ServiceEvidence>();
        let total = 0;
        let suppressed = 0;
        for (const p of evidencePoints.all(r.id) as EvidenceRow[]) {
          total += 1;
          if (p.suppressed === 1) suppressed += 1;
          addServiceEvidence(members, {
            service: p.service,
            metricName: p.metric_name,
            ts: Date.parse(p.ts),
            score: p.score,
            detector: p.detector,
            pagingWeight:
              p.paging_weight === 'minor' || p.paging_weight === 'moderate' || p.paging_weight === 'burst'
                ? p.paging_weight
                : undefined,
            recentDeploy: p.recent_deploy,
            suppressed: p.suppressed === 1,
            traffic: trafficMetrics?.has(p.metric_name) ?? false,
            ...(p.novelty ? { familiar: true } : {}),
          });
        }
        const hydrated = hydrate(row);
        return {
          id: r.id,
          fingerprint: r.fingerprint,
          namespace: r.namespace,
          status: hydrated.status,
          pending: hydrated.pending,
          createdAt: Date.parse(r.created_at),
          lastAnomalyAt: Date.parse(r.last_anomaly_at),
          members,
          total,
          suppressed,
          suppressionReasons: hydrated.suppression_reason ? hydrated.suppression_reason.split('; ') : [],
          newAnomalies: [],
          absorbed: [],
        };
      }),
    findByMessage: (channel, ts) => {
      const row = byMessage.get(channel, ts);
      return row ? hydrate(row) : undefined;
    },
    setMessage: (id, channel, ts) => {
      setMessage.run(channel, ts, id);
    },
    postAttempt: (id) => (getAttempt.get(id) as PostAttempt | undefined) ?? null,
    markPostAttempt: (id, channel, at) => {
      setAttempt.run(channel, at, id);
    },
    clearPostAttempt: (id) => {
      setAttempt.run(null, null, id);
    },
    setLate: (id, reason, at) => {
      setLate.run(reason, reason, at, id, reason);
    },
    listLate: (limit) => late.all(limit ?? -1) as LateCard[],
    countLate: () => (countLate.get() as { n: number }).n,
    publishedHash: (id) => (getHash.get(id) as { published_hash: string | null } | undefined)?.published_hash ?? null,
    setPublishedHash: (id, hash) => {
      setHash.run(hash, id);
    },
    listUnpublished: () => unpublished.all().map(hydrate),
    idsToRepublish: () => republish.all() as string[],
    anomalyCount: (id) => (count.get(id) as { n: number }).n,
  };
}
