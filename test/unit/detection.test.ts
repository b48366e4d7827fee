import { medianAbsoluteDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema, SignalConfigSchema } from '../../src/config/config-schema.js';
import { type AnomalyEvent, AnomalyEventSchema, seriesKeyOf } from '../../src/contracts/index.js';
import { createDetectionEngine, type PersistedSeries } from '../../src/detection/create-detection-engine.js';
import { createSeriesDetector } from '../../src/detection/create-series-detector.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';
import type { SeriesColumns } from '../../src/sources/series-columns.js';
import { createDetectorStateRepo } from '../../src/storage/detector-state-repo.js';
import { openDatabase } from '../../src/storage/open-database.js';

const T0 = Date.parse('2026-04-21T02:00:00Z');

/** One series of evenly spaced points, as a source delivers it (a batch of one). */
function series(
  service: string,
  values: readonly number[],
  metric = 'latency_p99',
  startMs = T0,
  stepMs = 60_000,
): SeriesColumns[] {
  const identity = { service, namespace: 'shop', metric_name: metric, labels: {} };
  return [
    {
      key: seriesKeyOf(identity),
      identity,
      timestamps: Float64Array.from(values, (_, i) => startMs + i * stepMs),
      values: Float64Array.from(values),
    },
  ];
}

function engine(detection: Record<string, unknown> = {}, signals: Array<Record<string, unknown>> = []) {
  return createDetectionEngine({
    detection: DetectionConfigSchema.parse({ window_points: 60, min_points: 5, zscore_threshold: 3, ...detection }),
    stepSeconds: 60,
    signals: signals.map((s) => SignalConfigSchema.parse({ query: 'x', ...s })),
  });
}

const ingestAll = { coldStartEmitAfterMs: Number.NEGATIVE_INFINITY };

describe('the engine on the seed example', () => {
  const checkout = [0.41, 0.43, 0.39, 0.45, 0.4, 0.44, 0.42, 0.46, 0.43, 1.86];
  const catalog = [0.28, 0.31, 0.29, 0.3, 0.32, 0.81];
  const samples = [...series('checkout-api', checkout), ...series('catalog-api', catalog)];

  it('flags exactly the two spikes (min_points 5, z threshold 3.0)', () => {
    const result = engine().ingest(samples, ingestAll);
    expect(result.anomalies.map((a) => [a.service, a.value])).toEqual([
      ['checkout-api', 1.86],
      ['catalog-api', 0.81],
    ]);
    expect(result.seriesScored).toBe(2);
    // 10 - 5 checkout points and 6 - 5 catalog points have a warm baseline.
    expect(result.pointsScored).toBe(6);
  });

  it('carries the full evidence of the contract, every detector included', () => {
    const [spike] = engine().ingest(samples, ingestAll).anomalies;
    expect(AnomalyEventSchema.parse(spike)).toEqual(spike);
    expect(spike).toMatchObject({
      service: 'checkout-api',
      namespace: 'shop',
      metric_name: 'latency_p99',
      series_key: 'shop/checkout-api/latency_p99',
      timestamp: new Date(T0 + 9 * 60_000).toISOString(),
      window_seconds: 3600,
      direction: 'up',
      value: 1.86,
    });
    expect(spike?.lower_bound).toBeLessThan(0.43);
    expect(spike?.upper_bound).toBeGreaterThan(0.43);
    expect(spike?.upper_bound).toBeLessThan(1.86);
    expect(spike?.evidence).toMatchObject({
      sample_count: 10,
      baseline_points: 9,
      missing_samples: 0,
      recent_deploy: null,
    });
    expect(spike?.evidence.z_score).toBeGreaterThan(30);
    expect(spike?.evidence.recent_values.at(-1)).toBe(1.86);
    const fired = spike?.evidence.detectors?.filter((d) => d.fired).map((d) => d.name);
    expect(fired).toEqual(expect.arrayContaining(['rolling_zscore', 'robust_mad']));
    expect(fired).toContain(spike?.detector);
  });

  it('does not score before min_points (warm-up)', () => {
    const result = engine({ min_points: 10 }).ingest(samples, ingestAll);
    expect(result.anomalies).toEqual([]);
    expect(result.pointsScored).toBe(0);
  });
});

