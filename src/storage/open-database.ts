import Database from 'better-sqlite3';
import { applyMigrations, defaultMigrationsDir } from './apply-migrations.js';
import { fillIncidentSeriesAfterUpgrade } from './incident-series.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  migrationsDir?: string;
  /**
   * Whether this connection's commits checkpoint the WAL (SQLite's default, once it holds 1 000
   * pages). Off for the thread that acks Slack when the detection thread shares the file: a
   * checkpoint copies the whole WAL into the database and syncs it (~90 ms for the 22 MB a cycle's
   * detector state can leave at 10 000 series), on the thread of whichever connection commits next.
   * A card's small update from the Slack thread was that connection often enough to hold acks. The
   * detection thread, which writes nearly all of the WAL, checkpoints it.
   */
  checkpoints?: boolean;
}

/**
 * Opens (or creates) the database with the settings better-sqlite3 recommends and applies pending
 * migrations. `:memory:` gives a private in-memory database (replay, tests).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(path);
  // WAL lets /vigil commands read while a detection cycle writes; see better-sqlite3's performance doc.
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // SQLite's own default page cache (2 MB) rather than better-sqlite3's 16 MB (its build's
  // SQLITE_DEFAULT_CACHE_SIZE): the detection thread's connection filled it with detector-state
  // pages it writes once and rarely reads again, malloc'd pages that stayed resident (bench:tick at
  // 10 000 series: malloc's heap ~15 MB smaller; saving 10 000 states takes as long either way).
  // Pages read again come from the OS's file cache.
  db.pragma('cache_size = -2000');
  if (options.checkpoints === false) db.pragma('wal_autocheckpoint = 0');
  applyMigrations(db, options.migrationsDir ?? defaultMigrationsDir());
  fillIncidentSeriesAfterUpgrade(db);
  return db;
}
