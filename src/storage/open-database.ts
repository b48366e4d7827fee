import Database from 'better-sqlite3';
import { applyMigrations, defaultMigrationsDir } from './apply-migrations.js';

export type Db = Database.Database;

/**
 * Opens (or creates) the database with the settings better-sqlite3 recommends and applies pending
 * migrations. `:memory:` gives a private in-memory database (replay, tests).
 */
export function openDatabase(path: string, migrationsDir: string = defaultMigrationsDir()): Db {
  const db = new Database(path);
  // WAL lets /vigil commands read while a detection cycle writes; see better-sqlite3's performance doc.
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // SQLite's own default page cache (2 MB) rather than better-sqlite3's 16 MB: each connection
  // (the main thread's, the detection thread's) filled it with detector-state pages it writes once
  // and rarely reads again, ~14 MB of malloc'd pages each that stayed resident. Pages it needs
  // again come from the OS's file cache.
  db.pragma('cache_size = -2000');
  applyMigrations(db, migrationsDir);
  return db;
}
