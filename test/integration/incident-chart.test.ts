/**
 * The incident chart through the real pipeline: a real Prometheus (backfilled with promtool), real
 * SQLite, the detection thread, and the Slack Web API double, which does files.uploadV2's three
 * steps (files.getUploadURLExternal, the upload POST to its own server, files.completeUploadExternal)
 * and refuses them without the files:write scope, as Slack does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_COLOURS } from '../../src/charts/render-incident-chart.js';
import { ConfigSchema, type VigilConfig } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import type { CycleOutcome } from '../../src/pipeline/create-detection-cycle.js';
import { countColour, decodePng, readPngSize } from '../helpers/decode-png.js';
import { type FakeSlack, MANIFEST_SCOPES, startFakeSlack } from '../helpers/fake-slack.js';
import { latencyHistory } from '../helpers/latency-history.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

const MINUTE = 60;
const DAY = 86_400;

/** A day of one-minute latency for two unrelated services of two teams; both step up at `faultAt`. */
function history(faultAt: number, end: number): GaugeSeries[] {
  return latencyHistory(
    [
      { service: 'alpha-api', latency: 0.2, faultAt, factor: 5 },
      { service: 'beta-api', latency: 0.2 + 0.1, faultAt, factor: 5 },
    ],
    faultAt - DAY,
    end,
  );
}

function configFor(prometheusUrl: string): VigilConfig {
  return ConfigSchema.parse({
    prometheus: { url: prometheusUrl, timeout_ms: 5000, step_seconds: 60 },
    slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
    http: { health_port: 0 },
    teams: { alpha: { channel: '#team-alpha' }, beta: { channel: '#team-beta' } },
    services: [
      { name: 'alpha-api', namespace: 'shop', team: 'alpha', tier: 1 },
      { name: 'beta-api', namespace: 'shop', team: 'beta', tier: 1 },
    ],
    signals: [
      {
        name: 'latency_p99',
        query: 'shop_latency_p99_seconds',
        service_label: 'service',
        namespace_label: 'namespace',
        direction: 'up',
        unit: 'seconds',
      },
    ],
  });
}

