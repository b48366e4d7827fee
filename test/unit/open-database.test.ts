/**
 * Who checkpoints the WAL, in real SQLite files: the Slack thread's connection (checkpoints: false)
 * never copies the WAL into the database on its commits; the detection thread's connection does.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/storage/open-database.js';

let dir: string;
const opened: Db[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-wal-'));
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const walBytes = () => statSync(join(dir, 'v.db-wal')).size;
const dbFileBytes = () => statSync(join(dir, 'v.db')).size;

/** Commits ~8 MB (over SQLite's 1 000-page checkpoint threshold) in 40 transactions. */
function writeMuch(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS blobs (k INTEGER PRIMARY KEY, b BLOB)');
  const put = db.prepare('INSERT OR REPLACE INTO blobs (k, b) VALUES (?, ?)');
  const blob = Buffer.alloc(10_000, 1);
  for (let t = 0; t < 40; t += 1)
    db.transaction(() => Array.from({ length: 20 }, (_, i) => put.run(t * 20 + i, blob)))();
}

it('a connection opened with checkpoints: false lets the WAL grow; one with the default checkpoints it', () => {
  const slack = openDatabase(join(dir, 'v.db'), { checkpoints: false });
  opened.push(slack);
  writeMuch(slack);
  // Nothing was copied back: the WAL holds every page written (8 MB of blobs).
  expect(walBytes()).toBeGreaterThan(8_000_000);
  expect(dbFileBytes()).toBeLessThan(1_000_000);

  const detection = openDatabase(join(dir, 'v.db'));
  opened.push(detection);
  detection.prepare('INSERT OR REPLACE INTO blobs (k, b) VALUES (?, ?)').run(0, Buffer.alloc(10, 2));
  // Its commit checkpointed: the pages are in the database file now.
  expect(dbFileBytes()).toBeGreaterThan(8_000_000);
});
