import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { createSeriesDetector } from '../../src/detection/create-series-detector.js';
import { fromSqrtScale, judgesOnSqrtScale, toSqrtScale } from '../../src/detection/ensemble/value-scale.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');

/** A seeded Poisson draw (Knuth's for small rates, a normal approximation past 500). */
function poisson(seed: number): (rate: number) => number {
  let s = seed;
  const uniform = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return (rate) => {
    if (rate > 500) {
      const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      return Math.max(0, Math.round(rate + Math.sqrt(rate) * g));
    }
    const limit = Math.exp(-rate);
    let k = 0;
    let p = uniform();
    while (p > limit) {
      k += 1;
      p *= uniform();
    }
    return k;
  };
}

describe('the square-root scale', () => {
  it('is zero at zero, odd, increasing, and turned back exactly', () => {
    expect(toSqrtScale(0)).toBe(0);
    let before = Number.NEGATIVE_INFINITY;
    for (const x of [-1e6, -50, -1, -1e-3, 0, 1e-3, 0.002, 1, 3, 50, 400, 1e6, 1e12]) {
      const y = toSqrtScale(x);
      expect(y).toBeGreaterThan(before);
      before = y;
      expect(toSqrtScale(-x)).toBeCloseTo(-y, 12);
      expect(fromSqrtScale(y)).toBeCloseTo(x, Math.abs(x) > 1e5 ? 0 : 9);
    }
    expect(Number.isNaN(toSqrtScale(Number.NaN))).toBe(true);
  });

  it("makes a count's noise about 1 whatever its rate (Anscombe)", () => {
    const draw = poisson(7);
    for (const rate of [3, 30, 300, 30_000]) {
      const ys = Array.from({ length: 4000 }, () => toSqrtScale(draw(rate)));
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / (ys.length - 1));
      expect(sd).toBeGreaterThan(0.9);
      expect(sd).toBeLessThan(1.1);
    }
  });

  it('is the default; an SLO signal stays linear', () => {
    const detection = DetectionConfigSchema.parse({});
    expect(detection.value_scale).toBe('sqrt');
    expect(judgesOnSqrtScale(seriesDetectorOptions(detection, 60_000))).toBe(true);
    const slo = {
      direction: 'up' as const,
      min_abs_deviation: 0,
      slo: { objective: 0.999, windows: [{ long_seconds: 3600, short_seconds: 300, factor: 14.4 }] },
    };
    expect(judgesOnSqrtScale(seriesDetectorOptions(detection, 60_000, slo))).toBe(false);
    expect(judgesOnSqrtScale(seriesDetectorOptions({ ...detection, value_scale: 'linear' }, 60_000))).toBe(false);
  });

  it('a duration or a share is judged as it is, unless its signal says otherwise', () => {
    const detection = DetectionConfigSchema.parse({});
    const signal = (unit: 'seconds' | 'ratio' | 'percent' | 'per_second' | 'bytes' | 'none', scale?: 'sqrt') => ({
      direction: 'up' as const,
      min_abs_deviation: 0,
      unit,
      ...(scale ? { value_scale: scale } : {}),
    });
    const sqrtOf = (s: ReturnType<typeof signal>) => judgesOnSqrtScale(seriesDetectorOptions(detection, 60_000, s));
    expect(['seconds', 'ratio', 'percent'].map((u) => sqrtOf(signal(u as 'seconds')))).toEqual([false, false, false]);
    expect(['per_second', 'bytes', 'none'].map((u) => sqrtOf(signal(u as 'bytes')))).toEqual([true, true, true]);
    expect(sqrtOf(signal('seconds', 'sqrt'))).toBe(true);
  });

  it('the detectors learn the transformed values; the reading speaks the signal’s units', () => {
    const detection = DetectionConfigSchema.parse({ seasonal: false });
    const d = createSeriesDetector(seriesDetectorOptions(detection, 300_000));
    const draw = poisson(11);
    let last = 0;
    let reading = d.update(400, T0);
    for (let i = 1; i < 300; i += 1) {
      last = draw(400);
      reading = d.update(last, T0 + i * 300_000);
    }
    // What the windows hold is the square root (in single precision, see SingleArray)…
    expect(d.state().zscore.values.at(-1)).toBe(Math.fround(toSqrtScale(last)));
    // …and what a card shows is back in counts: expected near 400, a band around it.
    expect(reading.expected).toBeGreaterThan(380);
    expect(reading.expected).toBeLessThan(420);
    expect(reading.lower).toBeLessThan(reading.expected);
    expect(reading.upper).toBeGreaterThan(reading.expected);
    expect(reading.upper - reading.lower).toBeGreaterThan(40);
    expect(reading.upper - reading.lower).toBeLessThan(400);
    const burst = d.update(900, T0 + 300 * 300_000);
    expect(burst.anomalous).toBe(true);
    expect(burst.direction).toBe('up');
    expect(burst.upper).toBeLessThan(900);
  });

  it('the minimum deviation is in the signal’s units', () => {
    const run = (minAbsDeviation: number) => {
      const detection = DetectionConfigSchema.parse({ seasonal: false });
      const options = seriesDetectorOptions(detection, 300_000, {
        direction: 'both',
        min_abs_deviation: minAbsDeviation,
      });
      const d = createSeriesDetector(options);
      const draw = poisson(5);
      for (let i = 0; i < 300; i += 1) d.update(draw(400), T0 + i * 300_000);
      return d.update(700, T0 + 300 * 300_000).anomalous;
    };
    // 700 is ~300 above the expected 400: a minimum of 250 lets it through, one of 350 does not
    // (on the square-root scale the gap is only ~13, far under either).
    expect(run(250)).toBe(true);
    expect(run(350)).toBe(false);
  });
});
