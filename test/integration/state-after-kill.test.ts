/**
 * Detector state after `kill -9`: a Vigil process is SIGKILLed in the middle of a state checkpoint,
 * restarted on the same SQLite file after two minutes down, SIGKILLed again between cycles,
 * restarted again; a reference process runs the same cycles without stopping. Afterwards every
 * series' state is the same, byte for byte, and so are the stored anomalies: the restarts replay
 * the points after each series' checkpoint (see create-state-checkpoints.ts) and store no anomaly
 * twice. Real processes, real Prometheus (backfilled with promtool), real SQLite files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointIntervalMs } from '../../src/pipeline/create-state-checkpoints.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { crashTestConfig } from '../helpers/pod-latency-config.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import type { CycleRunSpec, StateDump } from '../helpers/run-vigil-cycles.js';

const PODS = 300;
/** Pods that stop reporting early: their absence is reported (once) before the first kill. */
const SILENCED = 4;
const CYCLES = 24;
const HISTORY_MINUTES = 60;

interface Run {
  child: ChildProcess;
  /** Cycles the child said it finished. */
  done: number[];
  /** Series saved per cycle (by the cycle's checkpoint or a recalibration after it). */
  saved: Map<number, number>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

function runCycles(spec: CycleRunSpec, onCycle?: (n: number, run: Run) => void): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/run-vigil-cycles.ts', JSON.stringify(spec)], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const run: Run = {
    child,
    done: [],
    saved: new Map(),
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    stderr: () => err,
  };
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    let nl = out.indexOf('\n');
    while (nl >= 0) {
      const line = out.slice(0, nl);
      const match = /^cycle (\d+) done$/.exec(line);
      const saved = /^saved (\d+) series in cycle (\d+)$/.exec(line);
      out = out.slice(nl + 1);
      if (saved) run.saved.set(Number(saved[2]), (run.saved.get(Number(saved[2])) ?? 0) + Number(saved[1]));
      if (match) {
        run.done.push(Number(match[1]));
        onCycle?.(Number(match[1]), run);
      }
      nl = out.indexOf('\n');
    }
  });
  return run;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function anomalies(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM anomalies ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
}

