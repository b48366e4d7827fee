/**
 * Feedback-driven calibration end to end, on real components: a real Prometheus (backfilled with
 * promtool), Vigil started as the bot starts it (its detection thread, real SQLite on disk, the real
 * Bolt app with its HTTP receiver), 👎 reactions on the card and `/vigil explain` sent as really
 * signed Slack requests. Only Slack's Web API is a local double (test/helpers/fake-slack.ts).
 *
 * Two services with the very same latency, point for point: the same fault at the same minute
 * (cards for both), then the same larger fault 100 minutes later. People mark api-a's card 👎
 * noisy; the recalibration reads those labels and the real Prometheus history and makes api-a
 * stricter by one step; at the second fault the next cycle opens an incident for api-b and none for
 * api-a. Only the labels differ between them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import { parseEnv } from '../../src/config/load-config.js';
import type { RecalibrationReport } from '../../src/detection/recalibrate.js';
import { createSilentLogger } from '../../src/logger.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import type { CycleOutcome } from '../../src/pipeline/create-detection-cycle.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { seededNoise } from '../helpers/latency-history.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';
import { postSigned, slashCommandBody } from '../helpers/signed-slack-request.js';

const SECRET = 'test-signing-secret-0123456789abcdef';
const MINUTE = 60;
const DAY = 86_400;
const A = 'shop/api-a/latency_p99';
const B = 'shop/api-b/latency_p99';
/** The second fault, this long after the first: within one catch-up window (125 min). */
const SECOND_AFTER = 100 * MINUTE;

/**
 * Three days of one-minute latency, the same for both services: 200 ms ± 5 %, ×2.2 for 8 minutes
 * at `faultAt` (pages: +120 %), ×8 for 8 minutes SECOND_AFTER later.
 */
function history(faultAt: number, end: number): GaugeSeries[] {
  const rand = seededNoise(7);
  const points: Array<[number, number]> = [];
  for (let t = faultAt - 3 * DAY; t <= end; t += MINUTE) {
    const first = t >= faultAt && t < faultAt + 8 * MINUTE;
    const second = t >= faultAt + SECOND_AFTER && t < faultAt + SECOND_AFTER + 8 * MINUTE;
    points.push([t, +(0.2 * (1 + 0.1 * rand()) * (first ? 2.2 : second ? 8 : 1)).toFixed(5)]);
  }
  return ['api-a', 'api-b'].map((service) => ({
    name: 'shop_latency_p99_seconds',
    labels: { service, namespace: 'shop' },
    points,
  }));
}

