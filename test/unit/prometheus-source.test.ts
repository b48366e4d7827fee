/**
 * The Prometheus source's series identities, from labels as the client reads them (a fake client:
 * the client itself is tested against a real server in prometheus-client.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ServiceConfigSchema, SignalConfigSchema } from '../../src/config/config-schema.js';
import { createPrometheusSource } from '../../src/sources/create-prometheus-source.js';
import type { PrometheusClient, RangeSeries } from '../../src/sources/prometheus-client.js';

function sourceAnswering(labels: Array<Record<string, string>>) {
  const client: PrometheusClient = {
    queryRange: async (): Promise<RangeSeries[]> =>
      labels.map((l) => ({
        labels: Object.freeze(l),
        timestamps: Float64Array.of(60_000),
        values: Float64Array.of(1),
        dropped: 0,
      })),
  };
  return createPrometheusSource(client, [
    ServiceConfigSchema.parse({ name: 'checkout', namespace: 'shop', team: 'payments' }),
  ]);
}

const range = { startMs: 0, endMs: 60_000, stepSeconds: 60 };

describe('createPrometheusSource identities', () => {
  it('keeps the labels other than the service, namespace and metric name, a __proto__ label as a label', async () => {
    const signal = SignalConfigSchema.parse({ name: 'latency_p99', query: 'q', namespace_label: 'ns' });
    const metric = JSON.parse('{"__name__":"m","ns":"shop","__proto__":"x","service":"checkout","pod":"p-1"}');
    const { series } = await sourceAnswering([metric]).fetch(signal, range);
    expect(series).toHaveLength(1);
    const identity = series[0]?.identity;
    expect(identity?.service).toBe('checkout');
    expect(identity?.namespace).toBe('shop');
    expect(Object.keys(identity?.labels ?? {})).toEqual(['__proto__', 'pod']);
    expect(Object.getPrototypeOf(identity?.labels)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(identity?.labels, '__proto__')?.value).toBe('x');
    expect(series[0]?.key).toBe('shop/checkout/latency_p99{__proto__=x,pod=p-1}');
  });

  it("takes the service's configured namespace without a namespace label, and drops series without a service", async () => {
    const signal = SignalConfigSchema.parse({ name: 'errors', query: 'q' });
    const { series, rejected } = await sourceAnswering([
      { service: 'checkout', namespace: 'elsewhere', pod: 'p-1' },
      { pod: 'p-2' },
    ]).fetch(signal, range);
    expect(series.map((s) => s.key)).toEqual(['shop/checkout/errors{namespace=elsewhere,pod=p-1}']);
    expect(rejected).toBe(1);
  });
});
