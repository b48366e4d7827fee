/**
 * Streams the fleet's history to an OpenMetrics file for `promtool tsdb create-blocks-from
 * openmetrics`: one metric family after another, each series' samples contiguous and in time order,
 * timestamps in seconds, `# EOF` last (see /work/shared/TESTING.md). Never held in memory: at 100 000
 * series it is gigabytes, so each series is built and written on its own, waiting for 'drain'.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type BenchSignal, type Fleet, type FleetService, SIGNALS } from './build-fleet.js';

export interface Timeline {
  /** Unix seconds. Coarse points from historyStart (inclusive) to recentStart (exclusive)... */
  historyStart: number;
  coarseStep: number;
  /** ...then fine points from recentStart to end (inclusive). */
  recentStart: number;
  fineStep: number;
  end: number;
  /** The faulty service degrades here; each caller `callerLagSeconds` later per call away. */
  faultAt: number;
  callerLagSeconds: number;
}

export interface HistoryStats {
  lines: number;
  bytes: number;
}

const DAY = 86_400;

/** xorshift32: cheap, deterministic noise in [-0.5, 0.5) per series, so runs are comparable. */
function noiseSource(seed: number): () => number {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296 - 0.5;
  };
}

/** A daily curve peaking mid-afternoon UTC, a little lower at weekends. */
function season(t: number): number {
  const day = Math.sin((2 * Math.PI * ((t % DAY) - 9 * 3600)) / DAY);
  const weekday = Math.floor(t / DAY + 4) % 7; // 1970-01-01 was a Thursday: 0 = Sunday
  return day - (weekday === 0 || weekday === 6 ? 0.3 : 0);
}

/** Value of one signal of one pod at `t`; `faulty` is how many calls away from the fault's start, if at all. */
function valueAt(signal: BenchSignal['name'], base: number, t: number, n: number, degraded: number | null): string {
  const s = season(t);
  switch (signal) {
    case 'latency_p99': {
      const v = base * (1 + 0.25 * s) * (1 + 0.1 * n);
      return (degraded === null ? v : v * (degraded === 0 ? 4 : 2.2)).toFixed(5);
    }
    case 'error_rate': {
      const v = 0.0004 + 0.0003 * (n + 0.5);
      return (degraded === null ? v : degraded === 0 ? 0.08 + 0.01 * n : 0.02 + 0.005 * n).toFixed(6);
    }
    case 'request_rate':
      return (base * 400 * (1 + 0.4 * s) * (1 + 0.05 * n)).toFixed(2);
    case 'cpu': {
      const v = Math.min(1, 2 * base * (1 + 0.2 * s) + 0.03 * n);
      return (degraded === 0 ? Math.min(1, v + 0.35) : v).toFixed(4);
    }
  }
}

export async function writeHistory(path: string, fleet: Fleet, timeline: Timeline): Promise<HistoryStats> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let lines = 0;
  let bytes = 0;
  const write = async (chunk: string) => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  const times: number[] = [];
  for (let t = timeline.historyStart; t < timeline.recentStart; t += timeline.coarseStep) times.push(t);
  for (let t = timeline.recentStart; t <= timeline.end; t += timeline.fineStep) times.push(t);
  try {
    for (const [si, signal] of SIGNALS.entries()) {
      await write(`# TYPE ${signal.metric} gauge\n`);
      for (let p = 0; p < fleet.pods.length; p += 1) {
        const service = fleet.services[fleet.podService[p] as number] as FleetService;
        const prefix = `${signal.metric}{namespace="${service.namespace}",service="${service.name}",pod="${fleet.pods[p]}"} `;
        const noise = noiseSource(p * SIGNALS.length + si + 1);
        // Each pod its own level: 0.08..0.28 (seconds for latency, scaled per signal in valueAt).
        const base = 0.08 + 0.2 * (noise() + 0.5);
        const degradedFrom =
          service.faultDepth === undefined ? null : timeline.faultAt + service.faultDepth * timeline.callerLagSeconds;
        let chunk = '';
        for (const t of times) {
          const degraded = degradedFrom !== null && t >= degradedFrom ? (service.faultDepth as number) : null;
          chunk += `${prefix}${valueAt(signal.name, base, t, noise(), degraded)} ${t}\n`;
        }
        lines += times.length;
        await write(chunk);
      }
    }
    await write('# EOF\n');
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { lines, bytes };
}
