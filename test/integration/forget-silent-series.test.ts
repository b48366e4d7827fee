/**
 * Series come and go with pods: a replaced pod's series stop for good, and a bot that kept them
 * would hold one more set of series (memory and rows) for every rollout. A real Prometheus
 * (backfilled with promtool) serves six pods that live on and six replaced two hours before the
 * end; the bot runs through startVigil on real SQLite (Slack's Web API is the local double).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilConfig } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { podLatencyConfig } from '../helpers/pod-latency-config.js';
import { podSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

const POINTS = 300;

describe('series silent past forget_after_seconds', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let dir: string;
  const end = Math.floor(Date.now() / 60_000) * 60 - 3600;
  const replacedAt = end - 7200;
  let nowMs = (end - 2.5 * 3600) * 1000;
  let config: VigilConfig;

  beforeAll(async () => {
    const live = podSeries('pod_latency', 6, POINTS, end);
    const replaced = podSeries('pod_latency', 6, POINTS, end).map((s) => ({
      ...s,
      labels: { ...s.labels, pod: `${s.labels.pod}-old` },
      points: s.points.filter(([t]) => t <= replacedAt),
    }));
    prometheus = await startRealPrometheus([...live, ...replaced]);
    config = podLatencyConfig(prometheus.url, {
      window_points: 30,
      min_points: 10,
      fresh_seconds: 60,
      absent_after_seconds: 300,
      forget_after_seconds: 1800,
    });
    // The team's channel exists: the replaced pods' absence opens an incident whose card is posted there.
    slack = await startFakeSlack({ channels: ['#core'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-forget-'));
  }, 120_000);

  afterAll(async () => {
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = () =>
    startVigil({
      config,
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-x',
        SLACK_SIGNING_SECRET: 'forget-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'v.db'),
      }),
      logger: createSilentLogger(),
      now: () => new Date(nowMs),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
  const savedPods = (vigil: RunningVigil) =>
    (vigil.db.prepare('SELECT series_key FROM series_state ORDER BY series_key').all() as Array<{ series_key: string }>)
      .map((r) => /pod=([^,}]+)/.exec(r.series_key)?.[1])
      .sort();

  it('drops them from memory and from the store, and a restart does not bring them back', async () => {
    let vigil = await start();
    try {
      // While all twelve pods report, then past the replacement (silent for less than the horizon).
      expect((await vigil.runCycle())?.series_scored).toBe(12);
      nowMs = (end - 1.5 * 3600) * 1000;
      const second = await vigil.runCycle();
      expect(second?.errors).toEqual([]);
      expect(vigil.pipeline.seriesTracked()).toBe(12);
    } finally {
      // A graceful stop saves every series: all twelve are in the store.
      await vigil.stop();
    }
    vigil = await start();
    try {
      expect(savedPods(vigil)).toHaveLength(12);
      // Two hours after the replacement: the six old pods have been silent past 30 minutes.
      nowMs = end * 1000;
      const outcome = await vigil.runCycle();
      expect(outcome?.status).toBe('ok');
      expect(outcome?.series_scored).toBe(6);
      expect(vigil.pipeline.seriesTracked()).toBe(6);
      // Their rows went with them (the live pods' rows stay, saved in their turn or at the stop).
      expect(savedPods(vigil)).toEqual(['api-0', 'api-1', 'api-2', 'api-3', 'api-4', 'api-5']);
    } finally {
      await vigil.stop();
    }
    vigil = await start();
    try {
      expect(savedPods(vigil)).toEqual(['api-0', 'api-1', 'api-2', 'api-3', 'api-4', 'api-5']);
    } finally {
      await vigil.stop();
    }
  }, 120_000);
});
