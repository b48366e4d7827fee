import type { Db } from './open-database.js';

/** One anomalous point of a series in an incident: the strongest detector's verdict at that time. */
export interface SeriesAnomalyPoint {
  /** ISO time. */
  ts: string;
  value: number;
  lower_bound: number;
  upper_bound: number;
}

export interface SeriesAnomaliesRepo {
  /**
   * The anomalous points of one series in an incident at or after `sinceIso`, in time order (at most
   * `limit`, the latest kept): narrow columns only, for the chart.
   */
  pointsOf(incidentId: string, seriesKey: string, sinceIso: string, limit: number): SeriesAnomalyPoint[];
}

export function createSeriesAnomaliesRepo(db: Db): SeriesAnomaliesRepo {
  // Several detectors may flag the same point with different bands: the strongest one's band is drawn.
  const points = db.prepare(`WITH ranked AS (
      SELECT a.ts, a.value, a.lower_bound, a.upper_bound,
        ROW_NUMBER() OVER (PARTITION BY a.ts ORDER BY a.score DESC, a.id) AS rank
      FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
      WHERE ia.incident_id = @incident AND a.series_key = @key AND a.ts >= @since)
    SELECT ts, value, lower_bound, upper_bound FROM ranked WHERE rank = 1 ORDER BY ts DESC LIMIT @limit`);
  return {
    pointsOf: (incidentId, seriesKey, sinceIso, limit) =>
      (points.all({ incident: incidentId, key: seriesKey, since: sinceIso, limit }) as SeriesAnomalyPoint[]).reverse(),
  };
}
