import type { SeriesIdentity } from '../detection/create-detection-engine.js';
import type { Db } from './open-database.js';

/** One series as stored: its identity and its detectors' saved bytes. */
export interface StoredSeries {
  identity: SeriesIdentity;
  state: Uint8Array;
  lastTs: number;
  savedAt: string;
}

/**
 * Reads about one series by key, for a person asking (`/vigil explain`): every statement is a
 * primary-key lookup or a LIMITed range of an index, so it answers in the same time at 100 000
 * series while the detection thread writes.
 */
export interface SeriesLookupRepo {
  /** The series' saved state, if it has been saved. */
  stored(seriesKey: string): StoredSeries | undefined;
  /** Its recalibrated min_score (undefined: the configured one). */
  minScore(seriesKey: string): { minScore: number; updatedAt: string } | undefined;
  /** Known series keys starting with `prefix`, in order. */
  keysStartingWith(prefix: string, limit: number): string[];
}

/** Above every character a series key can hold, so [prefix, prefix + this) is the prefix's range. */
const AFTER_EVERY_CHARACTER = '\u{10FFFF}';

export function createSeriesLookupRepo(db: Db): SeriesLookupRepo {
  const stored = db.prepare('SELECT identity_json, state, last_ts, saved_at FROM series_state WHERE series_key = ?');
  const minScore = db.prepare('SELECT min_score, updated_at FROM series_calibration WHERE series_key = ?');
  // Series are known by their saved state or their calibration (a series seen but not saved yet
  // has neither, and is not suggested until its first checkpoint). Each walks its primary key's
  // index from the prefix and stops after `limit` rows, however many series share the prefix.
  const prefixedState = db.prepare(
    'SELECT series_key FROM series_state WHERE series_key >= ? AND series_key < ? ORDER BY series_key LIMIT ?',
  );
  const prefixedCalibration = db.prepare(
    'SELECT series_key FROM series_calibration WHERE series_key >= ? AND series_key < ? ORDER BY series_key LIMIT ?',
  );
  return {
    stored: (seriesKey) => {
      const r = stored.get(seriesKey) as
        | { identity_json: string; state: Buffer; last_ts: number; saved_at: string }
        | undefined;
      if (!r) return undefined;
      return {
        identity: JSON.parse(r.identity_json) as SeriesIdentity,
        state: r.state,
        lastTs: r.last_ts,
        savedAt: r.saved_at,
      };
    },
    minScore: (seriesKey) => {
      const r = minScore.get(seriesKey) as { min_score: number; updated_at: string } | undefined;
      return r ? { minScore: r.min_score, updatedAt: r.updated_at } : undefined;
    },
    keysStartingWith: (prefix, limit) => {
      const to = `${prefix}${AFTER_EVERY_CHARACTER}`;
      const keys = new Set<string>();
      for (const statement of [prefixedState, prefixedCalibration])
        for (const r of statement.all(prefix, to, limit) as Array<{ series_key: string }>) keys.add(r.series_key);
      return [...keys].sort().slice(0, limit);
    },
  };
}
