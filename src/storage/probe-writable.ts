import { errorMessage } from '../errors.js';
import type { Db } from './open-database.js';

export type WriteProbe = { ok: true } | { ok: false; error: string };

class ProbeRollback extends Error {}

/**
 * Whether the database takes a write now: one row written in a transaction that is rolled back, so
 * nothing is kept and no schema changes (prepared statements stay valid). It fails as the bot's own
 * writes would on a read-only volume or connection, or a database another process holds locked.
 */
export function createWriteProbe(db: Db): () => WriteProbe {
  const insert = db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (-1, 'write probe', 'never kept')",
  );
  const attempt = db.transaction(() => {
    insert.run();
    throw new ProbeRollback();
  });
  return () => {
    try {
      attempt();
    } catch (error) {
      if (!(error instanceof ProbeRollback)) return { ok: false, error: errorMessage(error) };
    }
    return { ok: true };
  };
}
