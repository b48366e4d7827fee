import { describe, expect, it } from 'vitest';
import { createRecordDetector, recordWarmupPoints } from '../../src/detection/ensemble/record.js';
import { POINT_SCALE, POINT_VALUE } from '../../src/detection/ensemble/slice-detector.js';
import { anomaliesOfSeries, seededUniform } from '../helpers/slice-harness.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const MINUTE = 60_000;

describe('the record detector', () => {
  it('reads a value against the range it has learned, widened by the margin × the scale', () => {
    const record = createRecordDetector(1, 3, 3);
    // The series' array as the ensemble lays it out for slice detectors: the point and the scale
    // where POINT_VALUE and POINT_SCALE say, then the record's slice, then its reading.
    const at = 2;
    const outAt = at + record.doubles;
    const b = new Float64Array(outAt + 3);
    b[POINT_SCALE] = 1;
    record.start(b, at);
    const read = (value: number) => {
      b[POINT_VALUE] = value;
      return record.read(b, at, outAt);
    };
    const learn = (value: number) => {
      b[POINT_VALUE] = value;
      record.learn(b, at);
    };
    for (const v of [10, 14, 12]) {
      expect(read(v)).toBe(false);
      learn(v);
    }
    // Range 10–14, scale 1: the band is 9–15, its middle 12, its half-width 3.
    expect(read(15.6)).toBe(true);
    expect([...b.subarray(outAt)]).toEqual([1.2, 12, 3]);
    expect(read(8.4)).toBe(true);
    expect(b[outAt]).toBeCloseTo(-1.2, 12);
    // NaN is not learned: it would poison the extremes for good.
    learn(Number.NaN);
    expect([...b.subarray(at, at + 3)]).toEqual([3, 14, 10]);
    // After the warm-up a block's values join the record when the block ends (every third point
    // here): a climb is measured against where the series was before it, not its own last step.
    learn(16);
    learn(17);
    expect(read(15.6)).toBe(true);
    expect(b[outAt]).toBeCloseTo(1.2, 12);
    learn(11);
    read(15.6);
    // Range 10–17 now: middle 13.5, half-width 3.5 + 1.
    expect([b[outAt + 1], b[outAt + 2]]).toEqual([13.5, 4.5]);
  });

  it('needs at least a day of history: a new series’ first morning ramp is not a record', () => {
    expect(recordWarmupPoints(60_000)).toBe(1440);
    expect(recordWarmupPoints(300_000)).toBe(300);
  });

  it('opens an anomaly when a slow climb takes a series past its whole history, which the rolling windows have got used to', () => {
    const rand = seededUniform(7);
    // Three days of a noisy daily curve, then a leak: +0.5% of the level per minute for four hours,
    // slower than any rolling window notices (each step is well inside the noise).
    const values: number[] = [];
    for (let i = 0; i < 3 * 1440; i += 1) values.push(100 + 20 * Math.sin((2 * Math.PI * i) / 1440) + 4 * rand());
    const peak = Math.max(...values);
    for (let i = 0; i < 240; i += 1) values.push(values[values.length - 1440] as number);
    const leakFrom = values.length;
    for (let i = 0; i < 600; i += 1) values.push((values[values.length - 1440] as number) + 0.05 * i + 4 * rand());
    const anomalies = anomaliesOfSeries('memory_bytes', values, T0);
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
