/**
 * `/vigil explain <series>` on real SQLite: state saved by the real engine, a threshold and labels
 * recorded by the real recalibration repositories, read back as the listener reads them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { createTopology } from '../../src/correlation/topology.js';
import { createDetectionEngine } from '../../src/detection/create-detection-engine.js';
import { applyAnomalies } from '../../src/incidents/apply-anomalies.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { checkBlockKitLimits } from '../../src/slack/blocks/block-kit-limits.js';
import { thresholdMeaning } from '../../src/slack/blocks/build-explain-reply.js';
import { answerVigilCommand } from '../../src/slack/listeners/commands/answer-vigil-command.js';
import type { ListenerDeps } from '../../src/slack/listeners/deps.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const KEY = 'shop/payment-api/latency_p99';
const NOW = new Date('2026-04-21T10:30:00Z');
const config = ConfigSchema.parse({
  prometheus: { url: 'http://prometheus:9090', step_seconds: 60 },
  signals: [{ name: 'latency_p99', query: 'x', direction: 'up', unit: 'seconds' }],
});

describe('/vigil explain', () => {
  let db: Db;
  let repos: Repos;
  let deps: ListenerDeps;

  beforeEach(() => {
    db = openDatabase(':memory:');
    repos = createRepos(db);
    deps = {
      repos,
      logger: createSilentLogger(),
      now: () => NOW,
      seriesTracked: () => 1,
      cycleRunning: () => false,
      lastCycle: () => undefined,
      remediation: undefined,
      republish: async () => undefined,
      explain: {
        detection: config.detection,
        stepSeconds: 60,
        signals: config.signals,
        feedback: config.recalibration.feedback,
      },
    };
  });
  afterEach(() => db.close());

  /** Three hours of a 200 ms ± 5 ms latency, scored and saved by the real engine. */
  function saveState(): void {
    const engine = createDetectionEngine({ detection: config.detection, stepSeconds: 60, signals: config.signals });
    const start = NOW.getTime() - 3 * 3_600_000;
    const timestamps = new Float64Array(180);
    const values = new Float64Array(180);
    for (let i = 0; i < 180; i += 1) {
      timestamps[i] = start + i * 60_000;
      values[i] = 0.2 + (i % 2 === 0 ? 0.005 : -0.005);
    }
    engine.ingest(
      [
        {
          key: KEY,
          identity: { service: 'payment-api', namespace: 'shop', metric_name: 'latency_p99', labels: {} },
          timestamps,
          values,
        },
      ],
      { coldStartEmitAfterMs: Number.POSITIVE_INFINITY },
    );
    repos.detectorState.save(engine.exportSeries(), NOW.toISOString());
  }

  it('shows the threshold and what it means, the baseline from saved state, labels and the history', async () => {
    saveState();
    const when = NOW.toISOString();
    const events = [makeAnomaly('payment-api', when)];
    repos.anomalies.insert(events, when);
    const { opened } = applyAnomalies(events, {
      incidents: repos.incidents,
      topology: createTopology([{ name: 'payment-api', namespace: 'shop', team: 'payments', tier: 1, depends_on: [] }]),
      routing: { teamChannels: new Map(), defaultChannel: '#vigil-alerts' },
      settings: lifecycleSettings({ minAnomalies: 1 }),
      now: NOW,
    });
    const incident = opened[0] as string;
    for (const [user, label] of [
      ['U0AAA', 'noisy'],
      ['U0BBB', 'noisy'],
      ['U0CCC', 'noisy'],
      ['U0DDD', 'duplicate'],
    ] as const)
      repos.feedback.set({ incident_id: incident, slack_user: user, label, source: 'reaction', created_at: when });
    const runId = repos.detectorState.startRun(when);
    repos.detectorState.applyChanges(runId, '2026-04-21T10:17:00.000Z', [
      {
        seriesKey: KEY,
        field: 'min_score',
        oldValue: null,
        newValue: 0.9995,
        reason: '0.00 alerts/day at 0.999 …; feedback ×0.5 on its tail → 0.9995000',
      },
    ]);
    repos.feedbackCalibration.record(runId, '2026-04-21T10:17:00.000Z', [
      {
        seriesKey: KEY,
        direction: 'raise',
        oldFactor: 1,
        newFactor: 0.5,
        oldMinScore: null,
        newMinScore: 0.9995,
        counts: { noisy: 3, duplicate: 1 },
        labelsFrom: null,
        labelsThrough: when,
        reason: '3 noisy since the last feedback change, mostly noisy: stricter (tail ×0.5)',
      },
    ]);
    repos.feedbackCalibration.snapshot('2026-04-21T10:17:01.000Z');

    const reply = await answerVigilCommand(`explain ${KEY}`, deps);
    console.info(`/vigil explain reply:\n${reply.text}`);
    expect(checkBlockKitLimits(reply)).toEqual([]);
    const text = reply.text;
    expect(text).toContain('*Series* `shop/payment-api/latency_p99`');
    expect(text).toContain(
      "min_score 0.9995 (recalibrated 2026-04-21 10:17 UTC): a point must be rarer than 1 in 2,000 of this series' own points (about 33 hours of points at 60 s)",
    );
    // The baseline the engine learned: 200 ms ± 5 ms (the band drawn on the square-root scale, turned
    // back: a little narrower below than above).
    expect(text).toMatch(
      /recent: median 200 ms, band 15[56] ms – 24[45] ms \(robust MAD band of the last 120 points\); mean 200 ms ± sd 5(\.\d+)? ms/,
    );
    expect(text).toContain('*Feedback factor:* ×0.5 on the tail (1 − min_score), stricter than the alert rate alone');
    expect(text).toContain('3 noisy, 1 duplicate; not yet acted on: none');
    expect(text).toContain('• 2026-04-21 10:17 UTC: configured → 0.9995: 0.00 alerts/day');
    expect(text).toContain(
      '• 2026-04-21 10:17 UTC: raise ×1 → ×0.5, min_score configured → 0.9995, by <@U0AAA> noisy, <@U0BBB> noisy, <@U0CCC> noisy',
    );
  });

  it('a series with only saved state shows the configured threshold and no history', async () => {
    saveState();
    const { text } = await answerVigilCommand(`explain ${KEY}`, deps);
    expect(text).toContain('min_score 0.999 (configured)');
    expect(text).toContain('*Feedback factor:* none');
    expect(text).toContain('*Threshold changes* (newest first):\n• none yet');
  });

  it('state saved under other detection options is not misread: the reply says why there is no baseline', async () => {
    saveState();
    const other = ConfigSchema.parse({ ...config, detection: { window_points: 60 } });
    deps.explain = { ...(deps.explain as NonNullable<ListenerDeps['explain']>), detection: other.detection };
    const { text } = await answerVigilCommand(`explain ${KEY}`, deps);
    expect(text).toContain('*Baseline:* unknown: saved under other detection options or another layout');
  });

  it('an unknown series gets a clear answer with close keys by prefix', async () => {
    saveState();
    const typo = await answerVigilCommand('explain shop/payment-api/latency', deps);
    expect(typo.text).toContain('No series `shop/payment-api/latency` is known');
    expect(typo.text).toContain('Did you mean:\n• `shop/payment-api/latency_p99`');
    // Nothing starts with it: its namespace/service, then its namespace are tried.
    expect((await answerVigilCommand('explain shop/payments/latency_p99', deps)).text).toContain(
      '• `shop/payment-api/latency_p99`',
    );
    // However many share the prefix, a few are suggested (LIMIT).
    const runId = repos.detectorState.startRun(NOW.toISOString());
    repos.detectorState.applyChanges(
      runId,
      NOW.toISOString(),
      Array.from({ length: 12 }, (_, i) => ({
        seriesKey: `shop/payment-api/errors_${String(i).padStart(2, '0')}`,
        field: 'min_score',
        oldValue: null,
        newValue: 0.9995,
        reason: 'test',
      })),
    );
    const many = (await answerVigilCommand('explain shop/payment-api/e', deps)).text;
    expect(many.match(/^• /gm)).toHaveLength(5);
    expect(many).toContain('• `shop/payment-api/errors_00`');
    const none = await answerVigilCommand('explain billing/x/y', deps);
    expect(none.text).toContain('No series `billing/x/y` is known');
    expect(none.text).not.toContain('Did you mean');
  });

  it.each([
    ['explain', '`explain` takes one series key'],
    ['explain a/b/c extra', '`explain` takes one series key'],
    ['explain a/<b>/c', 'no spaces, backquotes or angle brackets'],
  ])('"%s" gets the usage line', async (text, problem) => {
    const reply = await answerVigilCommand(text, deps);
    expect(reply.text).toContain(problem);
    expect(reply.text).toContain('/vigil explain <series>');
  });

  it('says what a threshold means in points and time', () => {
    expect(thresholdMeaning(0.999, 60)).toContain('1 in 1,000 of this series');
    expect(thresholdMeaning(0.999, 60)).toContain('about 17 hours of points at 60 s');
    expect(thresholdMeaning(0.99999, 60)).toContain('about 69 days');
    expect(thresholdMeaning(0.9, 60)).toContain('about 10 min');
  });
});
