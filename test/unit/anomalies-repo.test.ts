/**
 * The card's queries on a large incident, in real SQLite with the real migrations, against their
 * definition written out over the same anomalies: per series its strongest anomaly, series in the
 * order the card shows them. They read the incident_series summary (migration 018): these checks
 * also hold after anomalies join in several saves, after a merge, and on a database whose links
 * were made before the summary existed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../src/contracts/index.js';
import { type AnomaliesRepo, createAnomaliesRepo } from '../../src/storage/anomalies-repo.js';
import { createIncidentsRepo, type IncidentsRepo } from '../../src/storage/incidents-repo.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Each series' best anomaly by `better` (negative: the first is better). */
function bestPerSeries(events: readonly AnomalyEvent[], better: (a: AnomalyEvent, b: AnomalyEvent) => number) {
  const best = new Map<string, AnomalyEvent>();
  for (const e of events) {
    const known = best.get(e.series_key);
    if (!known || better(e, known) < 0) best.set(e.series_key, e);
  }
  return [...best.values()];
}

/** strongestPerSeries by definition: the strongest (then latest, then lowest id); strongest series first, then by key. */
function expectedStrongest(events: readonly AnomalyEvent[], limit: number): string[] {
  return bestPerSeries(
    events,
    (a, b) => compare(b.anomaly_score, a.anomaly_score) || compare(b.timestamp, a.timestamp) || compare(a.id, b.id),
  )
    .sort((a, b) => compare(b.anomaly_score, a.anomaly_score) || compare(a.series_key, b.series_key))
    .slice(0, limit)
    .map((a) => a.id);
}

/**
 * untold's new series by definition: the series none of whose anomalies was told, each with its
 * strongest (then earliest, then lowest id), in the order of their first anomaly; and how many.
 */
function expectedNewSeries(events: readonly AnomalyEvent[], told: ReadonlySet<string>, limit: number) {
  const toldSeries = new Set(events.filter((e) => told.has(e.id)).map((e) => e.series_key));
  const fresh = events.filter((e) => !toldSeries.has(e.series_key));
  const firstSeen = new Map<string, string>();
  for (const e of fresh) {
    const key = `${e.timestamp} ${e.id}`;
    const known = firstSeen.get(e.series_key);
    if (known === undefined || key < known) firstSeen.set(e.series_key, key);
  }
  const winners = bestPerSeries(
    fresh,
    (a, b) => compare(b.anomaly_score, a.anomaly_score) || compare(a.timestamp, b.timestamp) || compare(a.id, b.id),
  ).sort((a, b) => compare(firstSeen.get(a.series_key) as string, firstSeen.get(b.series_key) as string));
  return { ids: winners.slice(0, limit).map((a) => a.id), total: winners.length };
}

/** seriesSpans by definition: per series its first anomaly (earliest, then lowest id), last time and count. */
function expectedSpans(events: readonly AnomalyEvent[], limit: number) {
  const bySeries = new Map<string, AnomalyEvent[]>();
  for (const e of events) bySeries.set(e.series_key, [...(bySeries.get(e.series_key) ?? []), e]);
  return [...bySeries.values()]
    .map((list) => {
      const first = [...list].sort(
        (a, b) => compare(a.timestamp, b.timestamp) || compare(a.id, b.id),
      )[0] as AnomalyEvent;
      return {
        series_key: first.series_key,
        service: first.service,
        metric_name: first.metric_name,
        first_at: first.timestamp,
        last_at: list
          .map((e) => e.timestamp)
          .sort()
          .at(-1),
        count: list.length,
        recent_deploy: first.evidence.recent_deploy ?? null,
      };
    })
    .sort((a, b) => compare(a.first_at, b.first_at) || compare(a.series_key, b.series_key))
    .slice(0, limit);
}

/** Every card read of the incident against its definition over `events`. */
function expectCardReadsOf(anomalies: AnomaliesRepo, incidentId: string, events: readonly AnomalyEvent[]) {
  for (const limit of [0, 1, 5, 25, 1000]) {
    expect(anomalies.strongestPerSeries(incidentId, limit).map((a) => a.id)).toEqual(expectedStrongest(events, limit));
    expect(anomalies.seriesSpans(incidentId, limit)).toEqual(expectedSpans(events, limit));
    const untold = anomalies.untold(incidentId, limit);
    const expected = expectedNewSeries(events, new Set(), limit);
    expect(untold.newSeries.map((a) => a.id)).toEqual(expected.ids);
    expect(untold.newSeriesTotal).toBe(expected.ids.length === 0 ? 0 : expected.total);
  }
}

