import { type LabelCounts, VERDICT_LABELS } from '../detection/feedback-adjustment.js';
import type { Db } from './open-database.js';

/** Labels a feedback change keeps by name (who, on which incident); the rest are in its counts. */
export const LABELS_KEPT_PER_CHANGE = 50;

/** What feedback knows of one series at the start of a recalibration run. */
export interface SeriesFeedbackState {
  tailFactor: number;
  /** created_at of the newest label its last feedback change counted (null: never changed). */
  labelsThrough: string | null;
  /** Every current label on the series. */
  labels: LabelCounts;
  /** Labels newer than labelsThrough: the ones that may still move it. */
  pending: LabelCounts;
  /** The newest pending verdict label's created_at (where labelsThrough goes if they move it). */
  newestPending: string | null;
}

/** A feedback change decided by a run, to record. */
export interface FeedbackAdjustment {
  seriesKey: string;
  direction: 'raise' | 'lower';
  oldFactor: number;
  newFactor: number;
  oldMinScore: number | null;
  newMinScore: number;
  counts: LabelCounts;
  /** From (exclusive) and through (inclusive): the labels' created_at that this change spends. */
  labelsFrom: string | null;
  labelsThrough: string;
  reason: string;
}

/** One recorded feedback change, as `/vigil explain` shows it. */
export interface FeedbackChangeRecord extends Omit<FeedbackAdjustment, 'labelsFrom'> {
  runId: number;
  changedAt: string;
  labels: Array<{ incident_id: string; slack_user: string; label: string; created_at: string }>;
}

/** The snapshot `/vigil explain` reads: one row. */
export interface SeriesFeedbackSnapshot {
  tailFactor: number;
  labelsThrough: string | null;
  labels: LabelCounts;
  pending: LabelCounts;
  countedAt: string;
}

export interface FeedbackCalibrationRepo {
  /**
   * Every series with labels or a feedback factor: the recalibration's one pass over the labels
   * (their number is what people gave, not the number of series).
   */
  load(): Map<string, SeriesFeedbackState>;
  /** Records a run's feedback changes, with the labels behind each, and moves their series. */
  record(runId: number, at: string, adjustments: readonly FeedbackAdjustment[]): void;
  /** Stores the label counts of every labelled series as of now, for `/vigil explain`. */
  snapshot(at: string): void;
  /** Runs `work` in one transaction (with the calibration changes of the same slice). */
  inTransaction<T>(work: () => T): T;
  /** One series' snapshot (primary key). */
  snapshotOf(seriesKey: string): SeriesFeedbackSnapshot | undefined;
  /** A series' latest feedback changes, newest first (index on series_key, id). */
  history(seriesKey: string, limit: number): FeedbackChangeRecord[];
}

const VERDICT_SET: ReadonlySet<string> = new Set(VERDICT_LABELS);

function parseCounts(json: string): LabelCounts {
  return JSON.parse(json) as LabelCounts;
}

