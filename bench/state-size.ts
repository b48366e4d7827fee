/**
 * What saving detector state costs at 10 000 series (issue 12, item 2): the SQLite file, a series'
 * blob, and what a cycle writes, before (every touched series as JSON, every cycle) and after
 * (bytes, a share of the series per cycle: create-state-checkpoints.ts). Default detection options,
 * 1-minute steps, seasonal profiles on.
 *
 *   npx tsx bench/state-size.ts [series]
 */

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectionConfigSchema } from '../src/config/config-schema.js';
import type { MetricSample } from '../src/contracts/index.js';
import { createDetectionEngine } from '../src/detection/create-detection-engine.js';
import { checkpointIntervalMs, createStateCheckpoints } from '../src/pipeline/create-state-checkpoints.js';
import { createDetectorStateRepo } from '../src/storage/detector-state-repo.js';
import { openDatabase } from '../src/storage/open-database.js';
import { columnsOf } from '../test/helpers/columns-of.js';

const SERIES = Number(process.argv[2] ?? 10_000);
const STEP_MS = 60_000;
const T0 = Date.parse('2026-04-20T00:00:00Z');
const WARM_MINUTES = 130;
const STEADY_CYCLES = 40;

const detection = DetectionConfigSchema.parse({});
const engine = createDetectionEngine({ detection, stepSeconds: 60, signals: [] });

function minute(m: number): MetricSample[] {
  const out: MetricSample[] = new Array(SERIES);
  const timestamp = new Date(T0 + m * STEP_MS).toISOString();
  for (let i = 0; i < SERIES; i += 1) {
    out[i] = {
      timestamp,
      service: `svc-${i % 100}`,
      namespace: 'prod',
      metric_name: 'latency_p99',
      value: 100 + 10 * Math.sin((m + i) / 30) + ((i * 7919 + m * 104729) % 1000) / 100,
      labels: { pod: `pod-${i}` },
    };
  }
  return out;
}

let touched: string[] = [];
for (let m = 0; m < WARM_MINUTES; m += 1)
  touched = engine.ingest(columnsOf(minute(m)), { coldStartEmitAfterMs: 0 }).touched;

const dir = mkdtempSync(join(tmpdir(), 'vigil-state-size-'));
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const fileSize = (path: string) =>
  statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);

// Before: every touched series' full state as JSON (migration 002's table), every cycle.
{
  const db = openDatabase(join(dir, 'before.db'));
  db.exec(`CREATE TABLE detector_state (series_key TEXT PRIMARY KEY, metric_name TEXT NOT NULL,
    state_json TEXT NOT NULL, last_ts TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  const upsert = db.prepare(`INSERT INTO detector_state (series_key, metric_name, state_json, last_ts, updated_at)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (series_key) DO UPDATE SET state_json = excluded.state_json,
    last_ts = excluded.last_ts, updated_at = excluded.updated_at`);
  let bytes = 0;
  const started = performance.now();
  db.transaction(() => {
    for (const key of touched) {
      const [s] = engine.exportSeries([key]);
      if (!s) continue;
      // The object the old exportSeries built: the engine's numbers (its 30 recent values are the
      // window's newest, its 120 gaps zeros here) and the detector's state().
      const detector = engine.detectorState(key);
      const json = JSON.stringify({
        key,
        identity: s.identity,
        lastTs: s.lastTs,
        firstTs: T0,
        seen: WARM_MINUTES,
        recent: detector?.zscore.values.slice(-30),
        gaps: new Array(detection.window_points).fill(0),
        absentReported: false,
        detector,
      });
      bytes += json.length;
      upsert.run(key, 'latency_p99', json, new Date(s.lastTs).toISOString(), new Date().toISOString());
    }
  })();
  const ms = performance.now() - started;
  db.pragma('wal_checkpoint(TRUNCATE)');
  console.log(
    `before: a cycle writes ${touched.length} series, ${mb(bytes)} of JSON (${Math.round(bytes / touched.length)} B/series) ` +
      `in ${ms.toFixed(0)} ms, one transaction; file ${mb(fileSize(join(dir, 'before.db')))}`,
  );
  db.close();
}

// After.
const path = join(dir, 'after.db');
const db = openDatabase(path);
const repo = createDetectorStateRepo(db);
const intervalMs = checkpointIntervalMs(detection, 60);
const checkpoints = createStateCheckpoints({ engine, repo, intervalMs });
const full = await checkpoints.saveUnreplayable(0).then(async () => {
  // Everything once (as after a recalibration), to size the file.
  const started = performance.now();
  const list = engine.exportSeries();
  const exportMs = performance.now() - started;
  repo.save(list, new Date().toISOString());
  return { series: list.length, bytes: list.reduce((n, s) => n + s.state.byteLength, 0), exportMs };
});
db.pragma('wal_checkpoint(TRUNCATE)');
console.log(
  `after: blob ${full.bytes / full.series} B/series (export of all ${full.series} in ${full.exportMs.toFixed(0)} ms); ` +
    `file ${mb(fileSize(path))} = ${Math.round(fileSize(path) / SERIES)} B/series`,
);

const cycles: Array<{ series: number; bytes: number; slices: number; ms: number }> = [];
for (let c = 0; c < STEADY_CYCLES; c += 1) {
  const m = WARM_MINUTES + c;
  const { touched: changed } = engine.ingest(columnsOf(minute(m)), { coldStartEmitAfterMs: 0 });
  cycles.push(await checkpoints.afterCycle(changed, T0 + m * STEP_MS));
}
const steady = cycles.slice(Math.ceil(intervalMs / STEP_MS) > STEADY_CYCLES ? 0 : 1);
const mean = (f: (c: (typeof cycles)[number]) => number) => steady.reduce((n, c) => n + f(c), 0) / steady.length;
const maxOf = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
const maxSlice = maxOf(steady.map((c) => c.ms / Math.max(1, c.slices)));
db.pragma('wal_checkpoint(TRUNCATE)');
console.log(
  `after: interval ${(intervalMs / 60_000).toFixed(2)} min; a cycle writes ${mean((c) => c.series).toFixed(0)} series ` +
    `(max ${maxOf(steady.map((c) => c.series))}), ${mb(mean((c) => c.bytes))} in ${mean((c) => c.ms).toFixed(1)} ms ` +
    `over ${mean((c) => c.slices).toFixed(1)} transactions (longest mean slice ${maxSlice.toFixed(1)} ms); ` +
    `file ${mb(fileSize(path))}; rss ${mb(process.memoryUsage().rss)}`,
);
db.close();
rmSync(dir, { recursive: true, force: true });
