/**
 * Detection in its own thread, as the bot runs it: startVigil's default. Real Prometheus (backfilled
 * with promtool), real SQLite file shared by both threads' connections; Slack's Web API is the local
 * double. A preloaded probe (test/helpers/detection-thread-probe.ts) says where detection runs and can
 * end that thread, as a crash would.
 */
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { PROBE_CHANNEL, type ProbeMessage } from '../helpers/detection-thread-probe.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { podLatencyConfig } from '../helpers/pod-latency-config.js';
import { podSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { threadNiceValues } from '../helpers/thread-nice-values.js';

const PODS = 20;
const POINTS = 130;

describe('the detection thread', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  /** This process's threads just before startVigil (Linux). */
  let threadsBeforeStart: number[] = [];
  let dir: string;
  const lines: Array<Record<string, unknown>> = [];
  const probe: ProbeMessage[] = [];
  const channel = new BroadcastChannel(PROBE_CHANNEL);
  channel.onmessage = (event) => probe.push((event as { data: ProbeMessage }).data);
  const end = Math.floor(Date.now() / 60_000) * 60 - 3600;
  let clock = end * 1000 - 5 * 60_000;

  beforeAll(async () => {
    prometheus = await startRealPrometheus(podSeries('pod_latency', PODS, POINTS, end));
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'vigil-thread-'));
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    threadsBeforeStart = process.platform === 'linux' ? threadNiceValues().map((t) => t.tid) : [];
    vigil = await startVigil({
      config: podLatencyConfig(prometheus.url),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 'thread-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: createLogger({ level: 'debug', destination }),
      now: () => new Date(clock),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
      detectionThreadPreload: [new URL('../helpers/detection-thread-probe.ts', import.meta.url).href],
    });
  }, 120_000);

  afterAll(async () => {
    channel.close();
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scores in a thread other than the one that answers Slack, at a lower priority, its logs written by this one', async () => {
    const outcome = await vigil.runCycle();
    expect(outcome?.status).toBe('ok');
    expect(outcome?.series_scored).toBe(PODS);
    expect(vigil.pipeline.seriesTracked()).toBe(PODS);
    const loaded = probe.find((m) => m.type === 'loaded');
    expect(loaded).toBeDefined();
    expect((loaded as { threadId: number }).threadId).not.toBe(threadId);
    // The thread's own log lines come out of this thread's logger, with their fields.
    const started = lines.find((l) => l.msg === 'detection thread started');
    expect(started).toMatchObject({ level: 20 });
    // Linux: the thread lowered its own priority (nice 10) and only its own; the process's other
    // threads (V8's and libuv's helpers) were lowered at start-up, never this one, which acks Slack.
    if (process.platform === 'linux') {
      expect(started?.nice).toBe(10);
      // This process started at its parent's nice value (vitest's, left alone).
      const startedAt = getPriority(process.ppid);
      const self = Number(readlinkSync('/proc/thread-self').split('/').pop());
      const now = new Map(threadNiceValues().map((t) => [t.tid, t.nice]));
      if (startedAt < 10) {
        expect(now.get(self)).toBe(startedAt);
        // The threads there before start-up (tsx's loader thread, which only these tests from
        // TypeScript sources start in the detection thread, comes later and is not Vigil's).
        for (const tid of threadsBeforeStart)
          if (tid !== self && now.has(tid)) expect(now.get(tid)).toBeGreaterThanOrEqual(10);
      }
    }
    expect(lines.find((l) => l.msg === 'detector state restored')).toMatchObject({ name: 'vigil', series: 0 });
  }, 60_000);

  it('a thread that dies in a cycle fails that cycle with the reason; the next cycle runs in a new thread', async () => {
    clock += 60_000;
    const threadsBefore = probe.filter((m) => m.type === 'loaded').length;
    channel.postMessage({ type: 'die-at-next-fetch', code: 7 } satisfies ProbeMessage);
    await new Promise((r) => setTimeout(r, 50));
    const failed = await vigil.runCycle();
    expect(failed?.status).toBe('failed');
    expect(failed?.errors.join()).toContain('the detection thread stopped (exit code 7)');
    expect(lines.some((l) => l.msg === 'detection failed; this cycle scored nothing')).toBe(true);

    clock += 60_000;
    const next = await vigil.runCycle();
    expect(next?.status).toBe('ok');
    expect(next?.series_scored).toBe(PODS);
    expect(probe.filter((m) => m.type === 'loaded').length).toBe(threadsBefore + 1);
    // The new thread restored what the dead one had checkpointed (the rest replays its warm-up window).
    expect(lines.filter((l) => l.msg === 'detector state restored')).toHaveLength(2);
    // /vigil status and the health endpoint kept answering: the main thread never went down.
    expect((await fetch(`http://127.0.0.1:${vigil.healthPort}/healthz`)).status).toBe(200);
  }, 60_000);
});
