/**
 * Throughput of the detection ensemble: npm run bench:detect [-- --series N --points N]
 * Feeds synthetic series (a daily curve, noise, occasional spikes) point by point through the same
 * per-series detector the streaming tick uses, single-threaded, and prints points/s and the memory
 * each series costs. Defaults: 10 000 series × one day at 1-minute steps.
 */
import { parseArgs } from 'node:util';
import { DetectionConfigSchema, SignalConfigSchema } from '../src/config/config-schema.js';
import { createSeriesDetector, type SeriesDetector } from '../src/detection/create-series-detector.js';
import { seriesDetectorOptions } from '../src/detection/series-detector-options.js';

const { values } = parseArgs({
  options: {
    series: { type: 'string', default: '10000' },
    points: { type: 'string', default: '1440' },
    slo: { type: 'boolean', default: false },
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

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const detectors: SeriesDetector[] = [];
for (let s = 0; s < SERIES; s += 1) detectors.push(createSeriesDetector(options));
const start0 = Date.parse('2026-11-02T00:00:00Z');

let anomalies = 0;
const started = process.hrtime.bigint();
const seriesMajor = process.env.ORDER === 'series';
for (let outer = 0; outer < (seriesMajor ? SERIES : POINTS); outer += 1) {
  for (let inner = 0; inner < (seriesMajor ? POINTS : SERIES); inner += 1) {
    const t = seriesMajor ? inner : outer;
    const s = seriesMajor ? outer : inner;
    const ts = start0 + t * STEP_MS;
    const base = curve[t] as number;
    const n = noise[(t * 31 + s * 17) % NOISE] as number;
    // A spike now and then, so the anomalous path is exercised too.
    const value = values.slo ? Math.abs(n) * 0.001 : (t + s) % 997 === 0 ? base * 3 : base + 5 * n + (s % 50);
    if (detectors[s]?.update(value, ts).anomalous) anomalies += 1;
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
gc?.();
const heapAfter = process.memoryUsage().heapUsed;
const points = SERIES * POINTS;
const stateBytes = JSON.stringify(detectors[0]?.state()).length;
process.stdout.write(
  [
    `ensemble${values.slo ? ' + SLO burn rate' : ''}: ${SERIES} series × ${POINTS} points = ${points.toLocaleString('en-US')} points`,
    `  time            ${seconds.toFixed(2)} s`,
    `  throughput      ${Math.round(points / seconds).toLocaleString('en-US')} points/s (single thread)`,
    `  anomalies       ${anomalies}`,
    `  heap per series ${Math.round((heapAfter - heapBefore) / SERIES).toLocaleString('en-US')} bytes${gc ? '' : ' (run with --expose-gc for a settled figure)'}`,
    `  state per series ${stateBytes.toLocaleString('en-US')} bytes as persisted JSON`,
  ].join('\n') + '\n',
);