/** Deterministic noise in [-1, 1]. */
function noise(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return (x / 2147483647) * 2 - 1;
  };
}

describe('detectors on constructed signals', () => {
  it('a step: the spike detectors catch its start; the level-shift detector still sees it after they adapt', () => {
    const rand = noise(3);
    const values = [
      ...Array.from({ length: 200 }, () => 100 + rand()),
      ...Array.from({ length: 80 }, () => 108 + rand()),
    ];
    const result = engine({ window_points: 60, min_points: 30 }).ingest(series('api', values), ingestAll);
    const byDetector = (name: string) =>
      result.anomalies.filter((a) => a.detector === name).map((a) => Date.parse(a.timestamp));
    const stepAt = T0 + 200 * 60_000;
    expect(result.anomalies.every((a) => Date.parse(a.timestamp) >= stepAt)).toBe(true);
    expect(Math.min(...result.anomalies.map((a) => Date.parse(a.timestamp)))).toBe(stepAt);
    const levelShift = result.anomalies.filter((a) =>
      a.evidence.detectors?.some((d) => d.name === 'level_shift' && d.fired),
    );
    // Long after the z-score's window has filled with the new level, the two-window test still fires.
    const lastLevelShift = Math.max(...levelShift.map((a) => Date.parse(a.timestamp)));
    expect(lastLevelShift).toBeGreaterThan(stepAt + 50 * 60_000);
    expect(byDetector('rolling_zscore').length).toBeGreaterThan(0);
  });

  it('a seasonal day: the usual daily peak is not anomalous, the same value at night is', () => {
    const rand = noise(5);
    // Five days at 5-minute steps: 10 at night, 50 from 09:00 to 17:00.
    const step = 5 * 60_000;
    const start = Date.parse('2026-04-13T00:00:00Z');
    const values: number[] = [];
    for (let i = 0; i < 5 * 288; i += 1) {
      const hour = new Date(start + i * step).getUTCHours();
      const night = i === 4 * 288 + 12 * 2; // day 5, 02:00
      values.push((night ? 50 : hour >= 9 && hour < 17 ? 50 : 10) + rand());
    }
    const points = series('api', values, 'rps', start, step);
    const e = createDetectionEngine({
      detection: DetectionConfigSchema.parse({
        window_points: 24,
        min_points: 12,
        zscore_threshold: 1e6,
        mad_threshold: 1e6,
        level_shift_threshold: 1e6,
      }),
      stepSeconds: 300,
      signals: [],
    });
    const result = e.ingest(points, ingestAll);
    const seasonal = result.anomalies.filter((a) => a.detector === 'seasonal');
    expect(seasonal.map((a) => a.timestamp)).toEqual(['2026-04-17T02:00:00.000Z']);
    expect(seasonal[0]?.expected).toBeLessThan(15);
  });

  it('says how many days of the hour the seasonal baseline knew: none in a series’ first day', () => {
    const rand = noise(7);
    // A nightly job: 10 all day, 40 from 02:00 to 02:30, four days at 5-minute steps.
    const step = 5 * 60_000;
    const start = Date.parse('2026-04-13T00:00:00Z');
    const values = Array.from({ length: 4 * 288 }, (_, i) => {
      const t = new Date(start + i * step);
      return (t.getUTCHours() === 2 && t.getUTCMinutes() < 30 ? 40 : 10) + rand();
    });
    const run = (seasonal: boolean) =>
      createDetectionEngine({
        detection: DetectionConfigSchema.parse({ window_points: 24, min_points: 12, seasonal }),
        stepSeconds: 300,
        signals: [],
      }).ingest(series('db', values, 'cpu_usage', start, step), ingestAll).anomalies;
    const job = run(true).filter((a) => new Date(a.timestamp).getUTCHours() === 2);
    const day = (a: AnomalyEvent) => Math.floor((Date.parse(a.timestamp) - start) / 86_400_000);
    // The first night the hour is new to the seasonal baseline: 0 days; the second night it knows one.
    // From the third, the hour's two days explain the job: no anomaly at all.
    expect(job.filter((a) => day(a) === 0).length).toBeGreaterThan(0);
    expect(job.filter((a) => day(a) === 0).map((a) => a.evidence.seasonal_days)).toEqual(
      job.filter((a) => day(a) === 0).map(() => 0),
    );
    expect(job.filter((a) => day(a) === 1).every((a) => a.evidence.seasonal_days === 1)).toBe(true);
    expect(job.filter((a) => day(a) >= 2)).toEqual([]);
    // Without a seasonal detector nothing is known either way.
    expect(run(false).every((a) => a.evidence.seasonal_days === undefined)).toBe(true);
  });

  it('a gap is counted in the evidence, never read as zeros', () => {
    const steady = Array.from({ length: 40 }, (_, i) => 100 + ((i * 7) % 5) - 2);
    const withGap = [
      ...series('api', steady.slice(0, 20)),
      ...series('api', [...steady.slice(20), 400], 'latency_p99', T0 + 30 * 60_000),
    ];
    const [event] = engine().ingest(withGap, ingestAll).anomalies;
    expect(event?.value).toBe(400);
    expect(event?.evidence.missing_samples).toBe(10);
    expect(event?.expected).toBeGreaterThan(95);
  });

  it('a flat line: no NaN, and a real change is flagged with finite evidence', () => {
    // (5 to 9 is within a whole count's own noise: count_noise_floor.)
    const result = engine().ingest(series('api', [...Array<number>(30).fill(5), 5, 20]), ingestAll);
    expect(result.anomalies.map((a) => a.value)).toEqual([20]);
    expect(AnomalyEventSchema.safeParse(result.anomalies[0]).success).toBe(true);
    const zeros = engine().ingest(series('api', [...Array<number>(30).fill(0), 0, 0.5], 'error_rate'), ingestAll);
    expect(zeros.anomalies).toHaveLength(1);
    expect(AnomalyEventSchema.safeParse(zeros.anomalies[0]).success).toBe(true);
  });

  it('respects direction and the minimum absolute deviation of a signal', () => {
    const steady = Array.from({ length: 40 }, (_, i) => 100 + ((i * 7) % 5) - 2);
    const drop = series('api', [...steady, 20], 'request_rate');
    expect(
      engine()
        .ingest(drop, ingestAll)
        .anomalies.map((a) => a.direction),
    ).toEqual(['down']);
    expect(engine({}, [{ name: 'request_rate', direction: 'up' }]).ingest(drop, ingestAll).anomalies).toEqual([]);
    expect(engine({}, [{ name: 'request_rate', min_abs_deviation: 500 }]).ingest(drop, ingestAll).anomalies).toEqual(
      [],
    );
  });

  it('a series younger than the rarity asks for pages a spike taller than all it has shown, not one as tall', () => {
    // 5-minute steps: a day is 288 points, and 0.999 asks for 1 000 points of history. At 700 the
    // most a calibration can say is "rarer than everything so far", so that is what is asked.
    const run = (second: number) => {
      // The gate's arithmetic on the values as they are (the square-root scale moves where 16 falls).
      const d = createSeriesDetector(
        seriesDetectorOptions(DetectionConfigSchema.parse({ seasonal: false, value_scale: 'linear' }), 300_000),
      );
      const rand = noise(5);
      let reading = d.update(10, T0);
      for (let i = 1; i <= 700; i += 1) {
        const v = i === 400 ? 16 : i === 700 ? second : 10 + rand();
        reading = d.update(v, T0 + i * 300_000);
      }
      return { anomalous: reading.anomalous, score: reading.primary.score };
    };
    const taller = run(16.5);
    expect(taller.anomalous).toBe(true);
    // Rarer than everything so far, though not yet 1 in 1 000: the default gate alone would refuse it.
    expect(taller.score).toBeLessThan(0.999);
    expect(run(16).anomalous).toBe(false);
  });

  it('SLO burn rate: fires when both windows of a pair burn fast, stays quiet on a blip', () => {
    const signal = { name: 'error_rate', direction: 'up', slo: { objective: 0.999 } };
    const e = engine({ zscore_threshold: 1e6, mad_threshold: 1e6, level_shift_threshold: 1e6, seasonal: false }, [
      signal,
    ]);
    // 2 hours at 0.05% errors (half the budget), a 1-minute blip to 5%, then a sustained 5% (50×).
    const base = Array<number>(120).fill(0.0005);
    const blip = e.ingest(series('api', [...base, 0.05, 0.0005, 0.0005], 'error_rate'), ingestAll);
    expect(blip.anomalies).toEqual([]);
    const burning = e.ingest(series('api', Array<number>(30).fill(0.05), 'error_rate', T0 + 123 * 60_000), ingestAll);
    const first = burning.anomalies[0];
    expect(first?.detector).toBe('slo_burn_rate');
    expect(first?.expected).toBeCloseTo(0.001, 10);
    // The 1 h window reaches 14.4× after ~15 min at 50× (the earlier blip counts in it too); the 6 h
    // pair, averaged over the 2.3 h seen so far, gets there at about the same time.
    const minutes = (Date.parse(first?.timestamp ?? '') - (T0 + 123 * 60_000)) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(10);
    expect(minutes).toBeLessThanOrEqual(16);
    // Once burning, every later minute of the burn is anomalous.
    expect(burning.anomalies).toHaveLength(30 - minutes);
  });

  it('reports a series that stops reporting once, not every tick', () => {
    const e = engine();
    e.ingest(series('api', [1, 2, 1, 2, 1, 2]), ingestAll);
    const last = T0 + 5 * 60_000;
    const metrics = new Set(['latency_p99']);
    expect(e.absent(last + 5 * 60_000, metrics)).toEqual([]);
    const absent = e.absent(last + 11 * 60_000, metrics);
    expect(absent).toHaveLength(1);
    expect(absent[0]).toMatchObject({ detector: 'absent', service: 'api', evidence: { missing_samples: 11 } });
    expect(AnomalyEventSchema.safeParse(absent[0]).success).toBe(true);
    expect(e.absent(last + 20 * 60_000, metrics)).toEqual([]);
    // A metric whose query failed says nothing about its series.
    const e2 = engine();
    e2.ingest(series('api', [1, 2, 1]), ingestAll);
    expect(e2.absent(T0 + 60 * 60_000, new Set())).toEqual([]);
  });
});

