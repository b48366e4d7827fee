import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema, SignalConfigSchema } from '../../src/config/config-schema.js';
import {
  createSeriesDetector,
  type EnsembleReading,
  placesFree,
  type SeriesDetector,
  type SeriesDetectorOptions,
  seriesStateLayout,
} from '../../src/detection/create-series-detector.js';
import { handed, MAD_VALUE, MEDIAN_VALUE } from '../../src/detection/ensemble/layout.js';
import { binOf, binOfAbs } from '../../src/detection/ensemble/tail-calibrator.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';

/**
 * The series detector (one implementation: the ensemble over the modules of src/detection/ensemble/):
 * restarted from its saved bytes at any point (mid-episode too) it goes on bit for bit as one that
 * never stopped, on series built to reach every path (warm-up, spikes, steps that freeze the
 * level-shift reference, flat stretches, the seasonal veto, burn rates, calibration rescaling, values
 * that are not finite); series that share chunks of state do not disturb one another; a reused place
 * starts cold; saved state fits only its layout. Then each detector's behaviour, read from the
 * production detector's readings and state.
 */

const T0 = Date.parse('2026-04-21T02:00:00Z');

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
}

interface Stream {
  values: number[];
  timestamps: number[];
}

function stream(seed: number, length: number, stepMs: number, kind: 'mixed' | 'ratio'): Stream {
  const rand = random(seed);
  const values: number[] = [];
  const timestamps: number[] = [];
  let ts = Date.parse('2026-03-02T00:00:00Z') + seed * 7_777;
  let level = 100;
  for (let i = 0; i < length; i += 1) {
    // Irregular steps now and then (gaps, jitter).
    ts += rand() < 0.02 ? stepMs * (2 + Math.floor(rand() * 5)) : stepMs + Math.floor((rand() - 0.5) * 1000);
    timestamps.push(ts);
    if (kind === 'ratio') {
      const burning = Math.floor(i / 400) % 3 === 2;
      values.push(burning ? rand() * 0.05 : rand() * 0.0005);
      continue;
    }
    const phase = Math.floor(i / 500) % 6;
    if (rand() < 0.003) level += (rand() - 0.5) * 200;
    const daily = 30 * Math.sin((2 * Math.PI * ts) / 86_400_000);
    let v: number;
    if (phase === 3) v = rand() < 0.5 ? 0 : -0;
    else if (phase === 4) v = Math.round(level + daily);
    else v = level + daily + (rand() - 0.5) * 10;
    if (rand() < 0.01) v *= rand() < 0.5 ? 4 : -3;
    if (rand() < 0.002) v = (rand() - 0.5) * 1e9;
    values.push(v);
  }
  return { values, timestamps };
}

function same(a: EnsembleReading, b: EnsembleReading, where: string): void {
  const fields = ['ready', 'anomalous', 'score', 'expected', 'lower', 'upper', 'direction'] as const;
  for (const f of fields) {
    if (!Object.is(a[f], b[f])) expect.fail(`${where}: ${f} ${String(a[f])} !== ${String(b[f])}`);
  }
  if (a.primary.name !== b.primary.name) expect.fail(`${where}: primary ${a.primary.name} !== ${b.primary.name}`);
  expect(b.verdicts.length).toBe(a.verdicts.length);
  a.verdicts.forEach((v, i) => {
    const w = b.verdicts[i];
    for (const f of ['name', 'statistic', 'threshold', 'score', 'fired'] as const) {
      if (!Object.is(v[f], w?.[f]))
        expect.fail(`${where}: verdict ${v.name}.${f} ${String(v[f])} !== ${String(w?.[f])}`);
    }
  });
  if (b.primary !== b.verdicts.find((v) => v.name === b.primary.name)) expect.fail(`${where}: primary not a verdict`);
}

/** A new detector (another place) continuing from the saved bytes of this one. */
function restartFromBytes(options: SeriesDetectorOptions, detector: SeriesDetector): SeriesDetector {
  const saved = new Float64Array(seriesStateLayout(options).doubles);
  detector.saveState(saved, 0);
  return createSeriesDetector(options, saved);
}

