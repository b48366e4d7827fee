/**
 * The bench's helper process: everything on Slack's side of the wire, kept out of the process that
 * runs Vigil so that neither its memory nor its event loop is counted as Vigil's.
 *   - the Web API double (test/helpers/fake-slack.ts), which Vigil posts cards and replies to;
 *   - a bare HTTP server that only checks the Slack signature and answers 200: the reference ack
 *     latency of this machine at this moment. It lives here, not in Vigil's process, because it must
 *     not be blocked when Vigil blocks: it measures what a healthy responder achieves meanwhile;
 *   - the load: really signed `/vigil status` slash commands at a fixed rate (open loop: sent on
 *     schedule whether or not earlier ones were answered), to Vigil and to the bare server alike;
 *   - the plain client that replays Vigil's Prometheus queries (its JSON.parse stays out of Vigil's RSS).
 * It exits when the bench disconnects, so it never outlives it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeSlack } from '../../test/helpers/fake-slack.js';
import { slackSignature, slashCommandBody } from '../../test/helpers/signed-slack-request.js';
import type {
  FromSlackSide,
  LatencyStats,
  RecordedRequest,
  ReplayResult,
  SlackSideOptions,
  ToSlackSide,
} from './slack-side-protocol.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SlackSideOptions;
const send = (message: FromSlackSide) => process.send?.(message);

/** Slack's check (https://api.slack.com/authentication/verifying-requests-from-slack), nothing else. */
function validSignature(timestamp: string | undefined, signature: string | undefined, body: string): boolean {
  const ts = Number(timestamp);
  if (!signature || !Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return false;
  const expected = Buffer.from(
    `v0=${createHmac('sha256', options.signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const bare = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const ok = validSignature(
      req.headers['x-slack-request-timestamp'] as string | undefined,
      req.headers['x-slack-signature'] as string | undefined,
      Buffer.concat(chunks).toString('utf8'),
    );
    res.writeHead(ok ? 200 : 401).end();
  });
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/slack/events`;
const slack = await startFakeSlack({ channels: options.channels });

interface Target {
  url: URL;
  agent: Agent;
  latencies: number[];
  /** When each request of `latencies` was sent, ms after the load started (same order). */
  sentAt: number[];
  startedAt: number;
  failed: number;
  failures: Record<string, number>;
  skipped: number;
  inFlight: number;
}
const target = (url: string): Target => ({
  url: new URL(url),
  agent: new Agent({ keepAlive: true }),
  latencies: [],
  sentAt: [],
  startedAt: performance.now(),
  failed: 0,
  failures: {},
  skipped: 0,
  inFlight: 0,
});
/** Slowest answers reported per phase and target. */
const SLOWEST_SHOWN = 4;
/** A request stuck behind this many others means the target stopped answering: skip, count it. */
const MAX_IN_FLIGHT = 500;

function fire(t: Target, phase: string, seq: number): void {
  if (t.inFlight >= MAX_IN_FLIGHT) {
    t.skipped += 1;
    return;
  }
  t.inFlight += 1;
  const body = slashCommandBody({ text: 'status', response_url: slack.responseUrl(`${phase}-${seq}`) });
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  let done = false;
  /** `why` is set when the request failed. */
  const finish = (why?: string) => {
    if (done) return;
    done = true;
    t.inFlight -= 1;
    if (why !== undefined) {
      t.failed += 1;
      t.failures[why] = (t.failures[why] ?? 0) + 1;
    }
    t.latencies.push(why === undefined ? performance.now() - started : options.timeoutMs);
    t.sentAt.push(started - t.startedAt);
  };
  const req = request(
    t.url,
    {
      method: 'POST',
      agent: t.agent,
      timeout: options.timeoutMs,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(options.signingSecret, timestamp, body),
      },
    },
    (res) => {
      res.resume();
      // The ack is the whole answer: headers and (empty) body.
      res.on('end', () =>
        finish(res.statusCode !== undefined && res.statusCode < 300 ? undefined : `HTTP ${res.statusCode}`),
      );
      res.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    },
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  req.end(body);
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function stats(t: Target): LatencyStats {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  return {
    sent: t.latencies.length,
    failed: t.failed,
    failures: t.failures,
    skipped: t.skipped,
    late: t.latencies.filter((ms) => ms > 3000).length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    slowest: t.latencies
      .map((ms, i) => ({ ms, sentAtMs: t.sentAt[i] as number }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SLOWEST_SHOWN),
  };
}

let load: { phase: string; timer: NodeJS.Timeout; vigil: Target; bare: Target } | undefined;

async function stopLoad(phase: string): Promise<void> {
  if (!load || load.phase !== phase) throw new Error(`no load running for ${phase}`);
  clearInterval(load.timer);
  const { vigil: v, bare: b } = load;
  load = undefined;
  // Answers still on their way count; the timeout bounds the wait.
  const deadline = Date.now() + options.timeoutMs + 1000;
  while ((v.inFlight > 0 || b.inFlight > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  send({ type: 'load-result', phase, vigil: stats(v), bare: stats(b) });
  v.agent.destroy();
  b.agent.destroy();
}

/** The plain client: the same requests, wave by wave, body read as text and JSON.parse'd. */
async function replay(requests: readonly RecordedRequest[]): Promise<ReplayResult> {
  const waves = new Map<number, RecordedRequest[]>();
  for (const r of requests) waves.set(r.wave, [...(waves.get(r.wave) ?? []), r]);
  let bytes = 0;
  const started = performance.now();
  for (const wave of [...waves.keys()].sort((a, b) => a - b)) {
    await Promise.all(
      (waves.get(wave) ?? []).map(async (r) => {
        const response = await fetch(r.url, {
          method: r.method,
          headers: r.headers,
          ...(r.body === null ? {} : { body: r.body }),
        });
        const text = await response.text();
        bytes += text.length;
        JSON.parse(text);
      }),
    );
  }
  return { ms: performance.now() - started, requests: requests.length, bytes };
}

process.on('message', (raw) => {
  const message = raw as ToSlackSide;
  const fail = (error: unknown) =>
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  switch (message.type) {
    case 'load-start': {
      const v = target(message.vigilUrl);
      const b = target(bareUrl);
      let seq = 0;
      // Both targets on the same tick, so both see the same moments of this process.
      const timer = setInterval(() => {
        if (seq >= options.maxPerPhase) return;
        seq += 1;
        fire(v, message.phase, seq);
        fire(b, message.phase, seq);
      }, options.intervalMs);
      load = { phase: message.phase, timer, vigil: v, bare: b };
      break;
    }
    case 'load-stop':
      stopLoad(message.phase).catch(fail);
      break;
    case 'replay':
      replay(message.requests).then((result) => send({ type: 'replay-result', phase: message.phase, result }), fail);
      break;
  }
});
// The bench went away (finished, crashed or was killed): so does this process.
process.on('disconnect', () => {
  if (load) clearInterval(load.timer);
  void slack.close().finally(() => process.exit(0));
  bare.close();
});
send({ type: 'ready', apiUrl: slack.apiUrl, bareUrl });