describe('bad input', () => {
  it('skips duplicate, out-of-order, non-finite points and survives huge values', () => {
    const e = engine();
    const steady = Array.from({ length: 40 }, (_, i) => 100 + ((i * 7) % 5) - 2);
    const [points] = series('api', steady);
    e.ingest([points!], ingestAll);
    // The last three points again, the first point with another value, a point with no valid time.
    const { timestamps, values } = points!;
    const again = e.ingest(
      [
        {
          ...points!,
          timestamps: Float64Array.of(...timestamps.subarray(-3), T0, Number.NaN),
          values: Float64Array.of(...values.subarray(-3), 999, 1),
        },
      ],
      ingestAll,
    );
    expect(again.skipped).toBe(5);
    expect(again.anomalies).toEqual([]);
    const huge = e.ingest(series('api', [1e300, -1e300, 5], 'latency_p99', T0 + 40 * 60_000), ingestAll);
    for (const a of huge.anomalies) expect(AnomalyEventSchema.safeParse(a).success).toBe(true);
  });

  it('scores a series delivered out of order, or in two parts, as the same series in time order', () => {
    const [inOrder] = series('api', [...Array.from({ length: 40 }, (_, i) => 100 + (i % 3)), 900, 101, 100]);
    const { timestamps, values } = inOrder!;
    const expected = engine().ingest([inOrder!], ingestAll);
    expect(expected.anomalies.map((a) => a.value)).toEqual([900]);
    const reversed = { ...inOrder!, timestamps: timestamps.slice().reverse(), values: values.slice().reverse() };
    expect(engine().ingest([reversed], ingestAll)).toEqual(expected);
    // The caller's arrays are read, never reordered in place.
    expect(reversed.timestamps[0]).toBe(timestamps.at(-1));
    const later = { ...inOrder!, timestamps: timestamps.subarray(20), values: values.subarray(20) };
    const earlier = { ...inOrder!, timestamps: timestamps.subarray(0, 20), values: values.subarray(0, 20) };
    expect(engine().ingest([later, earlier], ingestAll)).toEqual(expected);
  });

  it('gives the same id to the same point, so re-scoring is idempotent', () => {
    const points = series('api', [...Array.from({ length: 40 }, (_, i) => 100 + (i % 3)), 900]);
    const a = engine().ingest(points, ingestAll).anomalies;
    const b = engine().ingest(points, ingestAll).anomalies;
    expect(a[0]?.id).toBe(b[0]?.id);
    expect(a[0]?.id).toMatch(/^an_[0-9a-f]{20}$/);
  });
});