/**
 * Feeds a detector that never stops and one replaced every `restartEvery` points by a detector
 * restored from its bytes; compares every reading, and the state at every restart and at the end.
 * Returns how many points were anomalous.
 */
function compare(options: SeriesDetectorOptions, s: Stream, restartEvery: number): number {
  const steady = createSeriesDetector(options);
  let restarted = createSeriesDetector(options);
  let anomalous = 0;
  for (let i = 0; i < s.values.length; i += 1) {
    const value = s.values[i] as number;
    const ts = s.timestamps[i] as number;
    const a = steady.update(value, ts);
    const b = restarted.update(value, ts);
    // Every field of every reading (its verdicts are built from the last point when read).
    same(a, b, `point ${i}`);
    if (a.anomalous) anomalous += 1;
    if ((i + 1) % restartEvery === 0) {
      expect(JSON.stringify(restarted.state())).toBe(JSON.stringify(steady.state()));
      restarted = restartFromBytes(options, restarted);
    }
  }
  expect(JSON.stringify(restarted.state())).toBe(JSON.stringify(steady.state()));
  return anomalous;
}

const detection = (overrides: Record<string, unknown> = {}) => DetectionConfigSchema.parse(overrides);

describe('a series detector restarted from its saved bytes goes on bit for bit', () => {
  const cases: Array<[string, SeriesDetectorOptions]> = [
    ['defaults, 1-minute steps', seriesDetectorOptions(detection(), 60_000)],
    [
      'small windows, even recent window, quick calibration',
      seriesDetectorOptions(
        detection({
          window_points: 24,
          min_points: 6,
          level_shift_recent_points: 4,
          calibration_min_points: 20,
          calibration_half_life_points: 3,
        }),
        60_000,
      ),
    ],
    [
      'odd window, recent 3, no seasonal, upward only, minimum deviation',
      seriesDetectorOptions(
        detection({ window_points: 37, min_points: 5, level_shift_recent_points: 3, seasonal: false }),
        60_000,
        SignalConfigSchema.parse({ name: 'x', query: 'x', direction: 'up', min_abs_deviation: 8 }),
      ),
    ],
    ['hourly steps (the long-run level reaches its steady rate)', seriesDetectorOptions(detection(), 3_600_000)],
    [
      '5-minute steps, downward only',
      seriesDetectorOptions(
        detection({ window_points: 60, min_points: 10, min_score: 0.99 }),
        300_000,
        SignalConfigSchema.parse({ name: 'x', query: 'x', direction: 'down' }),
      ),
    ],
  ];
  for (const [name, options] of cases) {
    it(name, () => {
      let anomalous = 0;
      for (const seed of [3, 5, 8]) {
        const s = stream(seed, 5000, options.stepMs, 'mixed');
        anomalous += compare(options, s, 1700 + seed * 31);
      }
      // The streams do reach the anomalous paths.
      expect(anomalous).toBeGreaterThan(10);
    });
  }

  it('an SLO burn-rate signal', () => {
    const options = seriesDetectorOptions(
      detection({ window_points: 60, min_points: 10 }),
      60_000,
      SignalConfigSchema.parse({ name: 'errors', query: 'x', direction: 'up', slo: { objective: 0.999 } }),
    );
    const anomalous = compare(options, stream(13, 6000, 60_000, 'ratio'), 1234);
    expect(anomalous).toBeGreaterThan(10);
  });

  it('values that are not finite (NaN, infinities) in the windows', () => {
    const options = seriesDetectorOptions(detection({ window_points: 40, min_points: 8 }), 60_000);
    const s = stream(31, 3000, 60_000, 'mixed');
    const odd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    // Before any, one kind alone, then all mixed: each switches the MAD's hinted searches to the exact ones.
    for (let i = 700; i < s.values.length; i += i < 1500 ? 97 : 13) s.values[i] = odd[i % 3] as number;
    compare(options, s, 1_000_000);
    const inf = stream(32, 2000, 60_000, 'mixed');
    for (let i = 900; i < inf.values.length; i += 50) inf.values[i] = Number.POSITIVE_INFINITY;
    compare(options, inf, 1_000_000);
  });

  it('restarted from its bytes after every point, through anomalous episodes', () => {
    const options = seriesDetectorOptions(detection({ window_points: 40, min_points: 8 }), 60_000);
    expect(compare(options, stream(41, 1500, 60_000, 'mixed'), 1)).toBeGreaterThan(5);
    const slo = seriesDetectorOptions(
      detection({ window_points: 60, min_points: 10 }),
      60_000,
      SignalConfigSchema.parse({ name: 'errors', query: 'x', direction: 'up', slo: { objective: 0.999 } }),
    );
    expect(compare(slo, stream(42, 1500, 60_000, 'ratio'), 1)).toBeGreaterThan(5);
  });

  it('saved state fits only the options and layout it was written for', () => {
    const options = seriesDetectorOptions(detection({ window_points: 60, min_points: 10 }), 60_000);
    const wider = seriesDetectorOptions(detection({ window_points: 90, min_points: 10 }), 60_000);
    const stricter = seriesDetectorOptions(
      detection({ window_points: 60, min_points: 10, zscore_threshold: 6 }),
      60_000,
    );
    const layout = seriesStateLayout(options);
    // Options built apart but equal share a layout; any other option gives another fingerprint.
    expect(seriesStateLayout(seriesDetectorOptions(detection({ window_points: 60, min_points: 10 }), 60_000))).toEqual(
      layout,
    );
    expect(seriesStateLayout(wider).fingerprint).not.toBe(layout.fingerprint);
    expect(seriesStateLayout(stricter).fingerprint).not.toBe(layout.fingerprint);
    expect(seriesStateLayout(stricter).doubles).toBe(layout.doubles);
    expect(() => createSeriesDetector(wider, new Float64Array(layout.doubles))).toThrow(RangeError);
  });
});

