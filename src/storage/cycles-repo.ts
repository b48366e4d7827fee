import type { Db } from './open-database.js';

export interface CycleReport {
  started_at: string;
  finished_at: string;
  duration_ms: number;
  series_scored: number;
  samples: number;
  anomalies: number;
  incidents_opened: number;
  incidents_updated: number;
  errors: string[];
  status: 'ok' | 'partial' | 'failed';
}

export interface CyclesRepo {
  record(report: CycleReport): void;
  latest(): CycleReport | undefined;
  /** The newest `limit` cycles' status and errors, newest first (for /vigil status's stage health). */
  recent(limit: number): Array<Pick<CycleReport, 'finished_at' | 'status' | 'errors'>>;
}

export function createCyclesRepo(db: Db): CyclesRepo {
  const insert = db.prepare(`INSERT INTO detection_cycles (started_at, finished_at, duration_ms, series_scored, samples,
    anomalies, incidents_opened, incidents_updated, errors_json, status)
    VALUES (@started_at, @finished_at, @duration_ms, @series_scored, @samples, @anomalies, @incidents_opened,
    @incidents_updated, @errors_json, @status)`);
  const latest = db.prepare('SELECT * FROM detection_cycles ORDER BY id DESC LIMIT 1');
  const recent = db.prepare('SELECT finished_at, status, errors_json FROM detection_cycles ORDER BY id DESC LIMIT ?');
  return {
    record: (r) => {
      insert.run({ ...r, errors_json: JSON.stringify(r.errors) });
    },
    latest: () => {
      const row = latest.get() as (Omit<CycleReport, 'errors'> & { errors_json: string }) | undefined;
      if (!row) return undefined;
      const { errors_json, ...rest } = row;
      return { ...rest, errors: JSON.parse(errors_json) as string[] };
    },
    recent: (limit) =>
      (recent.all(limit) as Array<{ finished_at: string; status: CycleReport['status']; errors_json: string }>).map(
        (r) => ({ finished_at: r.finished_at, status: r.status, errors: JSON.parse(r.errors_json) as string[] }),
      ),
  };
}
