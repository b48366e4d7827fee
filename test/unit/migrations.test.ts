/**
 * The database: a fresh file gets the whole schema with WAL and foreign keys; migrations apply
 * once, in order, each in its own transaction; a broken one rolls back alone and names its file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, defaultMigrationsDir } from '../../src/storage/apply-migrations.js';
import { createDetectorStateRepo } from '../../src/storage/detector-state-repo.js';
import { createFeedbackRepo } from '../../src/storage/feedback-repo.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';

let dir: string;
const open: Db[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-db-'));
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function track<T extends Db>(db: T): T {
  open.push(db);
  return db;
}

function tableNames(db: Db): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
  ).map((r) => r.name);
}

function migrationRows(db: Db): Array<{ version: number; name: string; applied_at: string }> {
  return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as Array<{
    version: number;
    name: string;
    applied_at: string;
  }>;
}

/** A private migrations folder with the given files. */
function migrationsDir(files: Record<string, string>): string {
  const path = join(dir, `migrations-${Object.keys(files).length}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(path, name), sql);
  return path;
}

function insertIncident(db: Db, id: string): void {
  db.prepare(
    `INSERT INTO incidents (id, fingerprint, status, severity, namespace, team, channel, services_json,
       hypothesis_json, created_at, updated_at, last_anomaly_at)
     VALUES (?, ?, 'open', 'high', 'shop', 'payments', '#team-payments', '["payments"]', '{}', ?, ?, ?)`,
  ).run(id, `fp-${id}`, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
}

function insertFeedback(db: Db, incidentId: string): void {
  db.prepare(
    `INSERT INTO feedback (incident_id, slack_user, label, source, created_at)
     VALUES (?, 'U123', 'useful', 'reaction', '2025-01-01T00:00:00.000Z')`,
  ).run(incidentId);
}

describe('openDatabase', () => {
  it('creates every table on a fresh file with WAL and foreign keys on', () => {
    const db = track(openDatabase(join(dir, 'vigil.db')));
    expect(tableNames(db)).toEqual(
      expect.arrayContaining([
        'anomalies',
        'incidents',
        'incident_anomalies',
        'feedback',
        'detection_cycles',
        'schema_migrations',
        'series_state',
        'series_calibration',
        'calibration_changes',
        'recalibration_runs',
        'incident_transitions',
        'ops_events',
        'remediation_requests',
        'remediation_audit',
        'series_feedback',
        'feedback_calibration_changes',
        'shadow_incidents',
        'champion_changes',
        'shadow_challengers',
        'silences',
        'incident_series',
      ]),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const rows = migrationRows(db);
    expect(rows.map(({ version, name }) => ({ version, name }))).toEqual([
      { version: 1, name: 'init' },
      { version: 2, name: 'detector_state' },
      { version: 3, name: 'incident_lifecycle' },
      { version: 4, name: 'remediation' },
      { version: 5, name: 'card_delivery' },
      { version: 6, name: 'incident_summaries' },
      { version: 7, name: 'detector_state_bytes' },
      { version: 8, name: 'feedback_labels' },
      { version: 9, name: 'scorecard' },
      { version: 10, name: 'feedback_calibration' },
      { version: 11, name: 'backtest_scope_index' },
      { version: 12, name: 'shadow_detectors' },
      { version: 13, name: 'alertmanager_alerts' },
      { version: 16, name: 'silences' },
      { version: 17, name: 'anomalies_series_ts' },
      { version: 18, name: 'incident_series' },
    ]);
    expect(Number.isNaN(Date.parse(rows[0]?.applied_at ?? ''))).toBe(false);
  });

  it('re-opening the same file applies nothing twice', () => {
    const path = join(dir, 'vigil.db');
    const first = track(openDatabase(path));
    insertIncident(first, 'inc-1');
    first.close();

    const second = track(openDatabase(path));
    expect(applyMigrations(second, defaultMigrationsDir())).toEqual([]);
    expect(migrationRows(second)).toHaveLength(16);
    // The data written before survives: nothing was re-created.
    expect(second.prepare('SELECT id FROM incidents').all()).toEqual([{ id: 'inc-1' }]);
  });

  it('applyMigrations returns what it applied, then nothing on a second run', () => {
    const db = track(new Database(join(dir, 'plain.db')));
    expect(applyMigrations(db, defaultMigrationsDir())).toEqual([
      { version: 1, name: 'init' },
      { version: 2, name: 'detector_state' },
      { version: 3, name: 'incident_lifecycle' },
      { version: 4, name: 'remediation' },
      { version: 5, name: 'card_delivery' },
      { version: 6, name: 'incident_summaries' },
      { version: 7, name: 'detector_state_bytes' },
      { version: 8, name: 'feedback_labels' },
      { version: 9, name: 'scorecard' },
      { version: 10, name: 'feedback_calibration' },
      { version: 11, name: 'backtest_scope_index' },
      { version: 12, name: 'shadow_detectors' },
      { version: 13, name: 'alertmanager_alerts' },
      { version: 16, name: 'silences' },
      { version: 17, name: 'anomalies_series_ts' },
      { version: 18, name: 'incident_series' },
    ]);
    expect(applyMigrations(db, defaultMigrationsDir())).toEqual([]);
  });

  it('an installation with JSON detector state upgrades to bytes: the JSON rows go, calibrations stay', () => {
    const all = defaultMigrationsDir();
    const before = migrationsDir(
      Object.fromEntries(
        [
          '001_init.sql',
          '002_detector_state.sql',
          '003_incident_lifecycle.sql',
          '004_remediation.sql',
          '005_card_delivery.sql',
        ].map((f) => [f, readFileSync(join(all, f), 'utf8')]),
      ),
    );
    const path = join(dir, 'old.db');
    const old = track(new Database(path));
    applyMigrations(old, before);
    old
      .prepare(
        "INSERT INTO detector_state VALUES ('shop/api/latency_p99', 'latency_p99', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
      )
      .run();
    old.prepare("INSERT INTO series_calibration VALUES ('shop/api/latency_p99', 0.9995, '2026-01-01T00:00:00Z')").run();
    old.close();
    const db = track(openDatabase(path));
    expect(migrationRows(db).map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 18]);
    expect(tableNames(db)).not.toContain('detector_state');
    const repo = createDetectorStateRepo(db);
    expect(repo.loadAll()).toEqual([]);
    expect(repo.calibrations()).toEqual(new Map([['shop/api/latency_p99', 0.9995]]));
  });

  it('keeps the remediation audit log append-only', () => {
    const db = track(openDatabase(join(dir, 'vigil.db')));
    db.prepare(
      `INSERT INTO remediation_audit (at, actor, event) VALUES ('2026-11-21T00:00:00Z', 'U1', 'requested')`,
    ).run();
    expect(() => db.prepare(`UPDATE remediation_audit SET actor = 'U2'`).run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM remediation_audit').run()).toThrow(/append-only/);
    expect(db.prepare('SELECT actor FROM remediation_audit').all()).toEqual([{ actor: 'U1' }]);
  });

  it('an installation with several labels per person keeps the newest one each, renamed to the new labels', () => {
    const all = defaultMigrationsDir();
    const before = migrationsDir(
      Object.fromEntries(
        readdirSync(all)
          .filter((f) => f < '008')
          .map((f) => [f, readFileSync(join(all, f), 'utf8')]),
      ),
    );
    const path = join(dir, 'old.db');
    const old = track(new Database(path));
    applyMigrations(old, before);
    insertIncident(old, 'inc-1');
    old
      .prepare(`INSERT INTO anomalies (id, series_key, service, namespace, metric_name, detector, ts, value, expected,
        lower_bound, upper_bound, score, direction, event_json, recorded_at)
      VALUES ('a1', 'shop/payments/latency_p99', 'payments', 'shop', 'latency_p99', 'robust_mad',
        '2025-01-01T00:00:00.000Z', 2, 1, 0, 1.5, 0.99, 'up', '{}', '2025-01-01T00:00:00.000Z')`)
      .run();
    old.prepare("INSERT INTO incident_anomalies (incident_id, anomaly_id) VALUES ('inc-1', 'a1')").run();
    const give = old.prepare(`INSERT INTO feedback (incident_id, slack_user, label, source, created_at)
      VALUES ('inc-1', ?, ?, ?, '2025-01-01T00:00:00.000Z')`);
    give.run('U1', 'useful', 'reaction');
    give.run('U1', 'wrong_cause', 'button');
    give.run('U2', 'noisy', 'reaction');
    old.close();

    const db = track(openDatabase(path));
    const feedback = createFeedbackRepo(db);
    expect(feedback.listForIncident('inc-1')).toEqual([
      expect.objectContaining({ slack_user: 'U1', label: 'wrong_start', source: 'menu', detectors: ['robust_mad'] }),
      expect.objectContaining({
        slack_user: 'U2',
        label: 'noisy',
        source: 'reaction',
        series: ['shop/payments/latency_p99'],
      }),
    ]);
  });

  it('rejects feedback for an unknown incident (foreign key)', () => {
    const db = track(openDatabase(join(dir, 'vigil.db')));
    expect(() => insertFeedback(db, 'no-such-incident')).toThrow(/FOREIGN KEY constraint failed/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM feedback').get()).toEqual({ n: 0 });

    insertIncident(db, 'inc-1');
    insertFeedback(db, 'inc-1');
    expect(db.prepare('SELECT COUNT(*) AS n FROM feedback').get()).toEqual({ n: 1 });
    // ON DELETE CASCADE: feedback goes with its incident.
    db.prepare('DELETE FROM incidents WHERE id = ?').run('inc-1');
    expect(db.prepare('SELECT COUNT(*) AS n FROM feedback').get()).toEqual({ n: 0 });
  });

  it('rejects an incident_anomalies link to an unknown anomaly (foreign key)', () => {
    const db = track(openDatabase(join(dir, 'vigil.db')));
    insertIncident(db, 'inc-1');
    expect(() =>
      db.prepare('INSERT INTO incident_anomalies (incident_id, anomaly_id) VALUES (?, ?)').run('inc-1', 'ghost'),
    ).toThrow(/FOREIGN KEY constraint failed/);
  });

  it('gives a private in-memory database for ":memory:"', () => {
    const db = track(openDatabase(':memory:'));
    expect(tableNames(db)).toContain('incidents');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('applyMigrations with a broken migration', () => {
  it('keeps the first applied and recorded, rolls the second back entirely, and names the file', () => {
    const migrations = migrationsDir({
      '001_first.sql': 'CREATE TABLE first_table (id INTEGER PRIMARY KEY);',
      '002_broken.sql':
        'CREATE TABLE created_before_error (id INTEGER PRIMARY KEY);\n' +
        'INSERT INTO first_table (id) VALUES (42);\n' +
        'CREATE TABLE oops (id INTEGER PRIMARY KEY;\n',
      '003_never.sql': 'CREATE TABLE never_reached (id INTEGER);',
    });
    const db = track(new Database(join(dir, 'broken.db')));

    let error: unknown;
    try {
      applyMigrations(db, migrations);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('002_broken.sql');
    expect((error as Error).message).toMatch(/^migration 002_broken\.sql failed: /);
    expect((error as Error).cause).toBeInstanceOf(Error);

    const tables = tableNames(db);
    expect(tables).toContain('first_table');
    expect(tables).not.toContain('created_before_error');
    expect(tables).not.toContain('oops');
    expect(tables).not.toContain('never_reached');
    // The insert inside the broken file was rolled back too.
    expect(db.prepare('SELECT COUNT(*) AS n FROM first_table').get()).toEqual({ n: 0 });
    expect(migrationRows(db).map((r) => r.version)).toEqual([1]);
    expect(migrationRows(db)[0]?.name).toBe('first');
    expect(db.inTransaction).toBe(false);
  });

  it('applies the rest once the broken file is fixed, without re-running the first', () => {
    const files = {
      '001_first.sql': 'CREATE TABLE first_table (id INTEGER PRIMARY KEY);',
      '002_second.sql': 'CREATE TABLE second_table (id INTEGER PRIMARY KEY;',
    };
    const db = track(new Database(join(dir, 'fix.db')));
    const broken = migrationsDir(files);
    expect(() => applyMigrations(db, broken)).toThrow(/002_second\.sql/);

    const fixed = migrationsDir({ ...files, '002_second.sql': 'CREATE TABLE second_table (id INTEGER PRIMARY KEY);' });
    // Re-running 001 would fail with "table first_table already exists".
    expect(applyMigrations(db, fixed)).toEqual([{ version: 2, name: 'second' }]);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['first_table', 'second_table']));
  });

  it('applies files in version order regardless of creation order', () => {
    const migrations = migrationsDir({
      '002_add_column.sql': 'ALTER TABLE t ADD COLUMN extra TEXT;',
      '001_create.sql': 'CREATE TABLE t (id INTEGER PRIMARY KEY);',
    });
    const db = track(new Database(join(dir, 'order.db')));
    expect(applyMigrations(db, migrations)).toEqual([
      { version: 1, name: 'create' },
      { version: 2, name: 'add_column' },
    ]);
  });

  it('rejects a badly named migration file before applying anything', () => {
    const migrations = migrationsDir({ '1_init.sql': 'CREATE TABLE t (id INTEGER);' });
    const db = track(new Database(join(dir, 'badname.db')));
    expect(() => applyMigrations(db, migrations)).toThrow('migration file "1_init.sql" must be named NNN_name.sql');
    expect(tableNames(db)).not.toContain('t');
  });

  it('rejects upper-case or dashed names too', () => {
    const db = track(new Database(join(dir, 'badname2.db')));
    expect(() => applyMigrations(db, migrationsDir({ '001_Init.sql': 'SELECT 1;' }))).toThrow(/NNN_name\.sql/);
    expect(() => applyMigrations(db, migrationsDir({ '001-init.sql': 'SELECT 1;' }))).toThrow(/NNN_name\.sql/);
  });

  it('rejects two migrations with the same version', () => {
    const migrations = migrationsDir({
      '001_a.sql': 'CREATE TABLE a (id INTEGER);',
      '001_b.sql': 'CREATE TABLE b (id INTEGER);',
    });
    const db = track(new Database(join(dir, 'dupversion.db')));
    expect(() => applyMigrations(db, migrations)).toThrow('two migrations share version 001');
  });

  it('ignores files that are not .sql', () => {
    const migrations = migrationsDir({
      '001_init.sql': 'CREATE TABLE t (id INTEGER);',
      'README.md': '# notes',
    });
    const db = track(new Database(join(dir, 'ignore.db')));
    expect(applyMigrations(db, migrations)).toEqual([{ version: 1, name: 'init' }]);
  });
});
