import { describe, expect, it } from 'vitest';
import { createNovelPatternDetector } from '../../src/detection/ensemble/novel-pattern.js';
import { seededUniform, sliceHarness } from '../helpers/slice-harness.js';

/** The detector on an array laid out as the ensemble lays it out for slice detectors. */
const harness = (warmup: number, window: number) => sliceHarness(createNovelPatternDetector(warmup, window), 0.01);

describe('the novel-pattern detector', () => {
  it('scores a shape the series has never shown, however ordinary each value, and never the same shape twice', () => {
    const rand = seededUniform(9);
    const d = harness(300, 120);
    // A slow wave with a little noise: every value between 8 and 12.
    const wave = (i: number) => 10 + 2 * Math.sin((2 * Math.PI * i) / 48) + 0.1 * (rand() - 0.5);
    let i = 0;
    for (; i < 300; i += 1) expect(d.step(wave(i))).toBeNull();
    let most = 0;
    for (; i < 3000; i += 1) most = Math.max(most, Math.abs(d.step(wave(i)) as number));
    expect(most).toBeLessThan(d.threshold);
    // Then it jumps between the wave's own extremes every other point: no value is new, the shape is.
    const flap = (k: number) => (k % 2 === 0 ? 8 : 12);
    let crossedAt = -1;
    for (let k = 0; k < 20; k += 1) {
      const s = Math.abs(d.step(flap(k)) as number);
      if (crossedAt < 0 && s >= d.threshold) crossedAt = k;
    }
    expect(crossedAt).toBeGreaterThanOrEqual(0);
    expect(crossedAt).toBeLessThan(10);
    // The same shape again after the wave: seen once, so it is not novel any more.
    for (; i < 3300; i += 1) d.step(wave(i));
    let again = 0;
    for (let k = 0; k < 20; k += 1) again = Math.max(again, Math.abs(d.step(flap(k)) as number));
    expect(again).toBeLessThan(d.threshold);
  });
});
