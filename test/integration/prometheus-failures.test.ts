/**
 * When a signal's query fails, the rest of the cycle goes on; when Prometheus is down, the cycle
 * records the error and the bot keeps answering Slack. Real Prometheus, real Bolt receiver; Slack's
 * Web API is the local double.
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
import { type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'another-signing-secret';

describe('Prometheus failures', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  const end = Math.floor(Date.now() / 60_000) * 60 - 3600;
  let clock = new Date(end * 1000);

  beforeAll(async () => {
    const points: Array<[number, number]> = [];
    for (let t = end - 7200; t <= end; t += 60) points.push([t, 0.3 + ((t / 60) % 7) * 0.001]);
    prometheus = await startRealPrometheus([{ name: 'svc_latency', labels: { service: 'api' }, points }]);
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'vigil-fail-'));
    vigil = await startVigil({
      config: ConfigSchema.parse({
        prometheus: { url: prometheus.url, timeout_ms: 2000 },
        slack: { mode: 'http', port: 0 },
        http: { health_port: 0 },
        teams: { core: { channel: '#core' } },
        services: [{ name: 'api', namespace: 'prod', team: 'core' }],
        signals: [
          { name: 'latency_p99', query: 'svc_latency' },
          { name: 'broken', query: 'sum(rate(' },
        ],
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: createSilentLogger(),
      now: () => clock,
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a failing signal is reported and the others are still scored', async () => {
    const outcome = await vigil.runCycle();
    expect(outcome?.status).toBe('partial');
    expect(outcome?.series_scored).toBe(1);
    expect(outcome?.samples).toBeGreaterThan(60);
    expect(outcome?.errors).toHaveLength(1);
    expect(outcome?.errors[0]).toMatch(/^signal broken: Prometheus rejected the query \(bad_data/);
  });

  it('with Prometheus down the cycle fails cleanly and /vigil status says so', async () => {
    await prometheus.stop();
    clock = new Date(clock.getTime() + 60_000);
    const outcome = await vigil.runCycle();
    expect(outcome?.status).toBe('failed');
    expect(outcome?.errors.join('\n')).toMatch(/cannot reach Prometheus/);

    const health = await fetch(`http://127.0.0.1:${vigil.healthPort}/ready`);
    expect(health.status).toBe(200);
    const res = await postSigned({
      url: `http://127.0.0.1:${vigil.slackPort}/slack/events`,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: 'status', response_url: slack.responseUrl('status') }),
    });
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'status'));
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text)).toContain('failed');
    expect(String(reply.body.text)).toContain('cannot reach Prometheus');
    expect(String(reply.body.text)).toContain('*Series tracked:* 1');
  });

  it("a bot token Slack refuses fails start-up with Slack's error code, and the process lives on", async () => {
    slack.failNext('auth.test', { error: 'invalid_auth' });
    const attempt = startVigil({
      config: ConfigSchema.parse({
        prometheus: { url: 'http://127.0.0.1:9/' },
        slack: { mode: 'http', port: 0, timeout_ms: 2000 },
        http: { health_port: 0 },
        signals: [{ name: 'latency_p99', query: 'x' }],
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-revoked',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'refused.db'),
      }),
      logger: createSilentLogger(),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
    await expect(attempt).rejects.toThrow(
      /vigil_slack_startup|Slack refused Vigil or could not be reached at start-up \(An API error occurred: invalid_auth\)/,
    );
    // The database was closed on the way out: it opens again at once.
    const { openDatabase } = await import('../../src/storage/open-database.js');
    openDatabase(join(dir, 'refused.db')).close();
  });
});
