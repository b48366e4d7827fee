import { type Silence, SilenceSchema } from '../silences/silence.js';
import type { Db } from './open-database.js';

export interface SilencesRepo {
  add(silence: Silence): void;
  get(id: string): (Silence & { removed_by: string | null; removed_at: string | null }) | undefined;
  /** Not removed and not over at `nowIso` (in force or ahead), soonest end first, at most `limit`. */
  live(nowIso: string, limit: number): Silence[];
  countLive(nowIso: string): number;
  /** Marks it removed; false if it was unknown or already removed. */
  remove(id: string, by: string, atIso: string): boolean;
}

type Row = Silence & { removed_by: string | null; removed_at: string | null };

export function createSilencesRepo(db: Db): SilencesRepo {
  const insert = db.prepare(`INSERT INTO silences
    (id, kind, service, namespace, metric_name, starts_at, ends_at, reason, created_by, created_at)
    VALUES (@id, @kind, @service, @namespace, @metric_name, @starts_at, @ends_at, @reason, @created_by, @created_at)`);
  const get = db.prepare('SELECT * FROM silences WHERE id = ?');
  // Both read the partial index silences_live: only what is not removed, from `now` on.
  const live = db.prepare(`SELECT * FROM silences INDEXED BY silences_live
    WHERE removed_at IS NULL AND ends_at > ? ORDER BY ends_at, id LIMIT ?`);
  const countLive = db.prepare(
    'SELECT COUNT(*) AS n FROM silences INDEXED BY silences_live WHERE removed_at IS NULL AND ends_at > ?',
  );
  const remove = db.prepare('UPDATE silences SET removed_by = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL');
  const toSilence = (r: Row): Silence => {
    const { removed_by: _by, removed_at: _at, ...rest } = r;
    return SilenceSchema.parse(rest);
  };
  return {
    add: (s) => {
      insert.run(SilenceSchema.parse(s));
    },
    get: (id) => {
      const row = get.get(id) as Row | undefined;
      return row ? { ...toSilence(row), removed_by: row.removed_by, removed_at: row.removed_at } : undefined;
    },
    live: (nowIso, limit) => (live.all(nowIso, limit) as Row[]).map(toSilence),
    countLive: (nowIso) => (countLive.get(nowIso) as { n: number }).n,
    remove: (id, by, atIso) => remove.run(by, atIso, id).changes > 0,
  };
}