describe('detector state after kill -9', () => {
  let prometheus: RealPrometheus;
  // One Slack double per installation: the two must not see each other's cards.
  let slack: FakeSlack;
  let referenceSlack: FakeSlack;
  let dir: string;
  // Cycle 0 an hour after the start of the history, all of it in the past, on a boundary of the
  // checkpoint interval: which series' turn comes in which cycle then never depends on the hour the
  // test runs at (it did: some hours cycle 12's share fit in one write transaction, and the kill
  // in it cut nothing short).
  const intervalMs = checkpointIntervalMs(crashTestConfig('http://unused').detection, 60);
  const firstCycleMs = Math.floor((Date.now() - 3 * 3_600_000) / intervalMs) * intervalMs;

  beforeAll(async () => {
    const start = firstCycleMs / 1000 - HISTORY_MINUTES * 60;
    const series: GaugeSeries[] = [];
    for (let pod = 0; pod < PODS; pod += 1) {
      const points: Array<[number, number]> = [];
      // Prometheus still answers a gauge 5 minutes after its last sample: silent from cycle 5 on,
      // reported absent 5 minutes later, before the first kill.
      const last = pod < SILENCED ? HISTORY_MINUTES : HISTORY_MINUTES + CYCLES;
      for (let m = 0; m <= last; m += 1) {
        // Noise, a step for some pods and spikes around both kills, so episodes are open then.
        let v = 0.2 + (((pod * 31 + m * 17) % 23) - 11) * 0.002;
        if (pod % 10 === 0 && m >= HISTORY_MINUTES + 10) v += 0.05;
        if (pod % 7 === 0 && (m === HISTORY_MINUTES + 11 || m === HISTORY_MINUTES + 17)) v *= 3;
        points.push([start + m * 60, Math.round(v * 1e6) / 1e6]);
      }
      series.push({ name: 'pod_latency', labels: { service: 'api', pod: `api-${pod}` }, points });
    }
    prometheus = await startRealPrometheus(series);
    slack = await startFakeSlack({ channels: ['#core', '#vigil-alerts'] });
    referenceSlack = await startFakeSlack({ channels: ['#core', '#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-kill-'));
  }, 120_000);

  afterAll(async () => {
    await slack?.close();
    await referenceSlack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('restarts continue every series bit for bit and store no anomaly twice', async () => {
    const base = { prometheusUrl: prometheus.url, firstCycleMs, recalibrateAfter: 5 };
    const reference = {
      ...base,
      slackApiUrl: referenceSlack.apiUrl,
      dbPath: join(dir, 'reference.db'),
      dumpPath: join(dir, 'reference.json'),
    };
    const crashed = {
      ...base,
      slackApiUrl: slack.apiUrl,
      dbPath: join(dir, 'crashed.db'),
      dumpPath: join(dir, 'crashed.json'),
    };

    const ref = runCycles({ ...reference, cycles: range(0, CYCLES) });

    // 1. Killed by itself after the first write transaction of cycle 12's checkpoint.
    const first = runCycles({ ...crashed, cycles: range(0, CYCLES), killInCheckpointOf: 12 });
    expect(await first.exit, first.stderr()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(first.done).toEqual(range(0, 12));
    const partly = first.saved.get(12) ?? 0;
    expect(partly).toBeGreaterThan(0);

    // 2. Back two minutes later (cycles 13 and 14 never run), SIGKILLed from outside after cycle 17.
    const second = runCycles({ ...crashed, cycles: range(15, CYCLES) }, (n, run) => {
      if (n === 17) run.child.kill('SIGKILL');
    });
    expect((await second.exit).signal).toBe('SIGKILL');
    const resumeAt = Math.max(...second.done) + 1;
    expect(resumeAt).toBeGreaterThanOrEqual(18);

    // 3. Back again, runs to the end.
    const third = runCycles({ ...crashed, cycles: range(resumeAt, CYCLES) });
    const thirdExit = await third.exit;
    expect(thirdExit, third.stderr()).toEqual({ code: 0, signal: null });
    const refExit = await ref.exit;
    expect(refExit, ref.stderr()).toEqual({ code: 0, signal: null });

    // The kill did cut a checkpoint short: the reference saved more series in cycle 12.
    expect(ref.saved.get(12)).toBeGreaterThan(partly);
    // Checkpoints are shares: no cycle but the recalibration's saved every series (the graceful
    // stop at the end, counted as cycle -1, saves what changed since).
    expect(Math.max(...[...ref.saved].filter(([n]) => n >= 0 && n !== 5).map(([, count]) => count))).toBeLessThan(
      PODS / 3,
    );

    const want = JSON.parse(readFileSync(reference.dumpPath, 'utf8')) as StateDump;
    const got = JSON.parse(readFileSync(crashed.dumpPath, 'utf8')) as StateDump;
    expect(Object.keys(want.state)).toHaveLength(PODS);
    const differing = Object.keys(want.state).filter((key) => got.state[key] !== want.state[key]);
    expect(differing).toEqual([]);
    expect(got.minScores).toEqual(want.minScores);

    const wantAnomalies = anomalies(reference.dbPath);
    const gotAnomalies = anomalies(crashed.dbPath);
    // Spikes, the step and the absences of the silenced pods were all found, once each.
    expect(wantAnomalies.length).toBeGreaterThan(PODS / 7);
    expect(gotAnomalies).toEqual(wantAnomalies);
    const absences = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return (db.prepare("SELECT COUNT(*) AS n FROM anomalies WHERE detector = 'absent'").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(absences(reference.dbPath)).toBe(SILENCED);
    expect(absences(crashed.dbPath)).toBe(SILENCED);
  }, 180_000);
});
