/**
 * The store as two threads share it: the detection thread (correlation) and the main thread (a
 * person's click, publishing) each on their own connection to one SQLite file (real SQLite, WAL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeStatus } from '../../src/incidents/change-status.js';
import { createAnomaliesRepo } from '../../src/storage/anomalies-repo.js';
import { createIncidentsRepo } from '../../src/storage/incidents-repo.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

let dir: string;
let detectionDb: Db;
let mainDb: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-threads-store-'));
  detectionDb = openDatabase(join(dir, 'v.db'));
  mainDb = openDatabase(join(dir, 'v.db'));
});
afterEach(() => {
  detectionDb.close();
  mainDb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('incidents across two connections', () => {
  it('a read-modify-write in atomically() holds the write lock from its start: the other connection waits', () => {
    const detection = createIncidentsRepo(detectionDb);
    const main = createIncidentsRepo(mainDb);
    detection.save(makeOpenIncident('inc-1', ['checkout-api'], '2026-11-20T10:00:00Z'), []);
    mainDb.pragma('busy_timeout = 0');
    let clickDuringFold: unknown;
    detection.atomically(() => {
      const read = detection.get('inc-1');
      // A person acknowledges between the fold's read and its write: refused until the fold commits.
      try {
        changeStatus(main, 'inc-1', 'acknowledged', 'U1', 'looking', new Date('2026-11-20T10:01:00Z'));
      } catch (error) {
        clickDuringFold = error;
      }
      detection.save({ ...(read as NonNullable<typeof read>), severity: 'warning' }, []);
    });
    expect((clickDuringFold as { code?: string }).code).toBe('SQLITE_BUSY');
    // After the commit the click goes through and keeps what the fold wrote.
    const after = changeStatus(main, 'inc-1', 'acknowledged', 'U1', 'looking', new Date('2026-11-20T10:01:00Z'));
    expect(after.ok).toBe(true);
    expect(main.get('inc-1')).toMatchObject({ status: 'acknowledged', severity: 'warning' });
  });
});

describe('a click and a fold', () => {
  it('no lost update: a fold cannot commit between the click reading the incident and saving it', () => {
    const detection = createIncidentsRepo(detectionDb);
    const main = createIncidentsRepo(mainDb);
    detection.save(makeOpenIncident('inc-1', ['checkout-api'], '2026-11-20T10:00:00Z'), []);
    detectionDb.pragma('busy_timeout = 0');
    let foldRefused = false;
    // The other thread's fold lands right after the click read the incident (simulated here by
    // running it from inside the click's read).
    const racingMain = {
      ...main,
      get(id: string) {
        const read = main.get(id);
        try {
          detection.atomically(() => {
            const current = detection.get(id);
            detection.save({ ...(current as NonNullable<typeof current>), severity: 'warning' }, []);
          });
        } catch (error) {
          foldRefused = (error as { code?: string }).code === 'SQLITE_BUSY';
        }
        return read;
      },
    };
    const click = changeStatus(racingMain, 'inc-1', 'acknowledged', 'U1', 'on it', new Date('2026-11-20T10:01:00Z'));
    expect(click.ok).toBe(true);
    const stored = main.get('inc-1');
    expect(stored?.status).toBe('acknowledged');
    // Either the fold waited (and would run after the click), or what it wrote survived the click.
    expect(foldRefused || stored?.severity === 'warning').toBe(true);
    expect(foldRefused).toBe(true);
  });
});

describe('untold anomalies of an incident', () => {
  it('gives every untold id, and the strongest anomaly of each series never told, in order of first appearance', () => {
    const incidents = createIncidentsRepo(mainDb);
    const anomalies = createAnomaliesRepo(mainDb);
    const told = makeAnomaly('payment-api', '2026-11-20T10:00:00Z');
    const later = makeAnomaly('payment-api', '2026-11-20T10:03:00Z', { anomaly_score: 0.999 });
    const dbWeak = makeAnomaly('payments-db', '2026-11-20T10:01:00Z', { anomaly_score: 0.96 });
    const dbStrong = makeAnomaly('payments-db', '2026-11-20T10:04:00Z', { anomaly_score: 0.995 });
    const dbTie = makeAnomaly('payments-db', '2026-11-20T10:05:00Z', { anomaly_score: 0.995 });
    const edge = makeAnomaly('edge', '2026-11-20T10:02:00Z', { metric_name: 'error_rate' });
    const all = [told, later, dbWeak, dbStrong, dbTie, edge];
    anomalies.insert(all, '2026-11-20T10:06:00Z');
    incidents.save(
      makeOpenIncident('inc-1', ['payments-db', 'payment-api', 'edge'], '2026-11-20T10:00:00Z'),
      all.map((a) => ({ id: a.id, suppressed: false })),
    );
    anomalies.markAnnounced('inc-1', [told.id]);

    const untold = anomalies.untold('inc-1', 10);
    expect(new Set(untold.ids)).toEqual(new Set([later.id, dbWeak.id, dbStrong.id, dbTie.id, edge.id]));
    // payment-api was told already (its new point is marked, not summarised again); payments-db
    // first appeared at 10:01, edge at 10:02; the strongest of payments-db, ties to the earliest.
    expect(untold.newSeries.map((a) => a.id)).toEqual([dbStrong.id, edge.id]);
    expect(untold.newSeriesTotal).toBe(2);
    // At most `seriesLimit` read whole, the total still counted.
    expect(anomalies.untold('inc-1', 1)).toMatchObject({ newSeries: [dbStrong], newSeriesTotal: 2 });

    anomalies.markAnnounced('inc-1', untold.ids);
    expect(anomalies.untold('inc-1', 10)).toEqual({ ids: [], newSeries: [], newSeriesTotal: 0 });
  });
});