describe('feedback-driven calibration end to end: 👎 on a card → recalibration → the next decision differs', () => {
  let prometheus: RealPrometheus;
  let slack: FakeSlack;
  let vigil: RunningVigil;
  let dir: string;
  let clock: Date;
  let first: CycleOutcome;
  let recalibration: RecalibrationReport;
  let eventsUrl: string;
  // 3 h in the past, on a minute boundary: a fixed window query_range can read deterministically.
  const faultAt = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 3 * 3600;

  beforeAll(async () => {
    prometheus = await startRealPrometheus(history(faultAt, faultAt + SECOND_AFTER + 20 * MINUTE));
    slack = await startFakeSlack({ channels: ['#team-shop', '#vigil-alerts'] });
    dir = mkdtempSync(join(tmpdir(), 'vigil-feedback-'));
    const config = ConfigSchema.parse({
      prometheus: { url: prometheus.url, timeout_ms: 5000, step_seconds: 60 },
      slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts', timeout_ms: 2000 },
      http: { health_port: 0 },
      teams: { shop: { channel: '#team-shop' } },
      services: [
        { name: 'api-a', namespace: 'shop', team: 'shop', tier: 1 },
        { name: 'api-b', namespace: 'shop', team: 'shop', tier: 1 },
      ],
      signals: [
        {
          name: 'latency_p99',
          query: 'shop_latency_p99_seconds{service=~"{{services}}"}',
          service_label: 'service',
          namespace_label: 'namespace',
          direction: 'up',
          unit: 'seconds',
        },
      ],
      detection: {
        // The first cycle's warm-up (125 points) is history enough for the rarity gate, so the two
        // faults are judged on their rarity; no seasonal profile, so scores do not depend on the
        // hour of day the test runs at.
        calibration_min_points: 100,
        seasonal: false,
      },
      // One step of the feedback rule divides the tail probability 1 - min_score by 10.
      recalibration: { history_days: 3, feedback: { max_step_factor: 10 } },
    });
    const env = parseEnv({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      VIGIL_DB: join(dir, 'vigil.db'),
    });
    clock = new Date((faultAt + 3 * MINUTE) * 1000);
    vigil = await startVigil({
      config,
      env,
      logger: createSilentLogger(),
      now: () => clock,
      schedule: false,
      slackRetries: 0,
      unhandledRequestTimeoutMillis: 1500,
      host: '127.0.0.1',
    });
    eventsUrl = `http://127.0.0.1:${vigil.slackPort}/slack/events`;
    first = (await vigil.runCycle()) as CycleOutcome;
  });

  afterAll(async () => {
    await vigil?.stop();
    await slack?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const incidentOf = (service: string, ids: readonly string[]) =>
    ids.map((id) => vigil.pipeline.repos.incidents.get(id)).find((i) => i?.services.includes(service));

  it('the first fault pages a card for each service', () => {
    expect(first.status).toBe('ok');
    expect(first.changes.opened).toHaveLength(2);
    expect(incidentOf('api-a', first.changes.opened)?.services).toEqual(['api-a']);
    expect(incidentOf('api-b', first.changes.opened)?.services).toEqual(['api-b']);
    expect(slack.messagesIn('#team-shop').filter((m) => m.thread_ts === undefined)).toHaveLength(2);
  });

  it('three people mark api-a’s card 👎 through signed reaction_added events; the labels are stored', async () => {
    const incident = incidentOf('api-a', first.changes.opened);
    const item = { type: 'message', channel: incident?.slack?.channel, ts: incident?.slack?.ts };
    for (const [i, user] of ['U0ALICE', 'U0BOB', 'U0CAROL'].entries()) {
      clock = new Date(clock.getTime() + 1000);
      const res = await slack.deliverEvent(
        { url: eventsUrl, secret: SECRET },
        { type: 'reaction_added', user, reaction: '-1', item, event_ts: `1760000100.00010${i}` },
      );
      expect(res?.status).toBe(200);
      await slack.waitFor(() => vigil.pipeline.repos.feedback.listForIncident(incident?.id ?? '').length === i + 1);
    }
    const labels = vigil.pipeline.repos.feedback.listForIncident(incident?.id ?? '');
    expect(labels.map((l) => [l.slack_user, l.label])).toEqual([
      ['U0ALICE', 'noisy'],
      ['U0BOB', 'noisy'],
      ['U0CAROL', 'noisy'],
    ]);
    expect(labels.every((l) => l.series.includes(A) && !l.series.includes(B))).toBe(true);
  });

  it('the recalibration against the real Prometheus makes api-a stricter by one step, and says why', async () => {
    clock = new Date(clock.getTime() + 60_000);
    recalibration = (await vigil.runRecalibration()) as RecalibrationReport;
    expect(recalibration.status).toBe('ok');
    expect(recalibration.series).toBe(2);
    expect(recalibration.feedbackChanges).toHaveLength(1);
    const change = recalibration.feedbackChanges[0];
    expect(change).toMatchObject({ seriesKey: A, direction: 'raise', oldFactor: 1, counts: { noisy: 3 } });
    expect(change?.newFactor).toBeCloseTo(0.1, 12);
    // api-b had the same history and no labels: its threshold is the alert rate's alone.
    const minScores = vigil.pipeline.repos.detectorState.calibrations();
    const base = minScores.get(B) ?? 0.999;
    expect(minScores.get(A)).toBeCloseTo(1 - (1 - base) / 10, 12);
    // Recorded with the labels and who gave them.
    const [recorded] = vigil.pipeline.repos.feedbackCalibration.history(A, 5);
    expect(recorded?.labels.map((l) => l.slack_user)).toEqual(['U0ALICE', 'U0BOB', 'U0CAROL']);
    // A second run with no new label does not move it again.
    clock = new Date(clock.getTime() + 60_000);
    const again = (await vigil.runRecalibration()) as RecalibrationReport;
    expect(again.feedbackChanges).toEqual([]);
    expect(vigil.pipeline.repos.detectorState.calibrations().get(A)).toBe(minScores.get(A));
  });

  it('at the second fault, the next cycle opens an incident for api-b and none for api-a', async () => {
    // An hour later the first faults' incidents resolve on their own (30 quiet minutes), so a new
    // fault is a new story rather than more of the old one.
    clock = new Date((faultAt + 60 * MINUTE) * 1000);
    const quiet = (await vigil.runCycle()) as CycleOutcome;
    expect([...quiet.changes.resolved].sort()).toEqual([...first.changes.opened].sort());
    const cardsBefore = slack.messagesIn('#team-shop').filter((m) => m.thread_ts === undefined).length;
    clock = new Date((faultAt + SECOND_AFTER + 3 * MINUTE) * 1000);
    const next = (await vigil.runCycle()) as CycleOutcome;
    expect(next.status).toBe('ok');
    const since = new Date((faultAt + SECOND_AFTER) * 1000).toISOString();
    const opening = (key: string) =>
      vigil.db
        .prepare(
          "SELECT COUNT(*) AS n FROM anomalies WHERE series_key = ? AND ts >= ? AND json_extract(event_json, '$.opens') = 1",
        )
        .get(key, since) as { n: number };
    expect(opening(B).n).toBe(1);
    expect(opening(A).n).toBe(0);
    expect(incidentOf('api-b', next.changes.opened)).toBeDefined();
    expect(incidentOf('api-a', next.changes.opened)).toBeUndefined();
    expect(next.changes.opened).toHaveLength(1);
    // One new card, api-b's.
    const cards = slack.messagesIn('#team-shop').filter((m) => m.thread_ts === undefined);
    expect(cards).toHaveLength(cardsBefore + 1);
    expect(JSON.stringify(cards.at(-1))).toContain('api-b');
    expect(JSON.stringify(cards.at(-1))).not.toContain('api-a');
  });

  it('/vigil explain (a signed slash command) shows api-a’s threshold, baseline, labels and why it changed', async () => {
    const res = await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: `explain ${A}`, response_url: slack.responseUrl('explain') }),
    });
    expect(res.status).toBe(200);
    const reply = await slack.waitFor(() => slack.responses.find((r) => r.id === 'explain'));
    expect(reply.body.response_type).toBe('ephemeral');
    const text = String(reply.body.text);
    console.info(`/vigil explain ${A} (real run):\n${text}`);
    expect(text).toContain(`*Series* \`${A}\``);
    expect(text).toMatch(
      /\*Threshold:\* min_score 0\.9999\d* \(recalibrated \d{4}-\d\d-\d\d \d\d:\d\d UTC\): a point must be rarer than 1 in [\d,]+ of this series' own points/,
    );
    // The window holds the second fault: its median and robust band hardly move, its mean does.
    expect(text).toMatch(
      /recent: median 2\d\d ms, band 1\d\d ms – 2\d\d ms \(robust MAD band of the last 120 points\)/,
    );
    expect(text).toContain('*Feedback factor:* ×0.1 on the tail (1 − min_score), stricter than the alert rate alone');
    expect(text).toContain('3 noisy; not yet acted on: none');
    expect(text).toMatch(
      /• \d{4}-\d\d-\d\d \d\d:\d\d UTC: (configured|0\.999\d*) → 0\.9999\d*: .*feedback ×0\.1 on its tail/,
    );
    expect(text).toContain('raise ×1 → ×0.1');
    expect(text).toContain('by <@U0ALICE> noisy, <@U0BOB> noisy, <@U0CAROL> noisy');
    // A typo gets close keys, a missing argument the usage line.
    await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: 'explain shop/api-', response_url: slack.responseUrl('typo') }),
    });
    const typo = await slack.waitFor(() => slack.responses.find((r) => r.id === 'typo'));
    expect(String(typo.body.text)).toContain(`Did you mean:\n• \`${A}\`\n• \`${B}\``);
    await postSigned({
      url: eventsUrl,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
      body: slashCommandBody({ text: 'explain', response_url: slack.responseUrl('usage') }),
    });
    const usage = await slack.waitFor(() => slack.responses.find((r) => r.id === 'usage'));
    expect(String(usage.body.text)).toContain('`explain` takes one series key');
  });
});
