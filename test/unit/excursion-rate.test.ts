import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { createSeriesDetector } from '../../src/detection/create-series-detector.js';
import { createExcursionRateDetector } from '../../src/detection/ensemble/excursion-rate.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';
import { anomaliesOfSeries, seededUniform, sliceHarness } from '../helpers/slice-harness.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const MINUTE = 60_000;

/** The detector on an array laid out as the ensemble lays it out for slice detectors. */
const harness = (warmup: number, window: number) => sliceHarness(createExcursionRateDetector(warmup, window), 0.1);

describe('the excursion-rate detector', () => {
  it('passes its line when spikes come far more often than the series makes them, and falls back once they stop', () => {
    const rand = seededUniform(3);
    const d = harness(300, 120);
    const noise = () => 10 + rand() - 0.5;
    // Warm-up, then the usual: a spike every 200 points, which never passes the line.
    for (let i = 0; i < 300; i += 1) expect(d.step(noise())).toBeNull();
    let most = 0;
    for (let i = 0; i < 2000; i += 1) most = Math.max(most, Math.abs(d.step(i % 200 === 0 ? 20 : noise()) ?? 0));
    expect(most).toBeLessThan(d.threshold);
    // Then a spike every 5 points: within 20 points the rate is far past the usual one.
    let crossedAt = -1;
    for (let i = 0; i < 40; i += 1) {
      const s = d.step(i % 5 === 0 ? 20 : noise()) as number;
      if (crossedAt < 0 && s >= d.threshold) crossedAt = i;
    }
    expect(crossedAt).toBeGreaterThanOrEqual(0);
    expect(crossedAt).toBeLessThan(20);
    // Back to the usual: within a few dozen points it is below the line again.
    let last = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 100; i += 1) last = d.step(noise()) as number;
    expect(Math.abs(last)).toBeLessThan(d.threshold);
  });

  it('signs its statistic by the side the excursions are on', () => {
    const rand = seededUniform(5);
    const d = harness(300, 120);
    for (let i = 0; i < 1000; i += 1) d.step(10 + rand() - 0.5);
    let s = 0;
    for (let i = 0; i < 30; i += 1) s = d.step(i % 3 === 0 ? 0 : 10 + rand() - 0.5) as number;
    expect(s).toBeLessThanOrEqual(-d.threshold);
  });

  it('opens an anomaly when a host starts flapping with spikes the rolling windows have got used to', () => {
    const rand = seededUniform(11);
    // Two days of 1-minute CPU with a short spike twice a day, then a spike every 4 minutes
    // for an hour: each spike no taller than the ones the series always had.
    const values: number[] = [];
    for (let i = 0; i < 2 * 1440; i += 1) values.push(i % 720 === 360 ? 60 : 20 + 2 * rand());
    const flapFrom = values.length;
    for (let i = 0; i < 60; i += 1) values.push(i % 4 === 0 ? 60 : 20 + 2 * rand());
    const anomalies = anomaliesOfSeries('cpu', values, T0);
    const byRate = anomalies.filter((a) => a.evidence.detectors?.some((d) => d.name === 'excursion_rate' && d.fired));
    expect(byRate.length).toBeGreaterThanOrEqual(1);
    expect(Date.parse(byRate[0]!.timestamp)).toBeGreaterThan(T0 + flapFrom * MINUTE);
    // The twice-daily spikes before were the series' usual rate: none of them fired it.
    expect(byRate.filter((a) => Date.parse(a.timestamp) < T0 + flapFrom * MINUTE)).toEqual([]);
  });

  it('is silenced by the seasonal veto when the same hour of past days explains the point: a daily batch is not a fault', () => {
    const rand = seededUniform(7);
    // Five days at 1-minute steps; every day from 09:00 to 09:30 a batch job spikes every 3 minutes.
    const d = createSeriesDetector(seriesDetectorOptions(DetectionConfigSchema.parse({}), 60_000));
    let firedLater = 0;
    for (let i = 0; i < 5 * 1440; i += 1) {
      const minute = i % 1440;
      const batch = minute >= 540 && minute < 570;
      const reading = d.update(batch && minute % 3 === 0 ? 30 : 20 + 2 * rand(), T0 + i * MINUTE);
      const rate = reading.verdicts.find((v) => v.name === 'excursion_rate');
      // From the third day the seasonal baseline has seen the batch's hour.
      if (i >= 2 * 1440 && rate?.fired) firedLater += 1;
    }
    // Without the veto it would fire for some 25 minutes of every batch (the rate stays up after it).
    expect(firedLater).toBeLessThan(5);
  });
});
