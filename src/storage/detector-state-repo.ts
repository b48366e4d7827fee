import type { PersistedSeries, SeriesIdentity } from '../detection/create-detection-engine.js';
import type { Db } from './open-database.js';

export interface CalibrationChange {
  seriesKey: string;
  field: string;
  oldValue: number | null;
  newValue: number;
  reason: string;
}

export interface RecalibrationRun {
  started_at: string;
  finished_at: string | null;
  status: string;
  series: number;
  changes: number;
  error: string | null;
}

export interface DetectorStateRepo {
  /** Upserts the state (bytes) of these series in one transaction. */
  save(series: readonly PersistedSeries[], at: string): void;
  loadAll(): PersistedSeries[];
  /** Deletes these series' saved state (forgotten series: see DetectionEngine.forget), in one transaction. */
  remove(keys: readonly string[]): void;
  /** Series saved and the bytes of their state. */
  stateSize(): { series: number; bytes: number };
  calibrations(): Map<string, number>;
  /** One series' minimum calibrated score, if a recalibration set one (an indexed lookup). */
  calibration(seriesKey: string): number | undefined;
  /** Sets these series' minimum calibrated scores, in one transaction (a backtest takes the bot's). */
  importCalibrations(entries: Iterable<readonly [string, number]>, at: string): void;
  startRun(at: string): number;
  /** Applies and records calibration changes of a run (a slice of its series), in one transaction. */
  applyChanges(runId: number, at: string, changes: readonly CalibrationChange[]): void;
  /** Closes a run that went through: how many series it read and how many changes it applied. */
  finishRun(runId: number, at: string, seriesCount: number, changeCount: number): void;
  failRun(runId: number, at: string, error: string): void;
  /** The latest recalibration run, if any. */
  latestRun(): RecalibrationRun | undefined;
  changes(seriesKey?: string, limit?: number): Array<CalibrationChange & { changedAt: string; runId: number }>;
}

export function createDetectorStateRepo(db: Db): DetectorStateRepo {
  // A series' identity never changes: written with its first row, not formatted on every save.
  const update = db.prepare('UPDATE series_state SET state = ?, last_ts = ?, saved_at = ? WHERE series_key = ?');
  const insert = db.prepare(`INSERT INTO series_state (series_key, identity_json, state, last_ts, saved_at)
    VALUES (?, ?, ?, ?, ?)`);
  const saveMany = db.transaction((list: readonly PersistedSeries[], at: string) => {
    for (const s of list) {
      if (update.run(s.state, s.lastTs, at, s.key).changes === 0)
        insert.run(s.key, JSON.stringify(s.identity), s.state, s.lastTs, at);
    }
  });
  const all = db.prepare('SELECT series_key, identity_json, state, last_ts FROM series_state');
  const removeOne = db.prepare('DELETE FROM series_state WHERE series_key = ?');
  const removeMany = db.transaction((keys: readonly string[]) => {
    for (const key of keys) removeOne.run(key);
  });
  const size = db.prepare('SELECT COUNT(*) AS series, COALESCE(SUM(LENGTH(state)), 0) AS bytes FROM series_state');
  const calibrations = db.prepare('SELECT series_key, min_score FROM series_calibration');
  const calibrationOf = db.prepare('SELECT min_score FROM series_calibration WHERE series_key = ?');
  const startRun = db.prepare("INSERT INTO recalibration_runs (started_at, status) VALUES (?, 'running')");
  const closeRun = db.prepare(
    "UPDATE recalibration_runs SET finished_at = ?, status = 'ok', series = ?, changes = ? WHERE id = ?",
  );
  const failRun = db.prepare(
    "UPDATE recalibration_runs SET finished_at = ?, status = 'failed', error = ? WHERE id = ?",
  );
  const setCalibration = db.prepare(`INSERT INTO series_calibration (series_key, min_score, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (series_key) DO UPDATE SET min_score = excluded.min_score, updated_at = excluded.updated_at`);
  const recordChange = db.prepare(`INSERT INTO calibration_changes
    (run_id, series_key, field, old_value, new_value, reason, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const applyChanges = db.transaction((runId: number, at: string, changes: readonly CalibrationChange[]) => {
    for (const c of changes) {
      if (c.field === 'min_score') setCalibration.run(c.seriesKey, c.newValue, at);
      recordChange.run(runId, c.seriesKey, c.field, c.oldValue, c.newValue, c.reason, at);
    }
  });
  const latestRun = db.prepare(
    'SELECT started_at, finished_at, status, series, changes, error FROM recalibration_runs ORDER BY id DESC LIMIT 1',
  );
  // Two statements, so that one series' changes walk index calibration_changes_series.
  const recentChanges = db.prepare(`SELECT run_id, series_key, field, old_value, new_value, reason, changed_at
    FROM calibration_changes ORDER BY id DESC LIMIT ?`);
  const seriesChanges = db.prepare(`SELECT run_id, series_key, field, old_value, new_value, reason, changed_at
    FROM calibration_changes WHERE series_key = ? ORDER BY changed_at DESC, id DESC LIMIT ?`);
  return {
    save: (list, at) => saveMany(list, at),
    remove: (keys) => removeMany(keys),
    loadAll: () =>
      (all.all() as Array<{ series_key: string; identity_json: string; state: Buffer; last_ts: number }>).map((r) => ({
        key: r.series_key,
        identity: JSON.parse(r.identity_json) as SeriesIdentity,
        lastTs: r.last_ts,
        state: r.state,
      })),
    stateSize: () => size.get() as { series: number; bytes: number },
    calibrations: () =>
      new Map(
        (calibrations.all() as Array<{ series_key: string; min_score: number }>).map((r) => [
          r.series_key,
          r.min_score,
        ]),
      ),
    calibration: (key) => (calibrationOf.get(key) as { min_score: number } | undefined)?.min_score,
    importCalibrations: db.transaction((entries: Iterable<readonly [string, number]>, at: string) => {
      for (const [key, minScore] of entries) setCalibration.run(key, minScore, at);
    }),
    startRun: (at) => Number(startRun.run(at).lastInsertRowid),
    latestRun: () => latestRun.get() as RecalibrationRun | undefined,
    applyChanges: (runId, at, changes) => applyChanges(runId, at, changes),
    finishRun: (runId, at, seriesCount, changeCount) => {
      closeRun.run(at, seriesCount, changeCount, runId);
    },
    failRun: (runId, at, error) => {
      failRun.run(at, error.slice(0, 2000), runId);
    },
    changes: (seriesKey, limit = 50) =>
      (
        (seriesKey === undefined ? recentChanges.all(limit) : seriesChanges.all(seriesKey, limit)) as Array<{
          run_id: number;
          series_key: string;
          field: string;
          old_value: number | null;
          new_value: number;
          reason: string;
          changed_at: string;
        }>
      ).map((r) => ({
        runId: r.run_id,
        seriesKey: r.series_key,
        field: r.field,
        oldValue: r.old_value,
        newValue: r.new_value,
        reason: r.reason,
        changedAt: r.changed_at,
      })),
  };
}