describe('incident chart in the card thread (real Prometheus, real pipeline, Slack double)', () => {
  let prometheus: RealPrometheus;
  const dirs: string[] = [];
  const running: Array<{ vigil: RunningVigil; slack: FakeSlack }> = [];
  // 3 h in the past, on a minute boundary: query_range reads a fixed window.
  const faultAt = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;

  async function start(scopes: string[]): Promise<{ vigil: RunningVigil; slack: FakeSlack; logs: string[] }> {
    const slack = await startFakeSlack({ channels: ['#team-alpha', '#team-beta', '#vigil-alerts'], scopes });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-chart-'));
    dirs.push(dir);
    const logs: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    const vigil = await startVigil({
      config: configFor(prometheus.url),
      env: parseEnv({
        SLACK_BOT_TOKEN: 'xoxb-chart-token',
        SLACK_SIGNING_SECRET: 'chart-signing-secret-0123456789',
        SLACK_API_URL: slack.apiUrl,
        VIGIL_DB: join(dir, 'vigil.db'),
      }),
      logger: createLogger({ level: 'info', destination }),
      now: () => new Date((faultAt + 3 * MINUTE) * 1000),
      schedule: false,
      slackRetries: 0,
      host: '127.0.0.1',
    });
    running.push({ vigil, slack });
    // A deploy of alpha-api shortly before its fault: the chart marks it.
    vigil.pipeline.recordOpsEvent(
      {
        type: 'deploy',
        service: 'alpha-api',
        namespace: 'shop',
        version: 'v42',
        timestamp: new Date((faultAt - 6 * MINUTE) * 1000).toISOString(),
      },
      'test',
    );
    return { vigil, slack, logs };
  }

  beforeAll(async () => {
    prometheus = await startRealPrometheus(history(faultAt, faultAt + 10 * MINUTE));
  });

  afterAll(async () => {
    for (const { vigil, slack } of running) {
      await vigil.stop();
      await slack.close();
    }
    await prometheus?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads each new card its chart PNG into the card thread, with files.uploadV2', async () => {
    const { vigil, slack } = await start(MANIFEST_SCOPES);
    const cycle = (await vigil.runCycle()) as CycleOutcome;
    expect(cycle.changes.opened).toHaveLength(2);
    for (const id of cycle.changes.opened) {
      const incident = vigil.pipeline.repos.incidents.get(id);
      const card = incident?.slack;
      if (!card) throw new Error(`incident ${id} has no card`);
      const file = [...slack.files.values()].find((f) => f.filename === `${id}.png`);
      if (!file?.bytes) throw new Error(`no chart uploaded for ${id}`);
      // Shared into the card's thread, in the card's channel.
      expect(file.shared).toMatchObject({ channel: card.channel, thread_ts: card.ts });
      expect(file.shared?.initial_comment).toContain('Chart of latency_p99');
      const inThread = slack.messagesIn(card.channel).filter((m) => m.thread_ts === card.ts && m.files);
      expect(inThread.map((m) => m.files?.[0]?.id)).toEqual([file.id]);
      expect(readPngSize(file.bytes)).toEqual({ width: 800, height: 320 });
      // The line, the band and the anomalous points are in the picture.
      const image = decodePng(file.bytes);
      const all = { x0: 0, y0: 0, x1: image.width, y1: image.height };
      expect(countColour(image, all, CHART_COLOURS.line)).toBeGreaterThan(300);
      expect(countColour(image, all, CHART_COLOURS.band)).toBeGreaterThan(1000);
      if (process.env.VIGIL_CHART_DUMP) writeFileSync(join(process.env.VIGIL_CHART_DUMP, `${id}.png`), file.bytes);
      expect(countColour(image, all, CHART_COLOURS.anomaly)).toBeGreaterThan(20);
      const service = incident.hypothesis.probable_starting_service;
      expect(file.alt_text).toContain(`latency_p99 of ${service} over the last 3 hours`);
      // Only alpha-api was deployed: only its chart marks a deploy.
      expect(countColour(image, all, CHART_COLOURS.deploy) > 50).toBe(service === 'alpha-api');
      if (service === 'alpha-api') expect(file.alt_text).toContain('deploy v42 at');
    }
    // The three steps, in Slack's order, with the bot token.
    const methods = slack.calls.map((c) => c.method).filter((m) => m.startsWith('files.') || m === 'upload');
    expect(methods.slice(0, 3)).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    expect(slack.callsTo('files.getUploadURLExternal')[0]?.authorization).toBe('Bearer xoxb-chart-token');
  });

  it('without files:write the cards still post with their sparkline, and the refusal is logged once', async () => {
    const { vigil, slack, logs } = await start(MANIFEST_SCOPES.filter((s) => s !== 'files:write'));
    const cycle = (await vigil.runCycle()) as CycleOutcome;
    expect(cycle.changes.opened).toHaveLength(2);
    for (const id of cycle.changes.opened) {
      const card = vigil.pipeline.repos.incidents.get(id)?.slack;
      if (!card) throw new Error(`incident ${id} has no card`);
      const posted = slack.messagesIn(card.channel).find((m) => m.ts === card.ts);
      expect(JSON.stringify(posted?.blocks)).toMatch(/[▁▂▃▄▅▆▇█]{10}/);
    }
    // Both incidents tried, Slack refused both, nothing was shared.
    expect(slack.callsTo('files.getUploadURLExternal')).toHaveLength(2);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(0);
    expect(slack.files.size).toBe(0);
    const refusals = logs.filter((l) => l.includes('incident chart not attached'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('missing_scope');
    expect(refusals[0]).toContain('add the files:write bot scope');
    expect(logs.join('')).not.toContain('xoxb-chart-token');
  });
});
