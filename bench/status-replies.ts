/**
 * /vigil replies benchmark: npm run bench:status -- [--open 600] [--resolved 3000] [--calls 2000] [--concurrent 200]
 *
 * Fills a real SQLite file (the real migrations and repos) with open incidents, and resolved ones
 * as a bot that has run for months has, then prints p50/p99 of
 *  1. answerVigilCommand('status') and ('incidents') in process, `--calls` times each;
 *  2. the ack latency of `--concurrent` simultaneous signed `/vigil status` requests through
 *     Bolt's real HTTPReceiver (Slack's Web API and response_url are the test double). The requests
 *     come from a worker thread: a client on the bot's own event loop could not read an early ack
 *     while the bot works, and would measure the bot's busy time instead.
 * Issue 12: with 600 open incidents, 200 concurrent /vigil status took 2.9–3.4 s at p99.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createSilentLogger } from '../src/logger.js';
import { createRepos, type Repos } from '../src/pipeline/create-pipeline.js';
import { createSlackApp } from '../src/slack/create-slack-app.js';
import { answerVigilCommand } from '../src/slack/listeners/commands/answer-vigil-command.js';
import type { ListenerDeps } from '../src/slack/listeners/deps.js';
import { openDatabase } from '../src/storage/open-database.js';
import { startFakeSlack } from '../test/helpers/fake-slack.js';
import { makeAnomaly } from '../test/helpers/make-anomaly.js';
import { makeOpenIncident } from '../test/helpers/make-incident.js';

const { values } = parseArgs({
  options: {
    open: { type: 'string', default: '600' },
    resolved: { type: 'string', default: '3000' },
    calls: { type: 'string', default: '2000' },
    concurrent: { type: 'string', default: '200' },
  },
});
const OPEN = Number(values.open);
const RESOLVED = Number(values.resolved);
const CALLS = Number(values.calls);
const CONCURRENT = Number(values.concurrent);
const SECRET = 'bench-signing-secret-0123456789abcdef';
const BASE = Date.parse('2026-04-01T00:00:00Z');

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function report(label: string, ms: readonly number[]): void {
  const s = [...ms].sort((a, b) => a - b);
  const f = (x: number) => `${x.toFixed(3)} ms`;
  console.log(
    `${label.padEnd(44)} n=${s.length} p50=${f(percentile(s, 50))} p99=${f(percentile(s, 99))} max=${f(s.at(-1) ?? 0)}`,
  );
}

/** Incidents with three anomalies and a posted card each; one open card in 15 is late. */
function fill(repos: Repos, db: ReturnType<typeof openDatabase>): void {
  db.transaction(() => {
    for (let i = 0; i < OPEN + RESOLVED; i++) {
      const at = new Date(BASE + i * 60_000).toISOString();
      const services = [`svc-${i % 40}`, `svc-${(i + 1) % 40}`];
      const anomalies = [0, 1, 2].map((k) =>
        makeAnomaly(services[0] as string, new Date(BASE + (i + k) * 60_000).toISOString(), { metric_name: `m${i}` }),
      );
      repos.anomalies.insert(anomalies, at);
      const incident = makeOpenIncident(`inc-${String(i).padStart(5, '0')}`, services, at);
      const resolved = i < RESOLVED;
      repos.incidents.save(
        resolved ? { ...incident, status: 'resolved', resolved_at: at } : incident,
        anomalies.map((a) => ({ id: a.id, suppressed: false })),
      );
      repos.incidents.setMessage(incident.id, 'C0TEAM', `${1760000000 + i}.000100`);
      if (!resolved && i % 15 === 0) repos.incidents.setLate(incident.id, 'rate limited', at);
    }
  })();
  repos.cycles.record({
    started_at: '2026-04-21T02:19:00.000Z',
    finished_at: '2026-04-21T02:19:01.000Z',
    duration_ms: 812,
    series_scored: 10_000,
    samples: 600_000,
    anomalies: 3,
    incidents_opened: 1,
    incidents_updated: 0,
    errors: [],
    status: 'ok',
  });
}

/** Plain JavaScript run in a worker: signs and sends the requests, posts back each ack's latency. */
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { url, secret, responseUrl, n, tag } = workerData;
async function one(i) {
  const body = new URLSearchParams({
    command: '/vigil', text: 'status', team_id: 'T0BENCH', channel_id: 'C0OPS', user_id: 'U0ONCALL',
    trigger_id: '1.2.3', api_app_id: 'A0VIGIL', response_url: responseUrl + tag + '-' + i,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex');
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', body, headers: {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature } });
  await res.text();
  if (res.status !== 200) throw new Error('HTTP ' + res.status);
  return performance.now() - started;
}
Promise.all(Array.from({ length: n }, (_, i) => one(i))).then((ms) => parentPort.postMessage(ms));
`;

function concurrentAcks(data: { url: string; responseUrl: string; tag: string }): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData: { ...data, secret: SECRET, n: CONCURRENT } });
    worker.once('message', (ms: number[]) => resolve(ms));
    worker.once('error', reject);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-status-'));
const db = openDatabase(join(dir, 'vigil.db'));
try {
  const repos = createRepos(db);
  fill(repos, db);
  const deps: ListenerDeps = {
    repos,
    logger: createSilentLogger(),
    now: () => new Date('2026-04-21T02:20:00Z'),
    seriesTracked: () => 10_000,
    cycleRunning: () => false,
    lastCycle: () => undefined,
    republish: async () => {},
    remediation: undefined,
  };
  console.log(`${OPEN} open and ${RESOLVED} resolved incidents, ${OPEN + RESOLVED} cards`);
  for (const sub of ['status', 'incidents']) {
    for (let i = 0; i < 50; i++) await answerVigilCommand(sub, deps); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const started = performance.now();
      await answerVigilCommand(sub, deps);
      ms.push(performance.now() - started);
    }
    report(`answerVigilCommand('${sub}')`, ms);
  }

  const slack = await startFakeSlack();
  const app = createSlackApp(
    {
      mode: 'http',
      secrets: { botToken: 'xoxb-bench', signingSecret: SECRET, apiUrl: slack.apiUrl },
      timeoutMs: 5000,
      retries: 0,
      logger: createSilentLogger(),
    },
    deps,
  );
  try {
    await app.init();
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as { address(): AddressInfo };
    const url = `http://127.0.0.1:${server.address().port}/slack/events`;
    // The first round warms up; every reply must reach response_url before the next round.
    for (let round = 0; round < 4; round++) {
      slack.responses.length = 0;
      const acks = await concurrentAcks({ url, responseUrl: slack.responseUrl(''), tag: `r${round}` });
      await slack
        .waitFor(() => slack.responses.length >= CONCURRENT, 60_000)
        .catch(() => {
          throw new Error(`only ${slack.responses.length} of ${CONCURRENT} replies reached response_url`);
        });
      if (round > 0) report(`${CONCURRENT} concurrent signed /vigil status: ack`, acks);
    }
  } finally {
    await app.stop();
    await slack.close();
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
