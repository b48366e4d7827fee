import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { seriesKeyOf } from '../../src/contracts/index.js';
import { createDetectionEngine } from '../../src/detection/create-detection-engine.js';
import { createRecordDetector, recordWarmupPoints } from '../../src/detection/ensemble/record.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const MINUTE = 60_000;

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
}

describe('the record detector', () => {
  it('reads a value against the range it has learned, widened by the margin × the scale', () => {
    const record = createRecordDetector(1, 3, 3);
    const state = new Float64Array(record.doubles);
    const out = new Float64Array(3);
    record.start(state, 0);
    for (const v of [10, 14, 12]) {
      expect(record.read(state, 0, v, 1, out, 0)).toBe(false);
      record.learn(state, 0, v);
    }
    // Range 10–14, scale 1: the band is 9–15, its middle 12, its half-width 3.
    expect(record.read(state, 0, 15.6, 1, out, 0)).toBe(true);
    expect([...out]).toEqual([1.2, 12, 3]);
    expect(record.read(state, 0, 8.4, 1, out, 0)).toBe(true);
    expect(out[0]).toBeCloseTo(-1.2, 12);
    // NaN is not learned: it would poison the extremes for good.
    record.learn(state, 0, Number.NaN);
    expect([...state.subarray(0, 3)]).toEqual([3, 14, 10]);
    // After the warm-up a block's values join the record when the block ends (every third point
    // here): a climb is measured against where the series was before it, not its own last step.
    record.learn(state, 0, 16);
    record.learn(state, 0, 17);
    expect(record.read(state, 0, 15.6, 1, out, 0)).toBe(true);
    expect(out[0]).toBeCloseTo(1.2, 12);
    record.learn(state, 0, 11);
    record.read(state, 0, 15.6, 1, out, 0);
    // Range 10–17 now: middle 13.5, half-width 3.5 + 1.
    expect([out[1], out[2]]).toEqual([13.5, 4.5]);
  });

  it('needs at least a day of history: a new series’ first morning ramp is not a record', () => {
    expect(recordWarmupPoints(60_000)).toBe(1440);
    expect(recordWarmupPoints(300_000)).toBe(300);
  });

  it('opens an anomaly when a slow climb takes a series past its whole history, which the rolling windows have got used to', () => {
    const rand = random(7);
    // Three days of a noisy daily curve, then a leak: +0.5% of the level per minute for four hours,
    // slower than any rolling window notices (each step is well inside the noise).
    const values: number[] = [];
    for (let i = 0; i < 3 * 1440; i += 1) values.push(100 + 20 * Math.sin((2 * Math.PI * i) / 1440) + 4 * rand());
    const peak = Math.max(...values);
    for (let i = 0; i < 240; i += 1) values.push(values[values.length - 1440] as number);
    const leakFrom = values.length;
    for (let i = 0; i < 600; i += 1) values.push((values[values.length - 1440] as number) + 0.05 * i + 4 * rand());
    const identity = { service: 'orders', namespace: 'shop', metric_name: 'memory_bytes', labels: {} };
    const engine = createDetectionEngine({ detection: DetectionConfigSchema.parse({}), stepSeconds: 60, signals: [] });
    const { anomalies } = engine.ingest(
      [
        {
          key: seriesKeyOf(identity),
          identity,
          timestamps: Float64Array.from(values, (_, i) => T0 + i * MINUTE),
          values: Float64Array.from(values),
        },
      ],
      { coldStartEmitAfterMs: Number.NEGATIVE_INFINITY },
    );
    const records = anomalies.filter((a) => a.evidence.detectors?.some((d) => d.name === 'record' && d.fired));
    expect(records.length).toBeGreaterThanOrEqual(1);
    const first = records[0]!;
    expect(Date.parse(first.timestamp)).toBeGreaterThan(T0 + leakFrom * MINUTE);
    // It says where the record was: the band's top is past the old peak, and the value past the band.
    expect(first.upper_bound).toBeGreaterThanOrEqual(peak);
    expect(first.value).toBeGreaterThan(first.upper_bound);
    // Nothing before the leak was a record: three days of the same curve set none after the first day.
    expect(
      anomalies.filter((a) => a.detector === 'record' && Date.parse(a.timestamp) < T0 + leakFrom * MINUTE),
    ).toEqual([]);
  });
});
