/**
 * The card's queries on a large incident, in real SQLite with the real migrations: the statements
 * that sort ids and read event_json only for the winners return exactly what the statements that
 * carried every event through the sort returned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../src/contracts/index.js';
import { type AnomaliesRepo, createAnomaliesRepo } from '../../src/storage/anomalies-repo.js';
import { createIncidentsRepo } from '../../src/storage/incidents-repo.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

// Oracle only: the statements as they were before the window ran over narrow columns. They carried
// event_json through the sort; kept here to check the new ones against, not used by the app.
// The old strongest statement left ties across series unspecified: SQLite gave them in series-key
// order (the window's partition order), which the new one states, so the two can be compared exactly.
const OLD_STRONGEST = `SELECT event_json FROM (
    SELECT a.event_json, a.score, ROW_NUMBER() OVER (PARTITION BY a.series_key ORDER BY a.score DESC, a.ts DESC) AS rank
    FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
    WHERE ia.incident_id = ?)
  WHERE rank = 1 ORDER BY score DESC LIMIT ?`;
const OLD_NEW_SERIES = `SELECT event_json, COUNT(*) OVER () AS total FROM (
    SELECT a.event_json,
      ROW_NUMBER() OVER (PARTITION BY a.series_key ORDER BY a.score DESC, a.ts, a.id) AS rank,
      MIN(a.ts || ' ' || a.id) OVER (PARTITION BY a.series_key) AS first_seen
    FROM incident_anomalies ia JOIN anomalies a ON a.id = ia.anomaly_id
    WHERE ia.incident_id = @incident AND ia.announced = 0 AND a.series_key NOT IN (
      SELECT t.series_key FROM incident_anomalies it JOIN anomalies t ON t.id = it.anomaly_id
      WHERE it.incident_id = @incident AND it.announced = 1))
  WHERE rank = 1 ORDER BY first_seen LIMIT @limit`;

const idsOf = (rows: unknown[]) =>
  rows.map((r) => (JSON.parse((r as { event_json: string }).event_json) as AnomalyEvent).id);

describe('card queries on an incident of several hundred anomalies', () => {
  let db: Db;
  let anomalies: AnomaliesRepo;
  let all: AnomalyEvent[];

  beforeEach(() => {
    db = openDatabase(':memory:');
    anomalies = createAnomaliesRepo(db);
    // 150 series over 50 services and 3 metrics, 1 to 7 anomalies each; scores from a few values and
    // times on a coarse grid, so that scores tie within and across series and series start together.
    let seed = 42;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const scores = [0.95, 0.97, 0.99, 0.995, 0.999];
    const metrics = ['latency_p99', 'error_rate', 'saturation'];
    const byId = new Map<string, AnomalyEvent>();
    for (let s = 0; s < 150; s += 1) {
      const count = 1 + Math.floor(random() * 7);
      for (let j = 0; j < count; j += 1) {
        const minute = Math.floor(random() * 40);
        const at = new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString();
        const anomaly = makeAnomaly(`svc-${s % 50}`, at, {
          metric_name: metrics[s % 3] as string,
          anomaly_score: scores[Math.floor(random() * scores.length)] as number,
        });
        byId.set(anomaly.id, anomaly);
      }
    }
    all = [...byId.values()];
    anomalies.insert(all, '2026-11-20T11:00:00Z');
    createIncidentsRepo(db).save(
      makeOpenIncident('inc-big', ['svc-0'], '2026-11-20T10:00:00Z'),
      all.map((a) => ({ id: a.id, suppressed: false })),
    );
  });
  afterEach(() => db.close());

  it('strongestPerSeries and untold return exactly the rows, in the order, of the statements they replace', () => {
    expect(all.length).toBeGreaterThan(400);
    const oldStrongest = db.prepare(OLD_STRONGEST);
    const oldNewSeries = db.prepare(OLD_NEW_SERIES);
    const untoldMatchesOld = (limit: number) => {
      const rows = oldNewSeries.all({ incident: 'inc-big', limit }) as Array<{ total: number }>;
      const now = anomalies.untold('inc-big', limit);
      expect(now.newSeries.map((a) => a.id)).toEqual(idsOf(rows));
      expect(now.newSeriesTotal).toBe(rows[0]?.total ?? 0);
      return now;
    };
    for (const limit of [0, 1, 5, 25, 150, 1000]) {
      expect(anomalies.strongestPerSeries('inc-big', limit).map((a) => a.id)).toEqual(
        idsOf(oldStrongest.all('inc-big', limit)),
      );
      expect(untoldMatchesOld(limit).newSeries).toHaveLength(Math.min(limit, 150));
    }
    // Part told: every anomaly of some series, one anomaly of others (those series are no longer new).
    anomalies.markAnnounced(
      'inc-big',
      all.filter((_, i) => i % 5 === 0).map((a) => a.id),
    );
    for (const limit of [0, 1, 5, 25, 1000]) untoldMatchesOld(limit);
    expect(untoldMatchesOld(1000).newSeriesTotal).toBeGreaterThan(0);
    expect(untoldMatchesOld(1000).newSeriesTotal).toBeLessThan(150);
  });
});