describe('seasonal profiles kept together for many series', () => {
  // Equal options (built apart, as the engine builds them per series) share one plan, whose seasonal
  // profiles live in chunks of 16, 32, ... places: 60 series fill three chunks.
  const optionsOf = () => seriesDetectorOptions(detection({ window_points: 30, min_points: 6 }), 3_600_000);

  it('series fed in turn (as the tick feeds them) each score as if they had been alone', () => {
    const count = 60;
    const streams = Array.from({ length: count }, (_, i) => stream(100 + i, 400, 3_600_000, 'mixed'));
    // The same timestamp for every series at a step, then each its own (the shared time moves).
    const tsOf = (i: number, t: number) =>
      (t % 2 === 0 ? (streams[0] as Stream).timestamps[t] : (streams[i] as Stream).timestamps[t]) as number;
    const fingerprint = (r: EnsembleReading) =>
      `${r.ready} ${r.anomalous} ${r.score} ${r.expected} ${r.lower} ${r.upper} ${r.primary.name}`;
    // Alone: one series at a time, from start to end (its lines stay in cache, touchLines is skipped).
    const alone = streams.map((s, i) => {
      const d = createSeriesDetector(optionsOf());
      const readings = s.values.map((v, t) => fingerprint(d.update(v, tsOf(i, t))));
      return { readings, state: JSON.stringify(d.state()) };
    });
    const together = streams.map(() => createSeriesDetector(optionsOf()));
    for (let t = 0; t < 400; t += 1) {
      for (let i = 0; i < count; i += 1) {
        const r = (together[i] as SeriesDetector).update((streams[i] as Stream).values[t] as number, tsOf(i, t));
        const expected = alone[i]?.readings[t];
        if (fingerprint(r) !== expected) expect.fail(`series ${i} point ${t}: ${fingerprint(r)} !== ${expected}`);
      }
    }
    together.forEach((d, i) => {
      expect(JSON.stringify(d.state())).toBe(alone[i]?.state);
    });
  });

  it('a series that takes the place of a collected one starts cold', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cold = JSON.stringify(createSeriesDetector(optionsOf()).state());
    // Collected, and the registry's callbacks run (they come as tasks after a collection).
    const collect = async () => {
      for (let i = 0; i < 5; i += 1) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const learnAll = () => {
      const warm = Array.from({ length: 40 }, () => createSeriesDetector(optionsOf()));
      const s = stream(7, 300, 3_600_000, 'mixed');
      for (let t = 0; t < 300; t += 1) for (const d of warm) d.update(s.values[t] as number, s.timestamps[t] as number);
      expect(warm[0]?.state().seasonal?.week.count.some((c) => c > 0)).toBe(true);
      return (warm[0] as ReturnType<typeof createSeriesDetector>).update(1, Date.parse('2026-03-20T00:00:00Z'));
    };
    await collect();
    const before = placesFree(optionsOf());
    const kept = learnAll();
    await collect();
    // The 40 came from the free places first; all are free again but the one whose reading is held.
    const freed = placesFree(optionsOf());
    expect(freed).toBe(before - Math.min(before, 40) + 39);
    expect(kept.ready).toBe(true);
    const again = Array.from({ length: 30 }, () => createSeriesDetector(optionsOf()));
    expect(placesFree(optionsOf())).toBe(freed - 30);
    for (const d of again) expect(JSON.stringify(d.state())).toBe(cold);
  });

  it("a released place is the next series' at once, and a plan left without series drops its places", () => {
    // Options of their own, so that no other test's detectors share the plan.
    const own = () => seriesDetectorOptions(detection({ window_points: 29, min_points: 6 }), 3_600_000);
    const first = createSeriesDetector(own());
    const cold = JSON.stringify(first.state());
    first.release();
    expect(placesFree(own())).toBe(0);
    const s = stream(3, 200, 3_600_000, 'mixed');
    const [a, b, c] = Array.from({ length: 3 }, () => createSeriesDetector(own())) as [
      SeriesDetector,
      SeriesDetector,
      SeriesDetector,
    ];
    for (let t = 0; t < 200; t += 1)
      for (const d of [a, b, c]) d.update(s.values[t] as number, s.timestamps[t] as number);
    a.release();
    a.release();
    expect(placesFree(own())).toBe(1);
    const next = createSeriesDetector(own());
    expect(JSON.stringify(next.state())).toBe(cold);
    expect(placesFree(own())).toBe(0);
    b.release();
    c.release();
    expect(placesFree(own())).toBe(2);
    next.release();
    expect(placesFree(own())).toBe(0);
  });
});

