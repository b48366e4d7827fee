import type { GaugeSeries } from './real-prometheus.js';

const MINUTE = 60;

/** Deterministic noise in [-0.5, 0.5), so a backfilled history is the same on every run. */
export function seededNoise(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  };
}

/** A service's p99 latency (seconds): steady around `latency`, `factor` times it from `faultAt` on. */
export interface LatencyStep {
  service: string;
  latency: number;
  faultAt: number;
  factor: number;
}

/**
 * One-minute `shop_latency_p99_seconds` series (namespace shop) from `from` to `to` (unix seconds),
 * one per step, with ±`jitter`/2 relative noise drawn from one seeded sequence, service after service.
 */
export function latencyHistory(
  steps: readonly LatencyStep[],
  from: number,
  to: number,
  seed = 11,
  jitter = 0.05,
): GaugeSeries[] {
  const rand = seededNoise(seed);
  return steps.map((s) => {
    const series: GaugeSeries = {
      name: 'shop_latency_p99_seconds',
      labels: { service: s.service, namespace: 'shop' },
      points: [],
    };
    for (let t = from; t <= to; t += MINUTE)
      series.points.push([t, +(s.latency * (1 + jitter * rand()) * (t >= s.faultAt ? s.factor : 1)).toFixed(5)]);
    return series;
  });
}
