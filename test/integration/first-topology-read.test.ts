/**
 * With topology_discovery on, the first detection cycle after a start correlates with the service
 * graph, not without it: the cycle waits for the first read of the graph, however slowly Prometheus
 * answers it (within its timeout). Prometheus is an injected fetch here, so that the graph's answer
 * can be held back; Slack is the Web API double; SQLite is real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';

const CLOCK = new Date('2026-05-04T10:00:00.000Z');
/** Never due while the test runs: the cycle is run by hand, the schedulers are only started. */
const YEARLY = '0 0 1 1 *';

function matrix(result: unknown[]): Response {
  return new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }), {
    headers: { 'content-type': 'application/json' },
  });
}

describe('the first cycle after a start', () => {
  let slack: FakeSlack | undefined;
  let vigil: RunningVigil | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the first read of the service graph, and correlates with its edges', async () => {
    const seen: string[] = [];
    const ref: { vigil?: RunningVigil } = {};
    let signalQueried: () => void = () => undefined;
    const signalArrived = new Promise<void>((resolve) => {
      signalQueried = resolve;
    });
    const prometheus: typeof fetch = async (_url, init) => {
      const query = new URLSearchParams(String(init?.body)).get('query') ?? '';
      if (query.includes('traces_service_graph_request_total')) {
        seen.push('graph asked');
        // Held until a signal is queried (what a cycle not waiting would do) or for a second.
        await Promise.race([signalArrived, new Promise((r) => setTimeout(r, 1000))]);
        seen.push('graph answered');
        const t = CLOCK.getTime() / 1000;
        return matrix([
          {
            metric: { client: 'web', server: 'orders' },
            values: [
              [t - 60, '3'],
              [t, '3'],
            ],
          },
        ]);
      }
      // What the cycle knows of the graph when it reads its first signal.
      seen.push(`signal asked, web calls: ${ref.vigil?.pipeline.topology.callees.get('web')?.join(',') ?? 'nothing'}`);
      signalQueried();
      return matrix([]);
    };
    slack = await startFakeSlack({ channels: ['#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-first-read-'));
    vigil = await startVigil({
      config: ConfigSchema.parse({
        prometheus: { url: 'http://prometheus.invalid:9090', timeout_ms: 5000 },
        schedule: { detection: YEARLY },
        slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
        http: { health_port: 0 },
        signals: [{ name: 'latency_p99', query: 'svc_latency' }],
        recalibration: { enabled: false },
        topology_discovery: { enabled: true, preset: 'tempo', refresh: YEARLY },
      }),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 'first-read-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: createSilentLogger(),
      now: () => CLOCK,
      fetch: prometheus,
      detectionThread: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
    ref.vigil = vigil;
    expect(await vigil.runCycle()).not.toBeNull();
    expect(seen).toEqual(['graph asked', 'graph answered', 'signal asked, web calls: orders']);
  });
});