describe('the calibration bin without a logarithm', () => {
  it('is binOf for any |statistic|, at its edges above all', () => {
    const rand = random(99);
    const values: number[] = [0, 0.5, 50, 1e300, Number.POSITIVE_INFINITY, Number.MIN_VALUE];
    for (let i = 0; i < 200_000; i += 1) values.push(Math.exp(rand() * 10 - 2), rand() * 60);
    // Every edge, and the doubles right around it.
    const view = new DataView(new ArrayBuffer(8));
    const step = (x: number, ulps: number) => {
      view.setFloat64(0, x);
      view.setBigUint64(0, view.getBigUint64(0) + BigInt(ulps));
      return view.getFloat64(0);
    };
    for (let x = 0.5; x < 60; x *= 1.0001) {
      const b = binOf(x);
      if (binOf(x * 1.0001) !== b) {
        let lo = x;
        let hi = x * 1.0001;
        while (step(lo, 1) < hi) {
          const mid = lo + (hi - lo) / 2;
          if (mid === lo || mid === hi) break;
          if (binOf(mid) === b) lo = mid;
          else hi = mid;
        }
        for (let u = -3000; u <= 3000; u += 1) values.push(step(hi, u));
      }
    }
    for (const v of values) if (binOfAbs(v) !== binOf(v)) expect.fail(`binOfAbs(${v}) ${binOfAbs(v)} !== ${binOf(v)}`);
  });
});

