/**
 * Recalibration reads a signal a slice of services at a time. The narrowed query is checked on a
 * real Prometheus (backfilled with promtool): both forms keep exactly the slice's series, service
 * names with regex and string metacharacters included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../src/sources/prometheus-client.js';
import { restrictToServices } from '../../src/sources/restrict-to-services.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

const SERVICES = ['api', 'api.v2', 'apixv2', 'billing', 'cart+1'];

describe('restrictToServices on a real Prometheus', () => {
  let prometheus: RealPrometheus;
  const end = Math.floor(Date.now() / 60_000) * 60 - 3600;

  beforeAll(async () => {
    const series: GaugeSeries[] = [];
    for (const service of SERVICES) {
      for (const pod of ['a', 'b']) {
        const points: Array<[number, number]> = [];
        for (let t = end - 600; t <= end; t += 60) points.push([t, 1]);
        series.push({ name: 'work_load', labels: { service, pod }, points });
      }
    }
    prometheus = await startRealPrometheus(series);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  const servicesIn = async (query: string) => {
    const client = createPrometheusClient({ baseUrl: prometheus.url, timeoutMs: 5000 });
    const answer = await client.queryRange({ query, start: end - 300, end, stepSeconds: 60 });
    return answer.map((s) => s.labels.service).sort();
  };

  it('wraps any query with `and on(label)` when it has no {{services}}', async () => {
    const query = restrictToServices('sum by (service) (work_load)', 'service', ['api.v2', 'cart+1']);
    expect(await servicesIn(query)).toEqual(['api.v2', 'cart+1']);
  });

  it('fills {{services}} with an escaped regex, so "api.v2" does not match "api" or "apixv2"', async () => {
    const query = restrictToServices('sum by (service) (work_load{service=~"{{services}}"})', 'service', ['api.v2']);
    expect(await servicesIn(query)).toEqual(['api.v2']);
    const all = restrictToServices('sum by (service) (work_load{service=~"{{services}}"})', 'service');
    expect(await servicesIn(all)).toEqual([...SERVICES].sort());
  });

  it('leaves the whole signal alone when no slice is asked for', () => {
    expect(restrictToServices('sum by (service) (work_load)', 'service')).toBe('sum by (service) (work_load)');
  });
});
