import type { ReceivedAlert } from '../sources/alertmanager-webhook.js';
import type { Db } from './open-database.js';

/** What storing one webhook payload did. */
export interface AlertBatchOutcome {
  /** Alerts seen for the first time. */
  stored: number;
  /** Alerts seen firing before whose end this payload told. */
  resolved: number;
  /** Re-sent alerts with nothing new (Alertmanager's retries and group updates). */
  duplicates: number;
  /** Of the stored, those correlation will fold in (firing, tied to a service). */
  toCorrelate: number;
}

/** An alert row waiting for the detection cycle to fold it into correlation. */
export interface AlertToCorrelate extends Pick<ReceivedAlert, 'fingerprint' | 'startsAt' | 'endsAt' | 'alertname'> {
  rowId: number;
  service: string;
  namespace: string;
  severity: string | null;
  summary: string | null;
  labels: Record<string, string>;
  generatorUrl: string | null;
  anomalyId: string;
}

/** An alert as received (its identity and state), with when Vigil got it and its resolution. */
export interface StoredAlert
  extends Pick<
    ReceivedAlert,
    'fingerprint' | 'startsAt' | 'endsAt' | 'status' | 'alertname' | 'service' | 'namespace'
  > {
  receivedAt: string;
  resolvedReceivedAt: string | null;
}

export interface AlertsRepo {
  /** Stores a payload's alerts in one transaction: each alert once, its end when it resolves. */
  record(alerts: readonly ReceivedAlert[], receivedAt: string): AlertBatchOutcome;
  /** Alerts not yet folded into correlation, oldest first. */
  toCorrelate(limit: number): AlertToCorrelate[];
  markCorrelated(rowIds: readonly number[]): void;
  /** Whether an alert of this incident still fires, as last heard from Alertmanager at or after `seenSince`. */
  firingIn(incidentId: string, seenSince: string): boolean;
  /** Every stored alert, oldest first (tests, inspection). */
  list(): StoredAlert[];
}

interface AlertRow {
  id: number;
  fingerprint: string;
  starts_at: string;
  ends_at: string | null;
  status: 'firing' | 'resolved';
  alertname: string;
  service: string | null;
  namespace: string;
  severity: string | null;
  summary: string | null;
  labels_json: string;
  generator_url: string | null;
  anomaly_id: string;
  received_at: string;
  resolved_received_at: string | null;
}

export function createAlertsRepo(db: Db): AlertsRepo {
  const insert = db.prepare(`INSERT OR IGNORE INTO alertmanager_alerts
    (fingerprint, starts_at, ends_at, status, alertname, service, namespace, severity, summary, labels_json,
     annotations_json, generator_url, receiver, received_at, last_seen_at, resolved_received_at, anomaly_id, to_correlate)
    VALUES (@fingerprint, @startsAt, @endsAt, @status, @alertname, @service, @namespace, @severity, @summary,
     @labels_json, @annotations_json, @generatorUrl, @receiver, @received_at, @received_at, @resolved_received_at, @anomalyId,
     @to_correlate)`);
  const resolve = db.prepare(`UPDATE alertmanager_alerts
    SET status = 'resolved', ends_at = @endsAt, resolved_received_at = @at, last_seen_at = @at
    WHERE fingerprint = @fingerprint AND starts_at = @startsAt AND ends_at IS NULL`);
  const seen = db.prepare(
    'UPDATE alertmanager_alerts SET last_seen_at = @at WHERE fingerprint = @fingerprint AND starts_at = @startsAt',
  );
  const firing = db
    .prepare(`SELECT 1 FROM incident_anomalies ia JOIN alertmanager_alerts al ON al.anomaly_id = ia.anomaly_id
      WHERE ia.incident_id = ? AND al.ends_at IS NULL AND al.last_seen_at >= ? LIMIT 1`)
    .pluck();
  // An alert already folded into an incident: its event says it resolved, so the card can.
  const resolveEvent = db.prepare(
    "UPDATE anomalies SET event_json = json_set(event_json, '$.alert.ends_at', ?) WHERE id = ? AND detector = 'alertmanager'",
  );
  const pending = db.prepare('SELECT * FROM alertmanager_alerts WHERE to_correlate = 1 ORDER BY id LIMIT ?');
  const markMany = db.prepare(
    'UPDATE alertmanager_alerts SET to_correlate = 0 WHERE id IN (SELECT value FROM json_each(?))',
  );
  const all = db.prepare('SELECT * FROM alertmanager_alerts ORDER BY id');
  const recordMany = db.transaction((alerts: readonly ReceivedAlert[], receivedAt: string) => {
    const outcome: AlertBatchOutcome = { stored: 0, resolved: 0, duplicates: 0, toCorrelate: 0 };
    for (const a of alerts) {
      const correlate = a.status === 'firing' && a.service !== null;
      const added = insert.run({
        ...a,
        labels_json: JSON.stringify(a.labels),
        annotations_json: JSON.stringify(a.annotations),
        received_at: receivedAt,
        resolved_received_at: a.status === 'resolved' ? receivedAt : null,
        to_correlate: correlate ? 1 : 0,
      }).changes;
      if (added > 0) {
        outcome.stored += 1;
        if (correlate) outcome.toCorrelate += 1;
      } else if (a.endsAt !== null && resolve.run({ ...a, at: receivedAt }).changes > 0) {
        outcome.resolved += 1;
        resolveEvent.run(a.endsAt, a.anomalyId);
      } else {
        seen.run({ fingerprint: a.fingerprint, startsAt: a.startsAt, at: receivedAt });
        outcome.duplicates += 1;
      }
    }
    return outcome;
  });
  return {
    record: (alerts, receivedAt) => recordMany(alerts, receivedAt),
    toCorrelate: (limit) =>
      (pending.all(limit) as AlertRow[]).map((r) => ({
        rowId: r.id,
        fingerprint: r.fingerprint,
        startsAt: r.starts_at,
        endsAt: r.ends_at,
        alertname: r.alertname,
        service: r.service as string,
        namespace: r.namespace,
        severity: r.severity,
        summary: r.summary,
        labels: JSON.parse(r.labels_json) as Record<string, string>,
        generatorUrl: r.generator_url,
        anomalyId: r.anomaly_id,
      })),
    markCorrelated: (rowIds) => {
      if (rowIds.length > 0) markMany.run(JSON.stringify(rowIds));
    },
    firingIn: (incidentId, seenSince) => firing.get(incidentId, seenSince) !== undefined,
    list: () =>
      (all.all() as AlertRow[]).map((r) => ({
        fingerprint: r.fingerprint,
        startsAt: r.starts_at,
        endsAt: r.ends_at,
        status: r.status,
        alertname: r.alertname,
        service: r.service,
        namespace: r.namespace,
        receivedAt: r.received_at,
        resolvedReceivedAt: r.resolved_received_at,
      })),
  };
}
