/**
 * Throughput of the detection ensemble: npm run bench:detect [-- --series N --points N --slo]
 * Feeds synthetic series (a daily curve, noise, occasional spikes) point by point through the same
 * per-series detector the streaming tick uses, single-threaded, in two orders:
 *   - streaming: one point of every series per step, as the tick sees them (memory-bound: each
 *     point touches a different series' state);
 *   - batch: a whole day of one series, then the next (as replays and recalibration read history).
 * Prints points/s for each, the memory a series costs, and a reference speed of this machine.
 * Defaults: 10 000 series × one day at 1-minute steps.
 */
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DetectionConfigSchema, SignalConfigSchema } from '../src/config/config-schema.js';
import {
  createSeriesDetector,
  type SeriesDetector,
  seriesStateLayout,
} from '../src/detection/create-series-detector.js';
import { seriesDetectorOptions } from '../src/detection/series-detector-options.js';

const { values } = parseArgs({
  options: {
    series: { type: 'string', default: '10000' },
    points: { type: 'string', default: '1440' },
    slo: { type: 'boolean', default: false },
    /** Only one order (streaming or batch), e.g. to profile it. */
    order: { type: 'string', default: 'both' },
  },
});
const SERIES = Number(values.series);
const POINTS = Number(values.points);
const STEP_MS = 60_000;
const detection = DetectionConfigSchema.parse({});
const signal = values.slo
  ? SignalConfigSchema.parse({ name: 'error_rate', query: 'x', direction: 'up', slo: { objective: 0.999 } })
  : SignalConfigSchema.parse({ name: 'latency_p99', query: 'x', direction: 'both' });
const options = seriesDetectorOptions(detection, STEP_MS, signal);
const gc = (globalThis as { gc?: () => void }).gc;

// Deterministic inputs prepared up front, so the timing is the detectors' alone.
const NOISE = 4096;
const noise = new Float64Array(NOISE);
let seed = 42;
for (let i = 0; i < NOISE; i += 1) {
  seed = (seed * 16807) % 2147483647;
  noise[i] = seed / 2147483647 - 0.5;
}
const curve = new Float64Array(POINTS);
for (let t = 0; t < POINTS; t += 1) curve[t] = 100 + 30 * Math.sin((2 * Math.PI * t) / 1440);
const start0 = Date.parse('2026-11-02T00:00:00Z');

// parseArgs' result has no prototype (slow properties): read the flag once, not at every point.
const SLO = values.slo === true;

/** Series s at step t; `& (NOISE - 1)` is `% NOISE` for these non-negative integers, without a division. */
function valueAt(s: number, t: number): number {
  const n = noise[(t * 31 + s * 17) & (NOISE - 1)] as number;
  if (SLO) return Math.abs(n) * 0.001;
  // A spike now and then, so the anomalous path is exercised too.
  return (t + s) % 997 === 0 ? (curve[t] as number) * 3 : (curve[t] as number) + 5 * n + (s % 50);
}

// Young-generation collections while the detectors run: a detector that allocated per point would
// show here (each of the bench's own input numbers is one small allocation too).
let minorCollections = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // A gc entry carries its kind in `detail` (Node ≥ 16), which these typings do not declare.
    const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minorCollections += 1;
  }
}).observe({ entryTypes: ['gc'] });

/** A full collection, and time for the freed typed arrays' memory to be returned (that is concurrent). */
async function settle(): Promise<void> {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc?.();
}

async function run(order: 'streaming' | 'batch') {
  await settle();
  const before = process.memoryUsage();
  const detectors: SeriesDetector[] = [];
  for (let s = 0; s < SERIES; s += 1) detectors.push(createSeriesDetector(options));
  let anomalies = 0;
  const collectionsBefore = minorCollections;
  // Only the detectors' loop is timed: each step's (or series') inputs are made first, into a column
  // of doubles, which the loop reads as the tick reads a query answer's values.
  let elapsed = 0n;
  if (order === 'streaming') {
    const column = new Float64Array(SERIES);
    for (let t = 0; t < POINTS; t += 1) {
      for (let s = 0; s < SERIES; s += 1) column[s] = valueAt(s, t);
      const ts = start0 + t * STEP_MS;
      const started = process.hrtime.bigint();
      for (let s = 0; s < SERIES; s += 1)
        if ((detectors[s] as SeriesDetector).update(column[s] as number, ts).anomalous) anomalies += 1;
      elapsed += process.hrtime.bigint() - started;
    }
  } else {
    const column = new Float64Array(POINTS);
    for (let s = 0; s < SERIES; s += 1) {
      for (let t = 0; t < POINTS; t += 1) column[t] = valueAt(s, t);
      const d = detectors[s] as SeriesDetector;
      const started = process.hrtime.bigint();
      for (let t = 0; t < POINTS; t += 1)
        if (d.update(column[t] as number, start0 + t * STEP_MS).anomalous) anomalies += 1;
      elapsed += process.hrtime.bigint() - started;
    }
  }
  const seconds = Number(elapsed) / 1e9;
  // The observer is told after the fact: count once settled.
  await settle();
  const collections = minorCollections - collectionsBefore;
  const after = process.memoryUsage();
  // Typed arrays' contents live outside the JS heap: count both.
  const heapPerSeries = (after.heapUsed - before.heapUsed) / SERIES;
  const buffersPerSeries = (after.arrayBuffers - before.arrayBuffers) / SERIES;
  // The detector's part of a series' saved blob (see series-state-blob.ts): its doubles as they are.
  const stateBytes = 8 * seriesStateLayout(options).doubles;
  detectors.length = 0;
  return { seconds, anomalies, heapPerSeries, buffersPerSeries, stateBytes, collections };
}

// A fixed trivial loop: how fast is this machine, to read the figures above against.
function referenceNsPerIteration(): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 200_000_000; i += 1) sink += i & 7;
  const ns = Number(process.hrtime.bigint() - t0) / 200_000_000;
  return sink > 0 ? ns : ns;
}

const points = SERIES * POINTS;
const out = [
  `ensemble${values.slo ? ' + SLO burn rate' : ''} (z-score, MAD, level shift, seasonal${values.slo ? ', burn rate' : ''}, calibration): ` +
    `${SERIES} series × ${POINTS} points = ${points.toLocaleString('en-US')} points, single thread`,
];
for (const order of (['streaming', 'batch'] as const).filter((o) => values.order === 'both' || values.order === o)) {
  const r = await run(order);
  out.push(
    `  ${order.padEnd(9)} ${Math.round(points / r.seconds)
      .toLocaleString('en-US')
      .padStart(10)} points/s ` +
      `(${r.seconds.toFixed(1)} s, ${r.anomalies} anomalous points, ${r.collections} young-generation GCs)`,
  );
  // The first run's figure: later runs reuse the places of the seasonal profiles the first one freed.
  if (order === (values.order === 'both' ? 'streaming' : values.order)) {
    out.push(
      `  memory    ${Math.round(r.heapPerSeries + r.buffersPerSeries).toLocaleString('en-US')} bytes per series ` +
        `(${Math.round(r.heapPerSeries).toLocaleString('en-US')} heap + ` +
        `${Math.round(r.buffersPerSeries).toLocaleString('en-US')} typed arrays)` +
        `${gc ? '' : ' (run with --expose-gc for a settled figure)'}; ${r.stateBytes.toLocaleString('en-US')} bytes persisted (detector doubles)`,
    );
  }
}
out.push(
  `  machine   ${referenceNsPerIteration().toFixed(2)} ns per iteration of a trivial loop (for comparison across machines)`,
);
process.stdout.write(`${out.join('\n')}\n`);
