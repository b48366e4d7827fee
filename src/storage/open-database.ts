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
  // SQLite's own default page cache (2 MB) rather than better-sqlite3's 16 MB (its build's
  // SQLITE_DEFAULT_CACHE_SIZE): the detection thread's connection filled it with detector-state
  // pages it writes once and rarely reads again, malloc'd pages that stayed resident (bench:tick at
  // 10 000 series: malloc's heap ~15 MB smaller; saving 10 000 states takes as long either way).
  // Pages read again come from the OS's file cache.
  db.pragma('cache_size = -2000');
  applyMigrations(db, migrationsDir);
  return db;
}
