import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import {
  demandRatios,
  pagingBar,
  pagingWeight,
  platformDemand,
  trafficByService,
  widenedBar,
} from '../../src/correlation/paging-weight.js';
import type { SeriesColumns } from '../../src/sources/series-columns.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const config = ConfigSchema.parse({
  prometheus: { url: 'http://prometheus:9090' },
  signals: [
    { name: 'latency_p99', query: 'q', per_request: true },
    { name: 'error_rate', query: 'q', per_request: true, min_abs_deviation: 0.005 },
    { name: 'cpu_usage', query: 'q', page_min_change: 1, follows_demand: true },
    { name: 'request_rate', query: 'q', role: 'traffic' },
  ],
  correlation: { page_min_change: 0.5, trusted_requests_per_second: 50 },
});
const bar = pagingBar(config);
const at = '2026-04-21T02:13:00Z';
const latency = (value: number, expected: number, service = 'cart-api') =>
  makeAnomaly(service, at, { metric_name: 'latency_p99', value, expected });

function trafficSeries(service: string, values: number[]): SeriesColumns {
  return {
    key: `shop/${service}/request_rate`,
    identity: { service, namespace: 'shop', metric_name: 'request_rate', labels: {} },
    timestamps: Float64Array.from(values, (_, i) => i * 60_000),
    values: Float64Array.from(values),
  };
}