describe('each detector, read from the ensemble', () => {
  const verdict = (r: EnsembleReading, name: string) => r.verdicts.find((v) => v.name === name);

  it('the seasonal veto: a rolling detector firing on the usual daily step is overruled', () => {
    const rand = random(5);
    // Five days at 5-minute steps: 10 at night, 50 from 09:00 to 17:00.
    const step = 5 * 60_000;
    const start = Date.parse('2026-04-13T00:00:00Z');
    const nineOnDay5 = 4 * 288 + 9 * 12;
    const readAt = (seasonal: boolean) => {
      // An untrusted calibration: the statistic alone decides whether a detector fires.
      const d = createSeriesDetector(
        seriesDetectorOptions(
          detection({ window_points: 24, min_points: 12, calibration_min_points: 1_000_000, seasonal }),
          step,
        ),
      );
      const values = Array.from({ length: nineOnDay5 + 1 }, (_, i) => {
        const hour = new Date(start + i * step).getUTCHours();
        return (hour >= 9 && hour < 17 ? 50 : 10) + rand();
      });
      let r: EnsembleReading | undefined;
      values.forEach((v, i) => {
        r = d.update(v, start + i * step);
      });
      return r as EnsembleReading;
    };
    const without = readAt(false);
    expect(without.anomalous).toBe(true);
    expect(verdict(without, 'rolling_zscore')?.fired).toBe(true);
    const withSeasonal = readAt(true);
    // The z-score sees the step as before, but the same hour of past days explains it.
    expect(Math.abs(verdict(withSeasonal, 'rolling_zscore')?.statistic ?? 0)).toBeGreaterThan(3.5);
    expect(Math.abs(verdict(withSeasonal, 'seasonal')?.statistic ?? 99)).toBeLessThan(2);
    expect(withSeasonal.verdicts.filter((v) => v.fired)).toEqual([]);
    expect(withSeasonal.anomalous).toBe(false);
  });

  it('a bucket that has learned more points than its 16-bit count holds stays full, and ready', () => {
    // 1 s steps: 3 600 points an hour, so a bucket passes 65 535 points after 18 days of one hour.
    const step = 1000;
    const start = Date.parse('2026-04-13T00:00:00Z');
    const d = createSeriesDetector(seriesDetectorOptions(detection({ window_points: 24, min_points: 12 }), step));
    for (let i = 0; i < 30; i += 1) d.update(10 + (i % 3), start + i * step);
    const learned = d.seasonalState();
    if (!learned) throw new Error('the detector has a seasonal baseline');
    const full = (counts: number[]) => counts.map(() => 70_000);
    d.replaceSeasonal({
      ...learned,
      day: { ...learned.day, count: full(learned.day.count) },
      week: { ...learned.week, count: full(learned.week.count) },
    });
    // Kept as the most the count holds, never wrapped (70 000 as 16 bits would be 4 464).
    expect(new Set(d.seasonalState()?.day.count)).toEqual(new Set([65_535]));
    // Learning one more point into a full bucket keeps it full: it would read 0, not ready, if it wrapped.
    d.update(11, start + 30 * step);
    const after = d.seasonalState();
    expect(new Set([...(after?.day.count ?? []), ...(after?.week.count ?? [])])).toEqual(new Set([65_535]));
    // Ready at once: the same hour of 18 days, by the bucket's own count.
    expect(d.seasonalDays(start + 31 * step)).toBe(Math.floor(65_534 / 3600));
  });

  it('seasonalDays: the days of the hour of day the detector had learned when it judged a point', () => {
    // 5-minute steps: 12 points an hour, one day of an hour is 12 points of its bucket.
    const step = 5 * 60_000;
    const start = Date.parse('2026-04-13T00:00:00Z');
    const d = createSeriesDetector(seriesDetectorOptions(detection({ window_points: 24, min_points: 12 }), step));
    const daysAt = (i: number) => {
      d.update(10 + (i % 3), start + i * step);
      return d.seasonalDays(start + i * step);
    };
    const answers = Array.from({ length: 2 * 288 + 13 }, (_, i) => daysAt(i));
    // Day one: none, to its last point; day two: one, however far into the hour; day three: two.
    expect(new Set(answers.slice(0, 288))).toEqual(new Set([0]));
    expect(new Set(answers.slice(288, 2 * 288))).toEqual(new Set([1]));
    expect(new Set(answers.slice(2 * 288))).toEqual(new Set([2]));
    // No seasonal detector: unknown.
    const plain = createSeriesDetector(seriesDetectorOptions(detection({ seasonal: false }), step));
    plain.update(10, start);
    expect(plain.seasonalDays(start)).toBeUndefined();
  });

  it('the level shift holds the level before a step (at most a window long), and scores against it', () => {
    // Its frozen level in the values' own units: the linear scale (value-scale.ts).
    const options = seriesDetectorOptions(
      detection({ window_points: 60, min_points: 30, seasonal: false, value_scale: 'linear' }),
      60_000,
    );
    const R = Math.max(2, Math.min(options.levelShiftRecent, Math.floor(options.windowPoints / 3)));
    const d = createSeriesDetector(options);
    const rand = random(3);
    const values = [
      ...Array.from({ length: 200 }, () => 100 + rand()),
      ...Array.from({ length: 200 }, () => 108 + rand()),
    ];
    let frozenFrom = -1;
    let run = 0;
    let longestRun = 0;
    values.forEach((v, i) => {
      const held = d.state().levelShift.frozen;
      const r = d.update(v, T0 + i * 60_000);
      if (held) {
        // Against the held level: the median of the last R points, in held sigmas, × √R / 2.
        // (The detectors judge each value in single precision: see SingleArray.)
        const recent = values
          .slice(i + 1 - R, i + 1)
          .map(Math.fround)
          .sort((x, y) => x - y);
        const median =
          R % 2 === 1 ? (recent[R >> 1] as number) : ((recent[R / 2 - 1] as number) + (recent[R / 2] as number)) / 2;
        expect(verdict(r, 'level_shift')?.statistic).toBe(((median - held.mean) / held.sigma) * Math.sqrt(R) * 0.5);
      }
      const frozen = d.state().levelShift.frozen;
      if (frozen && frozenFrom < 0) {
        frozenFrom = i;
        expect(frozen.mean).toBeGreaterThan(100);
        expect(frozen.mean).toBeLessThan(101);
      }
      run = frozen ? run + 1 : 0;
      longestRun = Math.max(longestRun, run);
    });
    expect(frozenFrom).toBeGreaterThanOrEqual(200);
    expect(frozenFrom).toBeLessThan(200 + R);
    expect(longestRun).toBeLessThanOrEqual(options.windowPoints);
  });

  it('the burn rate is ready once its shortest long window is full, and reads the strongest pair', () => {
    const options = seriesDetectorOptions(
      detection({ window_points: 120, min_points: 100, seasonal: false }),
      60_000,
      SignalConfigSchema.parse({ name: 'errors', query: 'x', direction: 'up', slo: { objective: 0.999 } }),
    );
    const d = createSeriesDetector(options);
    for (let i = 1; i <= 80; i += 1) {
      const r = d.update(0.05, T0 + i * 60_000);
      // Nothing else is ready before 100 points: readiness is the burn rate's (1 h at 1 minute).
      expect(r.ready).toBe(i >= 60);
      if (i < 60) continue;
      // 5% errors against a 0.1% budget burn 50×: 50 / 6 on the 6 h pair, 50 / 14.4 on the 1 h one
      // (the ring keeps each ratio in single precision: 0.05 is 0.0500000007).
      expect(verdict(r, 'slo_burn_rate')?.statistic).toBeCloseTo(Math.fround(0.05) / (1 - 0.999) / 6, 9);
      expect(r.anomalous).toBe(true);
      expect(r.primary.name).toBe('slo_burn_rate');
      expect(r.expected).toBeCloseTo(0.001, 12);
      expect(r.upper).toBeCloseTo(0.006, 12);
      expect(r.lower).toBe(0);
    }
  });

  it("the burn rate's windows sum exactly the single-precision ratios its ring keeps", () => {
    const options = seriesDetectorOptions(
      detection({ window_points: 60, min_points: 10 }),
      60_000,
      SignalConfigSchema.parse({ name: 'errors', query: 'x', direction: 'up', slo: { objective: 0.999 } }),
    );
    const d = createSeriesDetector(options);
    const s = stream(7, 20_000, 60_000, 'ratio');
    for (let i = 0; i < s.values.length; i += 1) d.update(s.values[i] as number, s.timestamps[i] as number);
    const slo = d.state().slo;
    if (!slo?.sums) throw new Error('no burn-rate state');
    for (const v of slo.values) expect(v).toBe(Math.fround(v));
    // Windows 60, 5, 360 and 30 points (1 h and 5 min, 6 h and 30 min at 1 minute), the newest last.
    const lengths = [60, 5, 360, 30];
    for (const [k, length] of lengths.entries()) {
      const recomputed = slo.values.slice(-length).reduce((a, v) => a + v, 0);
      // The sums take away what they added: had they added each ratio unrounded, 20 000 points
      // would leave them ~1e-8 away.
      expect(Math.abs((slo.sums[k] as number) - recomputed)).toBeLessThan(1e-12);
    }
  });

  it('the shared ring keeps each value in single precision; a finite value past its range is its largest number', () => {
    const options = seriesDetectorOptions(
      detection({ window_points: 40, min_points: 8, seasonal: false, value_scale: 'linear' }),
      60_000,
    );
    const d = createSeriesDetector(options);
    const s = stream(9, 400, 60_000, 'mixed');
    for (let i = 0; i < s.values.length; i += 1) d.update(s.values[i] as number, s.timestamps[i] as number);
    const window = d.state().zscore.values;
    expect(window).toEqual(s.values.slice(-40).map(Math.fround));
    // 1e39 is finite as a double and an infinity as a single: kept as the largest single, it leaves
    // the windows again and the series' scale stays a number.
    d.update(1e39, T0 + 400 * 60_000);
    expect(d.state().zscore.values.at(-1)).toBe(3.4028234663852886e38);
    for (let i = 401; i < 460; i += 1) d.update(100 + (i % 3), T0 + i * 60_000);
    const after = d.state();
    expect(Number.isFinite(after.scale)).toBe(true);
    expect(after.zscore.values.every((v) => v >= 100 && v <= 102)).toBe(true);
    const reading = d.update(101, T0 + 460 * 60_000);
    expect(Number.isFinite(reading.score)).toBe(true);
    expect(reading.anomalous).toBe(false);
  });
  it('the calibration forgets by growing its weight, rescaled before it overflows', () => {
    const options = seriesDetectorOptions(
      detection({ window_points: 24, min_points: 6, calibration_half_life_points: 3 }),
      60_000,
    );
    const d = createSeriesDetector(options);
    const s = stream(21, 3000, 60_000, 'mixed');
    let previous = 1;
    let rescaled = 0;
    let ready = 0;
    for (let i = 0; i < s.values.length; i += 1) {
      const r = d.update(s.values[i] as number, s.timestamps[i] as number);
      for (const v of r.verdicts) if (!(v.score >= 0 && v.score <= 1)) expect.fail(`point ${i}: ${v.name} ${v.score}`);
      // Here the z-score is ready exactly when the ensemble is (the MAD with it, the rest later).
      if (r.ready) ready += 1;
      const z = d.state().calibration.rolling_zscore;
      if (!z) throw new Error('no z-score calibration');
      if (z.weight < previous) rescaled += 1;
      previous = z.weight;
      expect(Number.isFinite(z.weight) && z.weight <= 1e30 * 2 ** (1 / 3)).toBe(true);
      // Suffix sums: finite, and falling bin by bin.
      for (let k = 1; k < z.suffix.length; k += 1)
        if (!((z.suffix[k] as number) <= (z.suffix[k - 1] as number) && Number.isFinite(z.suffix[k])))
          expect.fail(`point ${i}: suffix ${z.suffix.join(',')}`);
    }
    // The bins are single precision: rescaled at 1e30, log2(1e30) ≈ 99.7 half-lives of 3 points, so
    // every 299 points the calibration learned.
    expect(rescaled).toBe(Math.floor(ready / Math.ceil(3 * Math.log2(1e30))));
    expect(rescaled).toBeGreaterThan(5);
    expect(d.state().calibration.rolling_zscore?.count).toBe(ready);
  });
});

