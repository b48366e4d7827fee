import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import type { MetricSample } from '../../src/contracts/index.js';
import { createDetectionEngine, type DetectionEngine } from '../../src/detection/create-detection-engine.js';
import { placesFree } from '../../src/detection/create-series-detector.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';
import { checkpointIntervalMs, createStateCheckpoints } from '../../src/pipeline/create-state-checkpoints.js';
import { warmupWindowMs } from '../../src/pipeline/warmup-window-ms.js';
import { createDetectorStateRepo, type DetectorStateRepo } from '../../src/storage/detector-state-repo.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { columnsOf } from '../helpers/columns-of.js';

const T0 = Date.parse('2026-04-21T00:00:00Z');
const STEP = 60_000;
const SERIES = 200;
const INTERVAL = 10 * STEP;

function points(minute: number, services = SERIES): MetricSample[] {
  return Array.from({ length: services }, (_, i) => ({
    timestamp: new Date(T0 + minute * STEP).toISOString(),
    service: `svc-${i}`,
    namespace: 'shop',
    metric_name: 'latency_p99',
    value: 100 + ((i * 7 + minute * 13) % 17),
  }));
}

describe('detector state checkpoints', () => {
  let db: Db;
  let repo: DetectorStateRepo;
  let engine: DetectionEngine;
  beforeEach(() => {
    db = openDatabase(':memory:');
    repo = createDetectorStateRepo(db);
    engine = createDetectionEngine({
      detection: DetectionConfigSchema.parse({ window_points: 30, min_points: 5, absent_after_seconds: 300 }),
      stepSeconds: 60,
      signals: [],
    });
  });
  afterEach(() => db.close());

  const savedLastTs = () =>
    new Map(
      (
        db.prepare('SELECT series_key, last_ts FROM series_state').all() as Array<{
          series_key: string;
          last_ts: number;
        }>
      ).map((r) => [r.series_key, r.last_ts]),
    );

  it('saves each series once per interval, a like share every cycle, never further behind than the interval', async () => {
    const checkpoints = createStateCheckpoints({ engine, repo, intervalMs: INTERVAL });
    const perCycle: number[] = [];
    for (let minute = 0; minute < 40; minute += 1) {
      const { touched } = engine.ingest(columnsOf(points(minute)), { coldStartEmitAfterMs: 0 });
      const report = await checkpoints.afterCycle(touched, T0 + minute * STEP);
      perCycle.push(report.series);
      const lastTs = savedLastTs();
      if (minute >= 10) {
        // Every series has a saved state, at most an interval (plus the cycle) behind its last point.
        expect(lastTs.size).toBe(SERIES);
        for (const ts of lastTs.values()) expect(T0 + minute * STEP - ts).toBeLessThanOrEqual(INTERVAL);
      }
    }
    // Nothing the first cycle (no series has had a turn yet), then about SERIES / 10 a cycle.
    expect(perCycle[0]).toBe(0);
    const steady = perCycle.slice(10);
    expect(steady.reduce((a, b) => a + b, 0)).toBe(3 * SERIES);
    expect(Math.max(...steady)).toBeLessThan(SERIES / 10 + 20);
    expect(Math.min(...steady)).toBeGreaterThan(SERIES / 10 - 20);
  });

  it('an absence reported is saved in the same cycle, whatever the turn', async () => {
    const checkpoints = createStateCheckpoints({ engine, repo, intervalMs: INTERVAL });
    for (let minute = 0; minute < 3; minute += 1) {
      const { touched } = engine.ingest(columnsOf(points(minute, 3)), { coldStartEmitAfterMs: 0 });
      await checkpoints.afterCycle(touched, T0 + minute * STEP);
    }
    // Not all three have had their turn in three minutes of a ten-minute interval.
    expect(savedLastTs().size).toBeLessThan(3);
    const now = T0 + 9 * STEP;
    expect(engine.absent(now, new Set(['latency_p99']))).toHaveLength(3);
    expect((await checkpoints.afterCycle([], now)).series).toBe(3);
    const restored = createDetectionEngine({
      detection: DetectionConfigSchema.parse({ window_points: 30, min_points: 5, absent_after_seconds: 300 }),
      stepSeconds: 60,
      signals: [],
    });
    restored.importSeries(repo.loadAll());
    expect(restored.absent(now + STEP, new Set(['latency_p99']))).toEqual([]);
  });

  it('forgets series silent past forget_after_seconds: out of memory and the store, their places reused', async () => {
    const detection = DetectionConfigSchema.parse({
      window_points: 30,
      min_points: 5,
      absent_after_seconds: 300,
      forget_after_seconds: 3600,
    });
    engine = createDetectionEngine({ detection, stepSeconds: 60, signals: [] });
    const checkpoints = createStateCheckpoints({ engine, repo, intervalMs: INTERVAL });
    const latency = new Set(['latency_p99']);
    // Ten services for 20 minutes, then only the first five (the others' pods were replaced).
    for (let minute = 0; minute < 100; minute += 1) {
      const { touched } = engine.ingest(columnsOf(points(minute, minute < 20 ? 10 : 5)), { coldStartEmitAfterMs: 0 });
      const now = T0 + minute * STEP;
      engine.absent(now, latency);
      // A signal whose query failed tells nothing about its series: none is forgotten for it.
      expect(engine.forget(now, new Set())).toEqual([]);
      const forgotten = engine.forget(now, latency);
      // The five silent since minute 19 go once an hour has passed, all in one cycle.
      expect(forgotten).toHaveLength(minute === 79 ? 5 : 0);
      await checkpoints.afterCycle(touched, now, forgotten);
    }
    expect(engine.seriesCount()).toBe(5);
    expect([...savedLastTs().keys()].sort()).toEqual(engine.keys().sort());
    // One that comes back starts cold, in a place a forgotten series gave back.
    const options = seriesDetectorOptions(detection, STEP, undefined);
    const free = placesFree(options);
    expect(free).toBeGreaterThanOrEqual(5);
    const back = engine.ingest(columnsOf(points(100, 10).slice(5)), { coldStartEmitAfterMs: 0 });
    expect(back.touched).toHaveLength(5);
    expect(engine.seriesCount()).toBe(10);
    expect(placesFree(options)).toBe(free - 5);
    for (const key of back.touched) expect(engine.detectorState(key)?.zscore.values).toHaveLength(1);
    // A restart restores only the series saved since: the five forgotten ones are not in the store.
    const restored = createDetectionEngine({ detection, stepSeconds: 60, signals: [] });
    expect(restored.importSeries(repo.loadAll()).restored).toBe(5);
  });

  it('writes in slices and gives the event loop a turn between two', async () => {
    engine.ingest(columnsOf(points(0)), { coldStartEmitAfterMs: 0 });
    for (const key of engine.keys()) engine.replaceSeasonal(key, engine.detectorState(key)?.seasonal ?? null);
    // A slice budget no write fits in: one series per slice.
    const checkpoints = createStateCheckpoints({ engine, repo, intervalMs: INTERVAL, sliceMs: 0.0001 });
    let turns = 0;
    const tick = () => {
      turns += 1;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const report = await checkpoints.saveUnreplayable(T0);
    expect(report.series).toBe(SERIES);
    expect(report.slices).toBeGreaterThan(SERIES / 2);
    expect(turns).toBeGreaterThan(SERIES / 2);
    expect(repo.stateSize()).toEqual({ series: SERIES, bytes: report.bytes });
  });

  it('a failed write keeps what a replay cannot redo for the next cycle', async () => {
    engine.ingest(columnsOf(points(0, 2)), { coldStartEmitAfterMs: 0 });
    engine.absent(T0 + 9 * STEP, new Set(['latency_p99']));
    let fail = true;
    const flaky: Pick<DetectorStateRepo, 'save' | 'remove'> = {
      save: (list, at) => {
        if (fail) throw new Error('SQLITE_FULL: database or disk is full');
        repo.save(list, at);
      },
      remove: (keys) => repo.remove(keys),
    };
    const checkpoints = createStateCheckpoints({ engine, repo: flaky, intervalMs: INTERVAL });
    await expect(checkpoints.afterCycle([], T0 + 9 * STEP)).rejects.toThrow(/SQLITE_FULL/);
    fail = false;
    expect((await checkpoints.afterCycle([], T0 + 10 * STEP)).series).toBe(2);
  });

  it('at a graceful stop, every series changed since its last save is saved: the next start needs no replay', async () => {
    const checkpoints = createStateCheckpoints({ engine, repo, intervalMs: INTERVAL });
    for (let minute = 0; minute < 14; minute += 1) {
      const { touched } = engine.ingest(columnsOf(points(minute)), { coldStartEmitAfterMs: 0 });
      await checkpoints.afterCycle(touched, T0 + minute * STEP);
    }
    const behind = [...savedLastTs().values()].filter((ts) => ts < T0 + 13 * STEP).length;
    expect(behind).toBeGreaterThan(SERIES / 2);
    expect((await checkpoints.saveChanged(T0 + 13 * STEP)).series).toBe(behind);
    const restored = createDetectionEngine({
      detection: DetectionConfigSchema.parse({ window_points: 30, min_points: 5, absent_after_seconds: 300 }),
      stepSeconds: 60,
      signals: [],
    });
    expect(restored.importSeries(repo.loadAll()).restored).toBe(SERIES);
    // Byte for byte (the store returns the series in the order of their first save).
    const bytes = (e: DetectionEngine) =>
      new Map(e.exportSeries().map((x) => [x.key, Buffer.from(x.state).toString('base64')]));
    expect(bytes(restored)).toEqual(bytes(engine));
    expect((await checkpoints.saveChanged(T0 + 13 * STEP)).series).toBe(0);
  });

  it('the interval is a quarter of the warm-up window a restart replays', () => {
    const detection = DetectionConfigSchema.parse({});
    expect(warmupWindowMs(detection, 60)).toBe((120 * 60 + 300) * 1000);
    expect(checkpointIntervalMs(detection, 60)).toBe(1_875_000);
  });
});
