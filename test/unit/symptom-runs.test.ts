import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import type { ServiceEvidence } from '../../src/correlation/incident-draft.js';
import { pagingBar, pagingWeight } from '../../src/correlation/paging-weight.js';
import { addServiceEvidence, type EvidencePoint } from '../../src/correlation/service-evidence.js';
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

  it('keeps a symptom of full weight a burst while its run is within the signal’s smear', () => {
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
    expect([1, 2, 3].map((run) => pagingWeight(latency, bar, none, run))).toEqual(['burst', 'burst', undefined]);
    // A signal without a smear, and a change too small to count either way, are as they were.
    const errors = makeAnomaly('cart-api', at(0), { metric_name: 'error_rate', value: 0.4, expected: 0.1 });
    expect(pagingWeight(errors, bar, none, 1)).toBeUndefined();
    expect(pagingWeight({ ...latency, value: 0.12 }, bar, none, 5)).toBe('minor');
  });

  it('pages a burst once another signal of the service counts with it, never a burst alone', () => {
    const point = (metricName: string, minute: number, pagingWeight: EvidencePoint['pagingWeight']): EvidencePoint => ({
      service: 'cart-api',
      metricName,
      ts: end(minute),
      score: 0.9999,
      detector: 'robust_mad',
      pagingWeight,
      recentDeploy: null,
      suppressed: false,
      traffic: false,
    });
    const persistent = (points: EvidencePoint[]) => {
      const members = new Map<string, ServiceEvidence>();
      for (const p of points) addServiceEvidence(members, p);
      return members.get('cart-api')?.persistentSymptom;
    };
    // One sample smeared over two points of one series: a burst twice, not persistent.
    expect(persistent([point('latency_p99', 0, 'burst'), point('latency_p99', 1, 'burst')])).toBe(false);
    // A burst and a moderate symptom of another signal at the same point: a fault, it pages.
    expect(persistent([point('latency_p99', 0, 'burst'), point('error_rate', 0, 'moderate')])).toBe(true);
    // Either order, within a few scrapes...
    expect(persistent([point('error_rate', 0, 'moderate'), point('latency_p99', 2, 'burst')])).toBe(true);
    // ...but not minutes apart, and a minor symptom or two moderate ones corroborate nothing.
    expect(persistent([point('error_rate', 0, 'moderate'), point('latency_p99', 6, 'burst')])).toBe(false);
    expect(persistent([point('error_rate', 0, 'minor'), point('latency_p99', 0, 'burst')])).toBe(false);
    expect(persistent([point('error_rate', 0, 'moderate'), point('latency_p99', 0, 'moderate')])).toBe(false);
  });
});