describe('card queries on an incident of several hundred anomalies', () => {
  let db: Db;
  let anomalies: AnomaliesRepo;
  let incidents: IncidentsRepo;
  let all: AnomalyEvent[];

  beforeEach(() => {
    db = openDatabase(':memory:');
    anomalies = createAnomaliesRepo(db);
    incidents = createIncidentsRepo(db);
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
    // In three saves, as cycles link them, the last one linking a third of them again.
    const incident = makeOpenIncident('inc-big', ['svc-0'], '2026-11-20T10:00:00Z');
    const links = all.map((a) => ({ id: a.id, suppressed: false }));
    incidents.save(incident, links.slice(0, 200));
    incidents.save(incident, links.slice(200));
    incidents.save(
      incident,
      links.filter((_, i) => i % 3 === 0),
    );
  });
  afterEach(() => db.close());

  it('strongestPerSeries and untold return the rows their definition gives, in its order', () => {
    expect(all.length).toBeGreaterThan(400);
    const told = new Set<string>();
    const untoldAsDefined = (limit: number) => {
      const now = anomalies.untold('inc-big', limit);
      const expected = expectedNewSeries(all, told, limit);
      expect(now.newSeries.map((a) => a.id)).toEqual(expected.ids);
      expect(now.newSeriesTotal).toBe(expected.ids.length === 0 ? 0 : expected.total);
      return now;
    };
    for (const limit of [0, 1, 5, 25, 150, 1000]) {
      expect(anomalies.strongestPerSeries('inc-big', limit).map((a) => a.id)).toEqual(expectedStrongest(all, limit));
      expect(untoldAsDefined(limit).newSeries).toHaveLength(Math.min(limit, 150));
    }
    // Part told: every anomaly of some series, one anomaly of others (those series are no longer new).
    const toldNow = all.filter((_, i) => i % 5 === 0).map((a) => a.id);
    anomalies.markAnnounced('inc-big', toldNow);
    for (const id of toldNow) told.add(id);
    for (const limit of [0, 1, 5, 25, 1000]) untoldAsDefined(limit);
    expect(untoldAsDefined(1000).newSeriesTotal).toBeGreaterThan(0);
    expect(untoldAsDefined(1000).newSeriesTotal).toBeLessThan(150);
  });
  it('seriesSpans gives each series its first anomaly, last time and count, earliest series first', () => {
    expectCardReadsOf(anomalies, 'inc-big', all);
  });

  it("a merge moves the absorbed incident's series into the other one, and leaves it none", () => {
    const other = all.filter((_, i) => i % 4 === 1);
    const extra = makeAnomaly('svc-77', '2026-11-20T09:59:00Z', { anomaly_score: 0.9999 });
    anomalies.insert([extra], '2026-11-20T11:00:00Z');
    const absorbed = [...other, extra];
    incidents.save(
      makeOpenIncident('inc-small', ['svc-1'], '2026-11-20T10:05:00Z'),
      absorbed.map((a) => ({ id: a.id, suppressed: false })),
    );
    expectCardReadsOf(anomalies, 'inc-small', absorbed);
    incidents.absorb('inc-big', 'inc-small', '2026-11-20T11:30:00Z');
    expectCardReadsOf(anomalies, 'inc-big', [...all, extra]);
    expect(anomalies.strongestPerSeries('inc-small', 10)).toEqual([]);
    expect(anomalies.seriesSpans('inc-small', 10)).toEqual([]);
  });

  it('a database linked before the summary existed gets it folded from its links when opened', () => {
    db.exec('DELETE FROM incident_series');
    expect(anomalies.strongestPerSeries('inc-big', 5)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-upgrade-'));
    try {
      db.exec(`VACUUM INTO '${join(dir, 'vigil.db')}'`);
      const upgraded = openDatabase(join(dir, 'vigil.db'));
      try {
        expectCardReadsOf(createAnomaliesRepo(upgraded), 'inc-big', all);
      } finally {
        upgraded.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
