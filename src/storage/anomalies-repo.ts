import { type AnomalyEvent, AnomalyEventSchema } from '../contracts/index.js';
import { createIncidentSeriesSummary } from './incident-series.js';
import type { Db } from './open-database.js';

export interface AnomaliesRepo {
  /** Idempotent: an anomaly already stored (same id) is left as it is. Returns the new ones. */
  insert(events: readonly AnomalyEvent[], recordedAt: string): AnomalyEvent[];
  /** The strongest anomaly of each series of an incident, strongest first (ties: by series key). */
  strongestPerSeries(incidentId: string, limit: number): AnomalyEvent[];
  /**
   * What of an incident is not yet told in its Slack thread: the ids of those anomalies (to mark
   * them told), and the strongest of each series none of whose anomalies was told yet, in the order
   * the series first appeared (the first `seriesLimit` of them, and how many there are). Only those few are read whole: an incident of a thousand anomalies
   * would otherwise be parsed entirely on every cycle, on the thread that answers Slack.
   */
  untold(incidentId: string, seriesLimit: number): { ids: string[]; newSeries: AnomalyEvent[]; newSeriesTotal: number };
  markAnnounced(incidentId: string, anomalyIds: readonly string[]): void;
  /**
   * Per series of the incident: its first and latest anomaly, how many, and the deploy its first
   * anomaly named; earliest series first (the card's timeline and evidence times). Narrow columns
   * only; event_json is read for each series' first row alone.
   */
  seriesSpans(incidentId: string, limit: number): SeriesSpan[];
  /**
   * Whether the series had an anomaly in `direction` from `fromIso` to `toIso` (inclusive): what the
   * cycle asks of the same time the day before (see AnomalyEvent.novelty). Indexed by series and time.
   */
  anomalousBetween(
    series: Pick<AnomalyEvent, 'series_key' | 'service' | 'direction'>,
    fromIso: string,
    toIso: string,
  ): boolean;
}

export interface SeriesSpan {
  series_key: string;
  service: string;
  metric_name: string;
  first_at: string;
  last_at: string;
  count: number;
  recent_deploy: string | null;
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
  // The card's reads: a row per series from incident_series (migration 018), event_json read only
  // for the winning rows; nothing sorts the incident's anomalies on the thread that acks Slack.
  const between = db.prepare(
    'SELECT 1 FROM anomalies WHERE series_key = ? AND ts BETWEEN ? AND ? AND direction = ? LIMIT 1',
  );
  const summary = createIncidentSeriesSummary(db);
  // Per series: its strongest anomaly (ties: the latest); series strongest first (ties: by key).
  const strongest = db.prepare(`SELECT a.event_json FROM incident_series s JOIN anomalies a ON a.id = s.top_id
    WHERE s.incident_id = @incident ORDER BY s.top_score DESC, s.series_key LIMIT @limit`);
  const untoldIds = db
    .prepare('SELECT anomaly_id FROM incident_anomalies WHERE incident_id = ? AND announced = 0')
    .pluck();
  // Per series never told: its strongest anomaly (ties: the earliest), series in the order of their
  // first anomaly; `total` counts every such series, before the limit.
  const newSeries = db.prepare(`WITH winners AS (
      SELECT early_top_id, first_at, first_id, COUNT(*) OVER () AS total FROM incident_series
      WHERE incident_id = @incident AND told = 0 ORDER BY first_at, first_id LIMIT @limit)
    SELECT a.event_json, w.total FROM winners w JOIN anomalies a ON a.id = w.early_top_id ORDER BY w.first_at, w.first_id`);
  // One statement for any number of ids (a catch-up can tell a thousand at once).
  const markMany = db.prepare(
    'UPDATE incident_anomalies SET announced = 1 WHERE incident_id = ? AND anomaly_id IN (SELECT value FROM json_each(?))',
  );
  const markAnnounced = db.transaction((incidentId: string, idsJson: string) => {
    markMany.run(incidentId, idsJson);
    summary.told(incidentId, idsJson);
  });
  // Per series: its first anomaly (earliest, ties: the smaller id), last time and count.
  const spans = db.prepare(`SELECT s.series_key, s.service, s.metric_name, s.first_at, s.last_at, s.count,
      json_extract(a.event_json, '$.evidence.recent_deploy') AS recent_deploy
    FROM incident_series s JOIN anomalies a ON a.id = s.first_id
    WHERE s.incident_id = @incident ORDER BY s.first_at, s.series_key LIMIT @limit`);
  const parseRows = (rows: unknown[]) =>
    rows.map((row) => AnomalyEventSchema.parse(JSON.parse((row as { event_json: string }).event_json)));
  return {
    insert: (events, recordedAt) => insertMany(events, recordedAt),
    anomalousBetween: (series, fromIso, toIso) =>
      between.get(series.series_key, fromIso, toIso, series.direction) !== undefined,
    strongestPerSeries: (incidentId, limit) => parseRows(strongest.all({ incident: incidentId, limit })),
    untold: (incidentId, seriesLimit) => {
      const rows = newSeries.all({ incident: incidentId, limit: seriesLimit }) as Array<{ total: number }>;
      return {
        ids: untoldIds.all(incidentId) as string[],
        newSeries: parseRows(rows),
        newSeriesTotal: rows[0]?.total ?? 0,
      };
    },
    seriesSpans: (incidentId, limit) => spans.all({ incident: incidentId, limit }) as SeriesSpan[],
    markAnnounced: (incidentId, ids) => markAnnounced(incidentId, JSON.stringify(ids)),
  };
}
