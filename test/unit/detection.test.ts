import { describe, expect, it } from 'vitest';
import { AnomalyEventSchema, type MetricSample } from '../../src/contracts/index.js';
import { createDetectionEngine, type DetectionSettings } from '../../src/detection/create-detection-engine.js';
import { createRollingWindow } from '../../src/detection/rolling-window.js';
import { scoreFromStatistic, scorePoint } from '../../src/detection/score-point.js';

const T0 = Date.parse('2026-04-21T02:00:00Z');

function series(service: string, values: readonly number[], metric = 'latency_p99', startMs = T0): MetricSample[] {
  return values.map((value, i) => ({
    timestamp: new Date(startMs + i * 60_000).toISOString(),
    service,
    namespace: 'shop',
    metric_name: metric,
    value,
  }));
}

function settings(overrides: Partial<DetectionSettings> = {}): DetectionSettings {
  return {
    windowPoints: 60,
    minPoints: 5,
    zscoreThreshold: 3,
    madThreshold: 3.5,
    combine: 'all',
    stepSeconds: 60,
    directions: new Map(),
    ...overrides,
  };
}

const ingestAll = { coldStartEmitAfterMs: Number.NEGATIVE_INFINITY };

describe('detection on the seed example', () => {
  const checkout = [0.41, 0.43, 0.39, 0.45, 0.4, 0.44, 0.42, 0.46, 0.43, 1.86];
  const catalog = [0.28, 0.31, 0.29, 0.3, 0.32, 0.81];
  const samples = [...series('checkout-api', checkout), ...series('catalog-api', catalog)];

  it.each([
    ['both detectors must agree', settings()],
    ['the rolling z-score alone', settings({ combine: 'any', madThreshold: 1e9 })],
  ])('flags exactly the two spikes (%s, min_points 5, z threshold 3.0)', (_name, s) => {
    const result = createDetectionEngine(s).ingest(samples, ingestAll);
    expect(result.anomalies.map((a) => [a.service, a.value])).toEqual([
      ['checkout-api', 1.86],
      ['catalog-api', 0.81],
    ]);
    expect(result.seriesScored).toBe(2);
    // 10 - 5 checkout points and 6 - 5 catalog points have a warm baseline.
    expect(result.pointsScored).toBe(6);
  });

  it('carries the full evidence of the contract', () => {
    const [spike] = createDetectionEngine(settings()).ingest(samples, ingestAll).anomalies;
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
    expect(spike?.expected).toBeCloseTo(0.43, 2);
    expect(spike?.lower_bound).toBeLessThan(0.39);
    expect(spike?.upper_bound).toBeGreaterThan(0.46);
    expect(spike?.upper_bound).toBeLessThan(1.86);
    expect(spike?.anomaly_score).toBeGreaterThan(0.99);
    expect(spike?.evidence).toMatchObject({
      sample_count: 10,
      baseline_points: 9,
      missing_samples: 0,
      recent_deploy: null,
    });
    expect(spike?.evidence.z_score).toBeGreaterThan(30);
    expect(spike?.evidence.recent_values.at(-1)).toBe(1.86);
  });

  it('does not score before min_points (warm-up)', () => {
    const result = createDetectionEngine(settings({ minPoints: 10 })).ingest(samples, ingestAll);
    expect(result.anomalies).toEqual([]);
    expect(result.pointsScored).toBe(0);
  });
});

