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
  applyMigrations(db, migrationsDir);
  return db;
}