export function createFeedbackCalibrationRepo(db: Db): FeedbackCalibrationRepo {
  // Labels per series, and those newer than the series' last feedback change.
  const counts = db.prepare(`SELECT j.value AS series_key, f.label AS label, COUNT(*) AS n,
      SUM(CASE WHEN s.labels_through IS NULL OR f.created_at > s.labels_through THEN 1 ELSE 0 END) AS pending,
      MAX(CASE WHEN s.labels_through IS NULL OR f.created_at > s.labels_through THEN f.created_at END) AS newest
    FROM feedback f, json_each(f.series) j LEFT JOIN series_feedback s ON s.series_key = j.value
    GROUP BY j.value, f.label`);
  const factors = db.prepare('SELECT series_key, tail_factor, labels_through FROM series_feedback');
  const labelsOf = db.prepare(`SELECT f.incident_id, f.slack_user, f.label, f.created_at
    FROM feedback f, json_each(f.series) j
    WHERE j.value = @series AND f.label IN ('useful', 'noisy', 'late')
      AND (@from IS NULL OR f.created_at > @from) AND f.created_at <= @through
    ORDER BY f.created_at, f.incident_id, f.slack_user LIMIT ${LABELS_KEPT_PER_CHANGE}`);
  const insertChange = db.prepare(`INSERT INTO feedback_calibration_changes
    (run_id, series_key, direction, old_factor, new_factor, old_min_score, new_min_score, counts_json,
      labels_json, labels_through, reason, changed_at)
    VALUES (@run_id, @series_key, @direction, @old_factor, @new_factor, @old_min_score, @new_min_score,
      @counts_json, @labels_json, @labels_through, @reason, @changed_at)`);
  const moveSeries = db.prepare(`INSERT INTO series_feedback (series_key, tail_factor, labels_through, counted_at)
    VALUES (@series_key, @tail_factor, @labels_through, @at)
    ON CONFLICT (series_key) DO UPDATE SET tail_factor = excluded.tail_factor,
      labels_through = excluded.labels_through`);
  const upsertCounts = db.prepare(`INSERT INTO series_feedback (series_key, labels_json, pending_json, counted_at)
    VALUES (@series_key, @labels_json, @pending_json, @at)
    ON CONFLICT (series_key) DO UPDATE SET labels_json = excluded.labels_json,
      pending_json = excluded.pending_json, counted_at = excluded.counted_at`);
  // Series whose labels were all taken back since.
  const clearStale = db.prepare(
    "UPDATE series_feedback SET labels_json = '{}', pending_json = '{}', counted_at = ? WHERE counted_at <> ?",
  );
  const one = db.prepare(
    'SELECT tail_factor, labels_through, labels_json, pending_json, counted_at FROM series_feedback WHERE series_key = ?',
  );
  const history = db.prepare(`SELECT run_id, series_key, direction, old_factor, new_factor, old_min_score,
      new_min_score, counts_json, labels_json, labels_through, reason, changed_at
    FROM feedback_calibration_changes WHERE series_key = ? ORDER BY id DESC LIMIT ?`);

  function load(): Map<string, SeriesFeedbackState> {
    const out = new Map<string, SeriesFeedbackState>();
    const stateOf = (key: string): SeriesFeedbackState => {
      let s = out.get(key);
      if (!s) {
        s = { tailFactor: 1, labelsThrough: null, labels: {}, pending: {}, newestPending: null };
        out.set(key, s);
      }
      return s;
    };
    for (const r of factors.iterate() as Iterable<{
      series_key: string;
      tail_factor: number;
      labels_through: string | null;
    }>) {
      const s = stateOf(r.series_key);
      s.tailFactor = r.tail_factor;
      s.labelsThrough = r.labels_through;
    }
    for (const r of counts.iterate() as Iterable<{
      series_key: string;
      label: keyof LabelCounts;
      n: number;
      pending: number;
      newest: string | null;
    }>) {
      const s = stateOf(r.series_key);
      s.labels[r.label] = r.n;
      if (r.pending > 0) s.pending[r.label] = r.pending;
      if (VERDICT_SET.has(r.label) && r.newest !== null && (s.newestPending === null || r.newest > s.newestPending))
        s.newestPending = r.newest;
    }
    return out;
  }

  const record = db.transaction((runId: number, at: string, adjustments: readonly FeedbackAdjustment[]) => {
    for (const a of adjustments) {
      const labels = labelsOf.all({ series: a.seriesKey, from: a.labelsFrom, through: a.labelsThrough });
      insertChange.run({
        run_id: runId,
        series_key: a.seriesKey,
        direction: a.direction,
        old_factor: a.oldFactor,
        new_factor: a.newFactor,
        old_min_score: a.oldMinScore,
        new_min_score: a.newMinScore,
        counts_json: JSON.stringify(a.counts),
        labels_json: JSON.stringify(labels),
        labels_through: a.labelsThrough,
        reason: a.reason,
        changed_at: at,
      });
      moveSeries.run({ series_key: a.seriesKey, tail_factor: a.newFactor, labels_through: a.labelsThrough, at });
    }
  });

  const snapshot = db.transaction((at: string) => {
    for (const [key, s] of load()) {
      upsertCounts.run({
        series_key: key,
        labels_json: JSON.stringify(s.labels),
        pending_json: JSON.stringify(s.pending),
        at,
      });
    }
    clearStale.run(at, at);
  });

  return {
    load,
    record: (runId, at, adjustments) => {
      if (adjustments.length > 0) record(runId, at, adjustments);
    },
    snapshot: (at) => snapshot(at),
    inTransaction: (work) => db.transaction(work)(),
    snapshotOf: (seriesKey) => {
      const r = one.get(seriesKey) as
        | {
            tail_factor: number;
            labels_through: string | null;
            labels_json: string;
            pending_json: string;
            counted_at: string;
          }
        | undefined;
      if (!r) return undefined;
      return {
        tailFactor: r.tail_factor,
        labelsThrough: r.labels_through,
        labels: parseCounts(r.labels_json),
        pending: parseCounts(r.pending_json),
        countedAt: r.counted_at,
      };
    },
    history: (seriesKey, limit) =>
      (
        history.all(seriesKey, limit) as Array<{
          run_id: number;
          series_key: string;
          direction: 'raise' | 'lower';
          old_factor: number;
          new_factor: number;
          old_min_score: number | null;
          new_min_score: number;
          counts_json: string;
          labels_json: string;
          labels_through: string;
          reason: string;
          changed_at: string;
        }>
      ).map((r) => ({
        runId: r.run_id,
        seriesKey: r.series_key,
        direction: r.direction,
        oldFactor: r.old_factor,
        newFactor: r.new_factor,
        oldMinScore: r.old_min_score,
        newMinScore: r.new_min_score,
        counts: parseCounts(r.counts_json),
        labels: JSON.parse(r.labels_json) as FeedbackChangeRecord['labels'],
        labelsThrough: r.labels_through,
        reason: r.reason,
        changedAt: r.changed_at,
      })),
  };
}