describe('detection rules', () => {
  const steady = Array.from({ length: 40 }, (_, i) => 100 + ((i * 7) % 5) - 2);

  it('respects the signal direction', () => {
    const drop = series('api', [...steady, 20], 'request_rate');
    const both = createDetectionEngine(settings()).ingest(drop, ingestAll).anomalies;
    expect(both.map((a) => a.direction)).toEqual(['down']);
    const upOnly = createDetectionEngine(settings({ directions: new Map([['request_rate', 'up']]) })).ingest(
      drop,
      ingestAll,
    );
    expect(upOnly.anomalies).toEqual([]);
  });

  it('scores a flat series without NaN and flags a real change', () => {
    const flat = series('api', [...Array<number>(30).fill(5), 5, 9]);
    const result = createDetectionEngine(settings()).ingest(flat, ingestAll);
    expect(result.anomalies.map((a) => a.value)).toEqual([9]);
    const [event] = result.anomalies;
    expect(Number.isFinite(event?.anomaly_score)).toBe(true);
    expect(Number.isFinite(event?.evidence.z_score)).toBe(true);
  });

  it('scores an all-zero series without NaN', () => {
    const zeros = series('api', [...Array<number>(30).fill(0), 0, 0.5], 'error_rate');
    const result = createDetectionEngine(settings()).ingest(zeros, ingestAll);
    expect(result.anomalies).toHaveLength(1);
    expect(AnomalyEventSchema.safeParse(result.anomalies[0]).success).toBe(true);
  });

  it('skips duplicate and out-of-order points across calls', () => {
    const engine = createDetectionEngine(settings());
    const points = series('api', steady);
    engine.ingest(points, ingestAll);
    const again = engine.ingest([...points.slice(-3), { ...points[0]!, value: 999 }], ingestAll);
    expect(again.skipped).toBe(4);
    expect(again.anomalies).toEqual([]);
  });

  it('counts missing samples and never reads a gap as zero', () => {
    const withGap = [
      ...series('api', steady.slice(0, 20)),
      // Ten minutes of nothing, then the series resumes at its usual level.
      ...series('api', [...steady.slice(20), 400], 'latency_p99', T0 + 30 * 60_000),
    ];
    const [event] = createDetectionEngine(settings()).ingest(withGap, ingestAll).anomalies;
    expect(event?.value).toBe(400);
    expect(event?.evidence.missing_samples).toBe(10);
    expect(event?.expected).toBeGreaterThan(95);
  });

  it('on a cold start, only recent points may raise anomalies; old ones only warm the baseline', () => {
    const history = series('api', [...steady.slice(0, 30), 500, ...steady.slice(0, 9), 600]);
    const lastTs = T0 + 40 * 60_000;
    const engine = createDetectionEngine(settings());
    const first = engine.ingest(history, { coldStartEmitAfterMs: lastTs - 5 * 60_000 });
    expect(first.anomalies.map((a) => a.value)).toEqual([600]);
    // A series already known emits every new point.
    const next = engine.ingest(series('api', [700], 'latency_p99', lastTs + 60_000), {
      coldStartEmitAfterMs: Number.POSITIVE_INFINITY,
    });
    expect(next.anomalies.map((a) => a.value)).toEqual([700]);
  });

  it('gives the same id to the same point, so re-scoring is idempotent', () => {
    const points = series('api', [...steady, 900]);
    const a = createDetectionEngine(settings()).ingest(points, ingestAll).anomalies;
    const b = createDetectionEngine(settings()).ingest(points, ingestAll).anomalies;
    expect(a[0]?.id).toBe(b[0]?.id);
    expect(a[0]?.id).toMatch(/^an_[0-9a-f]{20}$/);
  });
});

describe('scoring helpers', () => {
  it('maps a statistic to 0..1 with 0.5 at the threshold', () => {
    expect(scoreFromStatistic(0, 3)).toBe(0);
    expect(scoreFromStatistic(3, 3)).toBeCloseTo(0.5, 10);
    expect(scoreFromStatistic(-6, 3)).toBeCloseTo(0.9375, 10);
    expect(scoreFromStatistic(1e300, 3)).toBe(1);
  });

  it('is robust: one outlier in the baseline does not hide the next one from the MAD', () => {
    const baseline = [10, 11, 9, 10, 12, 10, 11, 9, 10, 500];
    const verdict = scorePoint(60, baseline, {
      zscoreThreshold: 3,
      madThreshold: 3.5,
      combine: 'any',
      direction: 'both',
    });
    expect(Math.abs(verdict.zscore.statistic)).toBeLessThan(3);
    expect(verdict.mad.statistic).toBeGreaterThan(3.5);
    expect(verdict.anomalous).toBe(true);
    expect(verdict.primary.detector).toBe('robust_mad');
  });

  it('keeps the newest values of a rolling window, oldest first', () => {
    const w = createRollingWindow(3);
    for (const v of [1, 2, 3, 4, 5]) w.push(v);
    expect(w.values()).toEqual([3, 4, 5]);
    expect(w.size()).toBe(3);
  });
});
