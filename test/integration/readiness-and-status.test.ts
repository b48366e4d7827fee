/**
 * What the bot says about itself: /ready, /vigil status, /metrics, and the Slack receiver's clock
 * check. A real started Vigil (real Bolt HTTPReceiver with really signed requests, real SQLite, the
 * real health server); Prometheus is an injected fetch, Slack's Web API the local double.
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
import { postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'readiness-signing-secret';
const MINUTE = 60_000;

describe('readiness, /vigil status and the Slack clock check on a started Vigil', () => {
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let clock = new Date('2026-05-04T10:00:00Z');
  let prometheusUp = true;
  // Prometheus as Vigil's injected fetch: an empty matrix while up, a refused connection while down.
  const prometheusFetch: typeof fetch = async () => {
    if (!prometheusUp) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    return new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }), {
      headers: { 'content-type': 'application/json' },
    });
  };
  const ready = async () => {
    const res = await fetch(`http://127.0.0.1:${vigil.healthPort}/ready`);
    return { status: res.status, text: (await res.text()).trim() };
  };
  const slashCommand = (text: string, responseId: string, timestamp?: number) =>
    postSigned({
      url: `http://127.0.0.1:${vigil.slackPort}/slack/events`,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text, response_url: slack.responseUrl(responseId) }),
      ...(timestamp !== undefined ? { timestamp } : {}),
    });

  beforeAll(async () => {
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'vigil-ready-'));
    vigil = await startVigil({
      config: ConfigSchema.parse({
        prometheus: { url: 'http://prometheus.invalid:9090', timeout_ms: 2000 },
        schedule: { detection: '*/1 * * * *' },
        slack: { mode: 'http', port: 0, timeout_ms: 2000 },
        http: { health_port: 0 },
        signals: [{ name: 'latency_p99', query: 'svc_latency' }],
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: createSilentLogger(),
      now: () => clock,
      fetch: prometheusFetch,
      // The injected fetch is a function: detection runs in this thread (a thread cannot take one).
      detectionThread: false,
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('/ready turns 503 when no cycle succeeded for three schedule periods, and back once one does', async () => {
    expect(await ready()).toEqual({ status: 200, text: 'ready' });
    // A grace of three one-minute periods from start-up before the first cycle.
    clock = new Date(clock.getTime() + 4 * MINUTE);
    expect(await ready()).toEqual({ status: 503, text: 'stale: no successful cycle since start-up 4 min ago' });

    expect((await vigil.runCycle())?.status).toBe('ok');
    expect(await ready()).toEqual({ status: 200, text: 'ready' });

    // Failed cycles (Prometheus down) do not count as progress.
    prometheusUp = false;
    for (let i = 0; i < 12; i += 1) {
      clock = new Date(clock.getTime() + MINUTE);
      expect((await vigil.runCycle())?.status).toBe('failed');
      if (i === 2) expect((await ready()).status).toBe(200);
    }
    expect(await ready()).toEqual({ status: 503, text: 'stale: last successful cycle 12 min ago' });

    prometheusUp = true;
    expect((await vigil.runCycle())?.status).toBe('ok');
    expect(await ready()).toEqual({ status: 200, text: 'ready' });
  });

  it('/ready is 503 while the database cannot be written, and /vigil status still shows the failed cycle', async () => {
    clock = new Date(clock.getTime() + MINUTE);
    expect((await vigil.runCycle())?.status).toBe('ok');
    vigil.db.pragma('query_only = ON');
    try {
      expect(await ready()).toEqual({
        status: 503,
        text: 'database not writable: attempt to write a readonly database',
      });
      prometheusUp = false;
      clock = new Date(clock.getTime() + MINUTE);
      const outcome = await vigil.runCycle();
      expect(outcome?.status).toBe('failed');
      // The report of that cycle could not be stored: the database has an older, successful one.
      expect(vigil.pipeline.repos.cycles.latest()?.status).toBe('ok');

      expect((await slashCommand('status', 'status-db-down')).status).toBe(200);
      const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'status-db-down'));
      expect(String(reply.body.text)).toContain(':red_circle: failed');
      expect(String(reply.body.text)).toContain('signal latency_p99: ');
    } finally {
      vigil.db.pragma('query_only = OFF');
      prometheusUp = true;
    }
    expect(await ready()).toEqual({ status: 200, text: 'ready' });
  });

  it('refuses a signed request dated 6 minutes ahead like a stale one, and takes one dated now', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = await slashCommand('help', 'from-the-future', now + 6 * 60);
    expect(ahead.status).toBe(401);
    const current = await slashCommand('help', 'current');
    expect(current.status).toBe(200);
    // The listener answered the current one and never saw the other.
    await slack.waitFor(() => slack.responses.find((r) => r.id === 'current'));
    expect(slack.responses.find((r) => r.id === 'from-the-future')).toBeUndefined();
  });

  it('serves the default Node.js metrics under their standard names', async () => {
    const text = await (await fetch(`http://127.0.0.1:${vigil.healthPort}/metrics`)).text();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toContain('vigil_process_');
    expect(text).toMatch(/^vigil_unexpected_errors_total\{origin="unhandledRejection"\} 0$/m);
  });
});
