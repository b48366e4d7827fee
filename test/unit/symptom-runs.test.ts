import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { pagingBar, pagingWeight } from '../../src/correlation/paging-weight.js';
import { createSymptomRuns } from '../../src/correlation/symptom-runs.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const at = (minute: number) => `2026-04-21T02:${String(minute).padStart(2, '0')}:00Z`;
const end = (minute: number) => Date.parse(at(minute));

describe('runs of anomalous points and the smear of a rate window', () => {
  it('counts consecutive points of a series across cycles, and starts again after a gap', () => {
    const runs = createSymptomRuns(60_000);
    const a = (service: string, minute: number) => makeAnomaly(service, at(minute));
    expect(runs.observe([a('cart-api', 0), a('cart-api', 1), a('search-api', 1)], end(1))).toEqual([1, 2, 1]);
    // The next cycle goes on from where the last one ended...
    expect(runs.observe([a('cart-api', 2), a('search-api', 2)], end(2))).toEqual([3, 2]);
    // ...a quiet point ends a run, and a series quiet at a cycle's end is forgotten.
    expect(runs.observe([a('cart-api', 3)], end(3))).toEqual([4]);
    expect(runs.observe([a('cart-api', 5), a('search-api', 5)], end(5))).toEqual([1, 1]);
  });

  it('keeps a symptom of full weight moderate while its run is within the signal’s smear', () => {
    const config = ConfigSchema.parse({
      prometheus: { url: 'http://prometheus:9090' },
      signals: [
        { name: 'latency_p99', query: 'q', smear_points: 2 },
        { name: 'error_rate', query: 'q' },
      ],
    });
    const bar = pagingBar(config);
    const none = { rate: new Map<string, number>(), ratio: new Map<string, number>() };
    const latency = makeAnomaly('cart-api', at(0), { value: 0.4, expected: 0.1 });
    expect([1, 2, 3].map((run) => pagingWeight(latency, bar, none, run))).toEqual(['moderate', 'moderate', undefined]);
    // A signal without a smear, and a change too small to count either way, are as they were.
    const errors = makeAnomaly('cart-api', at(0), { metric_name: 'error_rate', value: 0.4, expected: 0.1 });
    expect(pagingWeight(errors, bar, none, 1)).toBeUndefined();
    expect(pagingWeight({ ...latency, value: 0.12 }, bar, none, 5)).toBe('minor');
  });
});