describe('state survives a restart', () => {
  const rand = noise(11);
  const history = series(
    'api',
    Array.from({ length: 300 }, () => 50 + 5 * rand()),
  );
  const nextValues = [50, 52, 49, 90, 91, 93, 51, 50];
  const nextStart = T0 + 300 * 60_000;
  const next = (from: number, to = nextValues.length) =>
    series('api', nextValues.slice(from, to), 'latency_p99', nextStart + from * 60_000);
  // Restored series are not cold: their new points may alert at once.
  const options = { coldStartEmitAfterMs: Number.POSITIVE_INFINITY };

  /** Saved to a real SQLite file by the repo, read back as a restarted process would. */
  function throughStore(saved: PersistedSeries[]): PersistedSeries[] {
    const db = openDatabase(':memory:');
    try {
      createDetectorStateRepo(db).save(saved, new Date(T0).toISOString());
      return createDetectorStateRepo(db).loadAll();
    } finally {
      db.close();
    }
  }

  it('an engine restored from saved bytes scores the next points exactly as the original, mid-episode too', () => {
    const original = engine({ min_points: 30 });
    original.ingest(history, ingestAll);
    original.ingest(next(0, 4), options);
    const saved = original.exportSeries();
    // One blob per series, the typed arrays as they are: a few KB, no JSON.
    expect(saved).toHaveLength(1);
    expect(saved[0]?.state.byteLength).toBeGreaterThan(4000);
    expect(saved[0]?.state.byteLength).toBeLessThan(12_000);
    const restored = engine({ min_points: 30 });
    expect(restored.importSeries(throughStore(saved))).toEqual({ restored: 1, rejected: [] });
    expect(restored.exportSeries()[0]?.state).toEqual(saved[0]?.state);
    const a = original.ingest(next(4), options);
    const b = restored.ingest(next(4), options);
    expect(a.anomalies.map((x) => x.value)).toEqual([91, 93, 51, 50]);
    expect(b.anomalies).toEqual(a.anomalies);
    expect(restored.exportSeries()[0]?.state).toEqual(original.exportSeries()[0]?.state);
    // Points it already saw are skipped, not re-scored.
    const last5 = history.map((s) => ({ ...s, timestamps: s.timestamps.slice(-5), values: s.values.slice(-5) }));
    expect(restored.ingest(last5, options).skipped).toBe(5);
  });

  it('gaps and last values go on across a restart, and a gap leaves the evidence with its window', () => {
    const steady = (n: number, from: number) => Array.from({ length: n }, (_, i) => 100 + (((from + i) * 7) % 5) - 2);
    const minute = 60_000;
    // 30 points, 3 missing, 12 points (the restart), 4 more missing, 5 points and a spike, then
    // steady until both gaps have left the window of 20 and a second spike.
    const first = [...series('api', steady(30, 0)), ...series('api', steady(12, 30), 'latency_p99', T0 + 33 * minute)];
    const rest = [
      ...series('api', [...steady(5, 42), 400], 'latency_p99', T0 + 49 * minute),
      ...series('api', [...steady(40, 48), 420], 'latency_p99', T0 + 55 * minute),
    ];
    const original = engine({ window_points: 20 });
    original.ingest(first, ingestAll);
    const saved = throughStore(original.exportSeries());
    const restored = engine({ window_points: 20 });
    expect(restored.importSeries(saved)).toEqual({ restored: 1, rejected: [] });
    expect(restored.exportSeries()[0]?.state).toEqual(original.exportSeries()[0]?.state);
    const a = original.ingest(rest, ingestAll).anomalies;
    const b = restored.ingest(rest, ingestAll).anomalies;
    expect(b).toEqual(a);
    const spikes = a.filter((x) => x.value >= 400);
    expect(spikes.map((x) => x.evidence.missing_samples)).toEqual([7, 0]);
    expect(spikes[0]?.evidence.recent_values.slice(-3)).toEqual([...steady(2, 45), 400]);
    expect(spikes[1]?.evidence.recent_values).toHaveLength(30);
    expect(restored.exportSeries()[0]?.state).toEqual(original.exportSeries()[0]?.state);
  });

  it('bytes saved under other detection options are refused, and those series start cold', () => {
    const original = engine({ min_points: 30 });
    original.ingest(history, ingestAll);
    const saved = throughStore(original.exportSeries());
    const other = engine({ min_points: 30, window_points: 90 });
    const result = other.importSeries(saved);
    expect(result.restored).toBe(0);
    expect(result.rejected).toEqual([
      { key: 'shop/api/latency_p99', reason: expect.stringMatching(/other detection options or another layout/) },
    ]);
    expect(other.seriesCount()).toBe(0);
    // Cut short or of another format: refused too, never misread.
    const blob = saved[0]?.state as Uint8Array;
    const same = engine({ min_points: 30 });
    const cut = same.importSeries([{ ...(saved[0] as PersistedSeries), state: blob.subarray(0, blob.length - 8) }]);
    expect(cut.rejected[0]?.reason).toMatch(/bytes, the header announces/);
    const newer = Uint8Array.from(blob);
    newer[0] = 99;
    expect(same.importSeries([{ ...(saved[0] as PersistedSeries), state: newer }]).rejected[0]?.reason).toMatch(
      /format 99/,
    );
  });

  it('a reported absence is a change no replay redoes: it is handed out to be saved at once', () => {
    const e = engine({ absent_after_seconds: 600 });
    e.ingest(history, ingestAll);
    expect(e.takeUnreplayable()).toEqual([]);
    const lastMs = T0 + 299 * 60_000;
    expect(e.absent(lastMs + 11 * 60_000, new Set(['latency_p99']))).toHaveLength(1);
    expect(e.takeUnreplayable()).toEqual(['shop/api/latency_p99']);
    expect(e.takeUnreplayable()).toEqual([]);
    const restored = engine({ absent_after_seconds: 600 });
    restored.importSeries(throughStore(e.exportSeries()));
    // Restored as reported: not reported a second time.
    expect(restored.absent(lastMs + 12 * 60_000, new Set(['latency_p99']))).toEqual([]);
  });
});

