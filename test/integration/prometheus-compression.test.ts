/**
 * Range answers come plain unless gzip is configured: gzipping is most of what a range query costs
 * Prometheus (see prometheus.compression in config-schema.ts). Checked on a real Prometheus
 * (backfilled with promtool): what it sent (its Content-Encoding) and that both encodings give the
 * same series, value for value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../src/sources/prometheus-client.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

describe('prometheus.compression on a real Prometheus', () => {
  let prometheus: RealPrometheus;
  const end = Math.floor(Date.now() / 60_000) * 60 - 3600;

  beforeAll(async () => {
    const series: GaugeSeries[] = [];
    for (let pod = 0; pod < 20; pod += 1) {
      const points: Array<[number, number]> = [];
      for (let t = end - 3600; t <= end; t += 60) points.push([t, pod + Math.sin(t / 600)]);
      series.push({ name: 'work_load', labels: { service: 'api', pod: `p${pod}` }, points });
    }
    prometheus = await startRealPrometheus(series);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  async function read(compression: 'none' | 'gzip') {
    const encodings: Array<string | null> = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      encodings.push(response.headers.get('content-encoding'));
      return response;
    };
    const client = createPrometheusClient({ baseUrl: prometheus.url, timeoutMs: 5000, fetch: recording, compression });
    const answer = await client.queryRange({ query: 'work_load', start: end - 3600, end, stepSeconds: 60 });
    const byPod = answer
      .map((s) => ({ pod: s.labels.pod, timestamps: [...s.timestamps], values: [...s.values] }))
      .sort((a, b) => String(a.pod).localeCompare(String(b.pod)));
    return { encodings, byPod };
  }

  it('asks for plain answers by default and gzipped ones when configured, with the same series', async () => {
    const plain = await read('none');
    const gzipped = await read('gzip');
    expect(plain.encodings).toEqual([null]);
    expect(gzipped.encodings).toEqual(['gzip']);
    expect(plain.byPod).toHaveLength(20);
    expect(plain.byPod[0]?.timestamps).toHaveLength(61);
    expect(gzipped.byPod).toEqual(plain.byPod);
  });
});
