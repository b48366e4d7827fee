import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { createSeriesDetector, type EnsembleReading } from '../../src/detection/create-series-detector.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const STEP = 300_000;

/** A quiet count series (mostly 1, some 0 and 2: its MAD is 0) then `last`; the reading of `last`. */
function lastReading(floor: number, last: number, offset = 0): EnsembleReading {
  const detector = createSeriesDetector(
    seriesDetectorOptions(DetectionConfigSchema.parse({ count_noise_floor: floor }), STEP),
  );
  for (let i = 0; i < 300; i += 1) detector.update((i % 7 === 0 ? 2 : i % 11 === 0 ? 0 : 1) + offset, T0 + i * STEP);
  return detector.update(last + offset, T0 + 300 * STEP);
}

const mad = (r: EnsembleReading) => r.verdicts.find((v) => v.name === 'robust_mad');

describe('the count noise floor', () => {
  it('keeps an everyday burst of a small count from scoring like a fault', () => {
    // 4 where 1 is usual: a Poisson count does that once in a few dozen points.
    const without = mad(lastReading(0, 4));
    const floored = mad(lastReading(0.75, 4));
    expect(without?.statistic).toBeGreaterThan(without?.threshold ?? 0);
    expect(floored?.statistic).toBeLessThan(floored?.threshold ?? 0);
    expect(floored?.fired).toBe(false);
  });

  it('still flags a burst far beyond a count’s noise', () => {
    const floored = lastReading(0.75, 40);
    expect(floored.anomalous).toBe(true);
    expect(mad(floored)?.fired).toBe(true);
  });

  it('leaves a series with a fractional value as it was', () => {
    const without = lastReading(0, 4, 0.5);
    const floored = lastReading(0.75, 4, 0.5);
    expect(floored.verdicts.map((v) => v.statistic)).toEqual(without.verdicts.map((v) => v.statistic));
    expect(floored.anomalous).toBe(without.anomalous);
  });
});