describe('building blocks', () => {
  it('the robust MAD detector agrees with simple-statistics on a sliding window', () => {
    const d = createSeriesDetector(
      seriesDetectorOptions(
        // Its window holds the values as they are: the linear scale (value-scale.ts).
        DetectionConfigSchema.parse({ window_points: 25, min_points: 25, mad_threshold: 4, value_scale: 'linear' }),
        60_000,
      ),
    );
    const rand = noise(17);
    const values: number[] = [];
    let checked = 0;
    for (let i = 0; i < 300; i += 1) {
      // In single precision, as the detectors keep every value (see SingleArray).
      const v = Math.fround(Math.round(rand() * 1000) / 10);
      const r = d.update(v, T0 + i * 60_000);
      const mad = r.verdicts.find((x) => x.name === 'robust_mad');
      if (values.length >= 25) {
        const win = values.slice(-25);
        const sorted = [...win].sort((x, y) => x - y);
        const median = sorted[12] as number;
        // Floored by the series' typical point-to-point change (the scale the point was read with).
        const scale = d.state().scale;
        const sigma = Math.max(1.4826 * medianAbsoluteDeviation(win), Math.abs(median) * 0.01, scale, 1e-9);
        expect(mad?.statistic).toBeCloseTo((v - median) / sigma, 6);
        if (r.primary.name === 'robust_mad') expect(r.expected).toBeCloseTo(median, 9);
        checked += 1;
      }
      values.push(v);
      // Its window is the last 25 values in arrival order.
      expect(d.state().mad.values).toEqual(values.slice(-25));
    }
    expect(checked).toBe(275);
  });
});
