import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function defaultMigrationsDir(): string {
  // Two levels up from src/storage (or dist/storage) is the package root, where migrations/ lives.
  return fileURLToPath(new URL('../../migrations/', import.meta.url));
}

export interface AppliedMigration {
  version: number;
  name: string;
}

/**
 * Applies `NNN_name.sql` files in order, each inside its own transaction, and records them in
 * schema_migrations. A failing migration rolls back alone and stops the run with its file name.
 */
export function applyMigrations(db: Database.Database, dir: string): AppliedMigration[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const done = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((row) => (row as { version: number }).version),
  );
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const applied: AppliedMigration[] = [];
  const seen = new Set<number>();
  for (const file of files) {
    const match = MIGRATION_FILE.exec(file);
    if (!match?.[1] || !match[2]) throw new Error(`migration file "${file}" must be named NNN_name.sql`);
    const version = Number(match[1]);
    if (seen.has(version)) throw new Error(`two migrations share version ${match[1]}`);
    seen.add(version);
    if (done.has(version)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    const run = db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        version,
        match[2],
        new Date().toISOString(),
      );
    });
    try {
      run();
    } catch (error) {
      throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
    }
    applied.push({ version, name: match[2] });
  }
  return applied;
}
