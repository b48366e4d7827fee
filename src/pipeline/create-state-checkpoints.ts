import { createHash } from 'node:crypto';
import type { DetectionConfig } from '../config/config-schema.js';
import type { DetectionEngine, PersistedSeries } from '../detection/create-detection-engine.js';
import { createBlobArena } from '../detection/series-state-blob.js';
import { createTimeSlicer, SLICE_MS } from '../event-loop/create-time-slicer.js';
import type { DetectorStateRepo } from '../storage/detector-state-repo.js';
import { warmupWindowMs } from './warmup-window-ms.js';

/**
 * How often each series' state is saved. A restart replays points: its first cycle reads the
 * warm-up window again (warmupWindowMs) and the engine skips the points at or before a series'
 * saved last point, so a series saved less than a warm-up window before the restart comes back
 * exactly as if the process had never stopped (a series' computation depends on its own points
 * only). Saving every series each cycle (~9 KB each, 90 MB a minute at 10 000 series) is then
 * waste: a quarter of the window leaves three quarters of it (over 90 minutes with the defaults)
 * for the process to be down before a replay can no longer fill the gap.
 */
export function checkpointIntervalMs(
  detection: Pick<DetectionConfig, 'window_points' | 'fresh_seconds'>,
  stepSeconds: number,
): number {
  return Math.floor(warmupWindowMs(detection, stepSeconds) / 4);
}

/** Series in the first write transaction of a save; later ones are sized to take about SLICE_MS. */
const FIRST_SLICE = 32;

export interface CheckpointReport {
  series: number;
  bytes: number;
  /** Write transactions (the event loop had a turn between two). */
  slices: number;
  ms: number;
}

export interface StateCheckpoints {
  /** Series restored from the store: saved as of their last point. */
  restored(series: readonly Pick<PersistedSeries, 'key' | 'lastTs'>[]): void;
  /**
   * After a cycle: deletes the state of the series the engine forgot, then saves the series whose
   * turn has come, and those changed beyond replay.
   */
  afterCycle(touched: readonly string[], nowMs: number, forgotten?: readonly string[]): Promise<CheckpointReport>;
  /** Saves the series changed beyond replay now (after a recalibration swapped their baselines). */
  saveUnreplayable(nowMs: number): Promise<CheckpointReport>;
  /**
   * Saves every series changed since it was last saved: at a graceful stop, so that the next start
   * continues exactly without a replay, however long the process stays down.
   */
  saveChanged(nowMs: number): Promise<CheckpointReport>;
}

export interface StateCheckpointOptions {
  engine: Pick<DetectionEngine, 'exportSeries' | 'takeUnreplayable'>;
  repo: Pick<DetectorStateRepo, 'save' | 'remove'>;
  intervalMs: number;
  /** For tests: how long a slice may take (ms). */
  sliceMs?: number;
}

interface Turn {
  /** Where in the interval this series' turn comes (ms), spread by a hash of its key. */
  phase: number;
  /** The interval (counted from the epoch, shifted by `phase`) in which it was last saved. */
  savedIn: number;
}

/**
 * Saves detector state a share at a time: each series once per interval, at a moment of the
 * interval of its own (so each cycle writes about the same number of series, never all at once),
 * and, at once, those whose change a replay cannot redo (see DetectionEngine.takeUnreplayable).
 * Writes go in transactions of at most ~SLICE_MS, with a turn of the event loop between two; a
 * crash between two loses nothing a replay cannot redo, as each series' row is whole.
 */
export function createStateCheckpoints(options: StateCheckpointOptions): StateCheckpoints {
  const { engine, repo, intervalMs } = options;
  const sliceMs = options.sliceMs ?? SLICE_MS;
  const turns = new Map<string, Turn>();
  /** Changed beyond replay and not saved yet (kept when a write fails). */
  const pending = new Set<string>();
  /** Changed by points since last saved. */
  const changed = new Set<string>();

  const turnOf = (key: string, savedAtMs: number): Turn => {
    const phase = (createHash('sha256').update(key).digest().readUInt32LE(0) / 2 ** 32) * intervalMs;
    const turn = { phase, savedIn: Math.floor((savedAtMs + phase) / intervalMs) };
    turns.set(key, turn);
    return turn;
  };

  // The blobs of one transaction are bound (copied by SQLite) and dropped: one buffer serves them all.
  const arena = createBlobArena();

  async function save(keys: readonly string[], nowMs: number): Promise<CheckpointReport> {
    const started = performance.now();
    const slicer = createTimeSlicer(sliceMs);
    const at = new Date(nowMs).toISOString();
    const report: CheckpointReport = { series: 0, bytes: 0, slices: 0, ms: 0 };
    let size = FIRST_SLICE;
    for (let i = 0; i < keys.length; ) {
      // A transaction cannot be paused: it is sized to the slice, and the loop gets a turn between two.
      if (report.slices > 0) await slicer.pause();
      const sliceStarted = performance.now();
      const slice = keys.slice(i, i + size);
      arena.reset();
      const list = engine.exportSeries(slice, arena.allocate);
      repo.save(list, at);
      i += slice.length;
      for (const key of slice) {
        pending.delete(key);
        changed.delete(key);
        const turn = turns.get(key) ?? turnOf(key, nowMs);
        turn.savedIn = Math.floor((nowMs + turn.phase) / intervalMs);
      }
      for (const s of list) report.bytes += s.state.byteLength;
      report.series += list.length;
      report.slices += 1;
      // The next slice sized to take about sliceMs at this one's pace (at most twice as many).
      const took = performance.now() - sliceStarted;
      size = Math.max(1, Math.min(2 * size, Math.floor((slice.length * sliceMs) / Math.max(took, 0.01))));
    }
    report.ms = Math.round((performance.now() - started) * 100) / 100;
    return report;
  }

  function takeUnreplayable(): string[] {
    for (const key of engine.takeUnreplayable()) pending.add(key);
    return [...pending];
  }

  return {
    restored(series) {
      for (const s of series) turnOf(s.key, s.lastTs);
    },
    async afterCycle(touched, nowMs, forgotten = []) {
      if (forgotten.length > 0) {
        // Gone from the engine: a row left behind would be restored at the next start.
        repo.remove(forgotten);
        for (const key of forgotten) {
          turns.delete(key);
          pending.delete(key);
          changed.delete(key);
        }
      }
      const due = new Set(takeUnreplayable());
      // A first cycle touches every series, each of which gets its turn hashed: at 100 000 series
      // that is a few hundred ms, handed out in slices like the rest of the cycle.
      const slicer = createTimeSlicer(sliceMs);
      for (const key of touched) {
        if (slicer.due()) await slicer.pause();
        changed.add(key);
        const turn = turns.get(key);
        // A series seen for the first time has its first turn within an interval.
        if (!turn) turnOf(key, nowMs);
        else if (Math.floor((nowMs + turn.phase) / intervalMs) > turn.savedIn) due.add(key);
      }
      return save([...due], nowMs);
    },
    saveUnreplayable: (nowMs) => save(takeUnreplayable(), nowMs),
    saveChanged: (nowMs) => save([...new Set([...takeUnreplayable(), ...changed])], nowMs),
  };
}