describe("the robust MAD's sorted window (ring slots in the order of their values)", () => {
  /** Numbers in their order, NaN after every number; equal values keep the order they came in (a stable sort). */
  const byValue = (x: number, y: number) =>
    Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : Number.isNaN(y) ? -1 : x < y ? -1 : x > y ? 1 : 0;

  /**
   * Ties (±0 among them, whose signs only the order of equal values gives), trends both ways (the
   * window drifts in its region and is moved back), noise, then values that are not finite, then
   * finite values again for longer than a window.
   */
  function values(seed: number, W: number): number[] {
    const rand = random(seed);
    const out: number[] = [];
    const ties = [0, -0, 1, 2, 2, 3, -0, 0];
    for (let i = 0; i < 3 * W; i += 1) out.push(ties[Math.floor(rand() * ties.length)] as number);
    for (let i = 0; i < 3 * W; i += 1) out.push(Math.floor(i / 3));
    for (let i = 3 * W; i > 0; i -= 1) out.push(Math.floor(i / 4) * 0.5);
    for (let i = 0; i < 2 * W; i += 1) out.push(rand() < 0.3 ? 5 : rand() < 0.5 ? -0 : Math.round(rand() * 10) / 10);
    for (let i = 0; i < 2 * W; i += 1) out.push(i % 7 === 0 ? -i : i % 2 === 0 ? 1 : 0);
    const odd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
    for (let i = 0; i < 3 * W; i += 1) out.push(rand() < 0.06 ? (odd[i % 4] as number) : Math.floor(rand() * 4));
    for (let i = 0; i < 3 * W; i += 1) out.push(rand() < 0.5 ? Math.floor(i / 5) : -0);
    for (let i = 0; i < 2 * W; i += 1) out.push(rand() < 0.02 ? Number.NaN : Math.floor(rand() * 3));
    for (let i = 0; i < 2 * W; i += 1) out.push(Math.floor(rand() * 3));
    return out;
  }

  for (const window of [40, 37, 120]) {
    it(`gives the median and MAD of a sorted copy of the last ${window} values at every point`, () => {
      const options = seriesDetectorOptions(
        detection({ window_points: window, min_points: 3, value_scale: 'linear' }),
        60_000,
      );
      const W = options.windowPoints;
      for (const seed of [7, 11]) {
        const d = createSeriesDetector(options);
        const series = values(seed, W);
        let compared = 0;
        let madsCompared = 0;
        for (let i = 0; i < series.length; i += 1) {
          d.update(series[i] as number, T0 + i * 60_000);
          // (As the detectors keep them: in single precision, see SingleArray.)
          const win = series.slice(Math.max(0, i - W), i).map(Math.fround);
          if (win.length < options.minPoints) continue;
          const sorted = [...win].sort(byValue);
          const n = sorted.length;
          const h = n >>> 1;
          const median = n % 2 === 1 ? (sorted[h] as number) : ((sorted[h - 1] as number) + (sorted[h] as number)) / 2;
          if (!Object.is(handed[MEDIAN_VALUE], median))
            expect.fail(`seed ${seed}, point ${i}: median ${handed[MEDIAN_VALUE]} !== ${median} of [${sorted}]`);
          compared += 1;
          if (win.some((x) => Number.isNaN(x)) || !Number.isFinite(median)) continue;
          const deviations = win.map((x) => Math.abs(x - median)).sort((x, y) => x - y);
          const k = (n - 1) >>> 1;
          const mad =
            n % 2 === 1 ? (deviations[k] as number) : ((deviations[k] as number) + (deviations[k + 1] as number)) / 2;
          // (=== rather than Object.is: the MAD's arms may give -0 for a deviation that abs gives as 0.)
          if (handed[MAD_VALUE] !== mad)
            expect.fail(`seed ${seed}, point ${i}: MAD ${handed[MAD_VALUE]} !== ${mad} of [${sorted}]`);
          madsCompared += 1;
        }
        expect(compared).toBe(series.length - options.minPoints);
        expect(madsCompared).toBeGreaterThan(series.length / 2);
        // The window after the last value that was not finite is the last W values, in order.
        expect(d.state().mad.values).toEqual(series.slice(-W));
      }
    });
  }
});
