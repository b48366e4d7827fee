/**
 * A signal may return any number of series: 5 000 pods × 125 points (a cold start's warm-up
 * window) from a real Prometheus, backfilled with promtool, are scored in one cycle. Spreading a
 * batch this size into call arguments (`push(...samples)`) throws a RangeError in V8, which used to
 * fail every cycle of an installation with 1 000 pods. Real Prometheus, real SQLite; Slack's Web
 * API is the local double.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

const PODS = 5_000;
const POINTS = 125;

describe('a signal with thousands of series', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  const end = Math.floor(Date.now() / 60_000) * 60 - 3600;

  beforeAll(async () => {
    const series: GaugeSeries[] = [];
    for (let pod = 0; pod < PODS; pod += 1) {
      const points: Array<[number, number]> = [];
      for (let i = 0; i < POINTS; i += 1) points.push([end - (POINTS - 1 - i) * 60, 0.2 + ((pod + i) % 7) * 0.001]);
      series.push({ name: 'pod_latency', labels: { service: 'api', pod: `api-${pod}` }, points });
    }
    prometheus = await startRealPrometheus(series);
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'vigil-many-'));
    vigil = await startVigil({
      config: ConfigSchema.parse({
        prometheus: { url: prometheus.url, timeout_ms: 30_000 },
        slack: { mode: 'http', port: 0 },
        http: { health_port: 0 },
        teams: { core: { channel: '#core' } },
        services: [{ name: 'api', namespace: 'prod', team: 'core' }],
        signals: [{ name: 'latency_p99', query: 'pod_latency' }],
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 'many-series-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: createSilentLogger(),
      now: () => new Date(end * 1000),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
  }, 120_000);

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scores every series of a 5 000-series answer in one cycle', async () => {
    const outcome = await vigil.runCycle();
    expect(outcome?.errors).toEqual([]);
    expect(outcome?.status).toBe('ok');
    expect(outcome?.series_scored).toBe(PODS);
    expect(outcome?.samples).toBe(PODS * POINTS);
  }, 120_000);
});
