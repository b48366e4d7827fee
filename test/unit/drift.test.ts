import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { createDriftDetector } from '../../src/detection/ensemble/drift.js';
import { sliceDetectorsFor } from '../../src/detection/ensemble/slice-detectors.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';
import { seededUniform, sliceHarness } from '../helpers/slice-harness.js';

/** The detector on an array laid out as the ensemble lays it out for slice detectors. */
const harness = () => sliceHarness(createDriftDetector(300, 120), 0.01);

/** Roughly normal noise of sd 1 (a sum of 12 uniforms, less 6). */
function gaussian(rand: () => number): number {
  let s = 0;
  for (let k = 0; k < 12; k += 1) s += rand();
  return s - 6;
}

describe('the drift detector', () => {
  it('adds up a step of 1.5 sigma that no single point shows, and keeps reporting it while it lasts', () => {
    const rand = seededUniform(21);
    const d = harness();
    let i = 0;
    for (; i < 300; i += 1) expect(d.step(10 + gaussian(rand))).toBeNull();
    // Noise alone: the sums drain faster than it fills them.
    let most = 0;
    for (; i < 3000; i += 1) most = Math.max(most, Math.abs(d.step(10 + gaussian(rand)) as number));
    expect(most).toBeLessThan(d.threshold);
    // The level moves up by 1.5 sigma: no point is far, but the sum crosses within a few dozen points…
    let crossedAt = -1;
    let stillAt60 = 0;
    for (let k = 0; k < 60; k += 1) {
      const s = d.step(11.5 + gaussian(rand)) as number;
      if (crossedAt < 0 && s >= d.threshold) crossedAt = k;
      if (k === 59) stillAt60 = s;
    }
    expect(crossedAt).toBeGreaterThan(0);
    expect(crossedAt).toBeLessThan(30);
    // …it is still up a while later, and on the upper side.
    expect(stillAt60).toBeGreaterThanOrEqual(d.threshold);
  });

  it('a spike, however tall, adds at most a few sigmas: it is not a drift', () => {
    const rand = seededUniform(5);
    const d = harness();
    for (let i = 0; i < 1000; i += 1) d.step(10 + gaussian(rand));
    expect(Math.abs(d.step(1000) as number)).toBeLessThan(d.threshold);
    expect(Math.abs(d.step(-1000) as number)).toBeLessThan(d.threshold);
  });

  it('a step down is reported on the lower side', () => {
    const rand = seededUniform(8);
    const d = harness();
    for (let i = 0; i < 1000; i += 1) d.step(10 + gaussian(rand));
    let least = 0;
    for (let k = 0; k < 40; k += 1) least = Math.min(least, d.step(8 + gaussian(rand)) as number);
    expect(least).toBeLessThanOrEqual(-d.threshold);
  });

  it('judges every series but a traffic signal', () => {
    const detection = DetectionConfigSchema.parse({});
    const names = (role?: 'traffic' | 'symptom') =>
      sliceDetectorsFor(
        seriesDetectorOptions(detection, 60_000, {
          direction: 'both',
          min_abs_deviation: 0,
          ...(role ? { role } : {}),
        }),
      ).map((d) => d.name);
    expect(names()).toContain('drift');
    expect(names('symptom')).toContain('drift');
    expect(names('traffic')).not.toContain('drift');
  });
});