describe('how much a symptom weighs for paging', () => {
  it('follows its change from the expected value against the signal’s minimum', () => {
    const none = { rate: new Map<string, number>(), ratio: new Map<string, number>() };
    // Default 50 %: +30 % is minor, +60 % moderate, −60 % moderate, +100 % and over full weight.
    expect(pagingWeight(latency(0.13, 0.1), bar, none)).toBe('minor');
    expect(pagingWeight(latency(0.16, 0.1), bar, none)).toBe('moderate');
    expect(pagingWeight(latency(0.04, 0.1), bar, none)).toBe('moderate');
    expect(pagingWeight(latency(0.2, 0.1), bar, none)).toBeUndefined();
    // The signal's own minimum (100 %) wins over the default.
    const cpu = (value: number) => makeAnomaly('cart-api', at, { metric_name: 'cpu_usage', value, expected: 0.3 });
    expect(pagingWeight(cpu(0.5), bar, none)).toBe('minor');
    expect(pagingWeight(cpu(0.7), bar, none)).toBe('moderate');
    expect(pagingWeight(cpu(0.95), bar, none)).toBeUndefined();
    // Demand is never a symptom; absence, burn rate and an expected 0 always weigh fully.
    const rps = makeAnomaly('cart-api', at, { metric_name: 'request_rate', value: 101, expected: 100 });
    expect(pagingWeight(rps, bar, none)).toBeUndefined();
    expect(pagingWeight(latency(0.1, 0.1), bar, none)).toBe('minor');
    expect(pagingWeight({ ...latency(0.1, 0.1), detector: 'absent' }, bar, none)).toBeUndefined();
    expect(pagingWeight({ ...latency(0.1, 0.1), detector: 'slo_burn_rate' }, bar, none)).toBeUndefined();
    // Nothing to scale a change on: it must last.
    expect(pagingWeight(latency(0.001, 0), bar, none)).toBe('moderate');
  });

  it('for a per-request signal, needs a larger change the quieter the service', () => {
    // Rates of a service add up over its series; the latest value of each counts.
    const rate = trafficByService(
      [trafficSeries('busy', [900, 1000]), trafficSeries('quiet', [3, 1]), trafficSeries('quiet', [1, 1])],
      new Set(['request_rate']),
    );
    expect(rate).toEqual(
      new Map([
        ['shop/busy', 1000],
        ['shop/quiet', 2],
      ]),
    );
    const traffic = { rate, ratio: new Map<string, number>() };
    // +150 %: full weight at 1 000 requests/s, noise at 2 requests/s (the bar is 50 % × √(50 / 2) = 250 %).
    expect(pagingWeight(latency(0.25, 0.1, 'busy'), bar, traffic)).toBeUndefined();
    expect(pagingWeight(latency(0.25, 0.1, 'quiet'), bar, traffic)).toBe('minor');
    expect(pagingWeight(latency(0.36, 0.1, 'quiet'), bar, traffic)).toBe('moderate');
    expect(pagingWeight(latency(0.61, 0.1, 'quiet'), bar, traffic)).toBeUndefined();
    // Traffic unknown in this batch: taken at face value.
    expect(pagingWeight(latency(0.25, 0.1, 'elsewhere'), bar, traffic)).toBeUndefined();
    // A signal not computed from requests is not weighed by them.
    const cpu = makeAnomaly('quiet', at, { metric_name: 'cpu_usage', value: 0.95, expected: 0.3 });
    expect(pagingWeight(cpu, bar, traffic)).toBeUndefined();
  });

  it('judges load that follows demand against the expected value scaled by the demand', () => {
    const rps = (service: string, value: number, expected: number, minute: number) =>
      makeAnomaly(service, `2026-04-21T02:1${minute}:00Z`, { metric_name: 'request_rate', value, expected });
    // The latest traffic anomaly of each service gives its demand ratio; other signals are ignored.
    const ratio = demandRatios(
      [rps('surged', 200, 100, 0), rps('surged', 300, 100, 1), rps('dropped', 50, 100, 1), latency(1, 0.1)],
      new Set(['request_rate']),
    );
    expect(ratio).toEqual(
      new Map([
        ['shop/surged', 3],
        ['shop/dropped', 0.5],
      ]),
    );
    const demand = { rate: new Map<string, number>(), ratio };
    const cpu = (service: string, value: number) =>
      makeAnomaly(service, at, { metric_name: 'cpu_usage', value, expected: 0.2 });
    // CPU 3× with demand 3×: nothing; 10× with demand 3× (3.3× what demand explains): full weight.
    expect(pagingWeight(cpu('surged', 0.6), bar, demand)).toBe('minor');
    expect(pagingWeight(cpu('surged', 2), bar, demand)).toBeUndefined();
    // Demand down explains nothing going up; no demand anomaly, nothing scaled.
    expect(pagingWeight(cpu('dropped', 0.7), bar, demand)).toBeUndefined();
    expect(pagingWeight(cpu('steady', 0.7), bar, demand)).toBeUndefined();
    // Latency is not declared to follow demand: a surge does not excuse it.
    expect(pagingWeight(latency(0.3, 0.1, 'surged'), bar, demand)).toBeUndefined();
  });

  it('judges load against the platform’s demand when most of the namespace’s demand is up together', () => {
    const rps = (service: string, value: number, namespace = 'shop') =>
      makeAnomaly(service, at, { metric_name: 'request_rate', value, expected: 100, namespace });
    // Six services with traffic in shop; four of them anomalously up (1.8×, 2×, 2×, 2.4×), one down.
    const rate = new Map(['edge', 'api', 'orders', 'cart', 'search', 'worker'].map((s) => [`shop/${s}`, 50]));
    const traffic = new Set(['request_rate']);
    const ratio = demandRatios(
      [rps('edge', 180), rps('api', 200), rps('orders', 200), rps('cart', 240), rps('search', 50)],
      traffic,
    );
    const platform = platformDemand(ratio, rate);
    expect(platform).toEqual(new Map([['shop', 2]]));
    const demand = { rate, ratio, platform };
    const cpu = (service: string, value: number, namespace = 'shop') =>
      makeAnomaly(service, at, { metric_name: 'cpu_usage', value, expected: 0.3, namespace });
    // The worker's own traffic moved within its band: its CPU doubling with the platform is context...
    expect(pagingWeight(cpu('worker', 0.62), bar, demand)).toBe('minor');
    // ...CPU far beyond what demand explains still pages. A service's own demand comes first: its
    // demand down explains nothing going up, while the platform's is up.
    expect(pagingWeight(cpu('worker', 2), bar, demand)).toBeUndefined();
    expect(pagingWeight(cpu('search', 0.62), bar, demand)).toBe('moderate');
    expect(pagingWeight(cpu('edge', 0.62), bar, demand)).toBe('minor');
    // Latency is not declared to follow demand; another namespace has its own demand.
    expect(pagingWeight(latency(0.3, 0.1, 'worker'), bar, demand)).toBeUndefined();
    expect(pagingWeight(cpu('worker', 0.95, 'other'), bar, demand)).toBeUndefined();
    // Two of six up together is no platform-wide ramp, nor are fewer than three services.
    expect(platformDemand(demandRatios([rps('edge', 180), rps('api', 200)], traffic), rate)).toEqual(new Map());
    const small = new Map([
      ['shop/edge', 50],
      ['shop/api', 50],
    ]);
    expect(platformDemand(demandRatios([rps('edge', 180), rps('api', 200)], traffic), small)).toEqual(new Map());
    // Configured off (share 0), or asking for all of them up: nothing.
    expect(platformDemand(ratio, rate, 0)).toEqual(new Map());
    expect(platformDemand(ratio, rate, 1)).toEqual(new Map());
  });

  it('a widened bar asks that many times the change of every symptom signal', () => {
    const none = { rate: new Map<string, number>(), ratio: new Map<string, number>() };
    const wide = widenedBar(bar, 2);
    // Latency 2.5× its expected value: full weight on the usual bar, moderate on one twice as wide;
    // 3× (a little more, as floating point has it) is full weight on both.
    expect(pagingWeight(latency(0.25, 0.1), bar, none)).toBeUndefined();
    expect(pagingWeight(latency(0.25, 0.1), wide, none)).toBe('moderate');
    expect(pagingWeight(latency(0.31, 0.1), wide, none)).toBeUndefined();
    // CPU (page_min_change 1): 3× is full weight usually, moderate widened; 5× full weight.
    const cpu = (value: number) => makeAnomaly('cart-api', at, { metric_name: 'cpu_usage', value, expected: 0.1 });
    expect(pagingWeight(cpu(0.31), bar, none)).toBeUndefined();
    expect(pagingWeight(cpu(0.31), wide, none)).toBe('moderate');
    expect(pagingWeight(cpu(0.51), wide, none)).toBeUndefined();
    // The bar it was made from is left as it was.
    expect(bar.minChange.get('latency_p99')).toBe(0.5);
  });

  it('judges a change from an expected 0 in units of the signal’s smallest meaningful deviation', () => {
    const rate = new Map([
      ['shop/busy', 500],
      ['shop/quiet', 1.25],
    ]);
    const demand = { rate, ratio: new Map<string, number>() };
    const errors = (service: string, value: number) =>
      makeAnomaly(service, at, { metric_name: 'error_rate', value, expected: 0 });
    // min_abs_deviation 0.005 is the minimum change: 0.5-1 % moderate, from 1 % full weight...
    expect(pagingWeight(errors('busy', 0.007), bar, demand)).toBe('moderate');
    expect(pagingWeight(errors('busy', 0.012), bar, demand)).toBeUndefined();
    // ...times √(50 / 1.25) = 6.3 at a quiet service: one error in a hundred requests is noise.
    expect(pagingWeight(errors('quiet', 0.012), bar, demand)).toBe('minor');
    expect(pagingWeight(errors('quiet', 0.07), bar, demand)).toBeUndefined();
  });
});
