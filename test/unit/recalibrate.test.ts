/**
 * Batch recalibration on real SQLite with the replay source standing in for Prometheus (the same
 * SampleSource interface; the Prometheus client itself is tested against a real server elsewhere).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.js';
import type { FeedbackLabel, MetricSample } from '../../src/contracts/index.js';
import { createTopology } from '../../src/correlation/topology.js';
import { createDetectionEngine } from '../../src/detection/create-detection-engine.js';
import { createSeriesDetector } from '../../src/detection/create-series-detector.js';
import { MAX_POINTS_PER_ANSWER, recalibrate, SLICE_SERIES } from '../../src/detection/recalibrate.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';
import { applyAnomalies } from '../../src/incidents/apply-anomalies.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos, type Repos } from '../../src/pipeline/create-pipeline.js';
import { createReplaySource } from '../../src/sources/create-replay-source.js';
import type { SampleRange, SampleSource } from '../../src/sources/sample-source.js';
import { createDetectorStateRepo, type DetectorStateRepo } from '../../src/storage/detector-state-repo.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { lifecycleSettings } from '../helpers/lifecycle-settings.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

const NOW = new Date('2026-04-22T00:00:00Z');
const config = ConfigSchema.parse({
  prometheus: { url: 'http://prometheus:9090', step_seconds: 60 },
  signals: [
    { name: 'latency_p99', query: 'x', direction: 'up' },
    { name: 'error_rate', query: 'y', direction: 'up' },
  ],
  recalibration: { history_days: 3, step_seconds: 300, target_alerts_per_day: 0.2 },
  // The series below are built for the values as they are (their alert rates, their daily step).
  detection: { value_scale: 'linear' },
});

/**
 * Three days at 5 minutes. `spiky`: a daily step at 09:00 and 18:00 and a spike every 3 hours, which
 * opens about one rare-enough episode a day; otherwise a flat, quiet series.
 */
function history(service: string, metric: string, spiky: boolean): MetricSample[] {
  const out: MetricSample[] = [];
  const start = NOW.getTime() - 3 * 86_400_000;
  let seed = service.length * 7919;
  for (let i = 0; i < 3 * 288; i += 1) {
    seed = (seed * 16807) % 2147483647;
    const ts = start + i * 300_000;
    const hour = new Date(ts).getUTCHours();
    const base = spiky && hour >= 9 && hour < 18 ? 200 : 100;
    const spike = spiky && i % 36 === 17 ? 6 : 1;
    out.push({
      timestamp: new Date(ts).toISOString(),
      service,
      namespace: 'shop',
      metric_name: metric,
      value: base * spike + (seed / 2147483647 - 0.5) * 10,
    });
  }
  return out;
}

describe('recalibrate', () => {
  let db: Db;
  let repo: DetectorStateRepo;
  const samples = [...history('noisy-api', 'latency_p99', true), ...history('calm-api', 'latency_p99', false)];
  const newEngine = () =>
    createDetectionEngine({ detection: config.detection, stepSeconds: 60, signals: config.signals });
  /** What the tick knows already: the last point of each series. */
  const lastPoints = async () => {
    const lastMs = Date.parse(samples.at(-1)?.timestamp ?? '');
    const range = { startMs: lastMs, endMs: lastMs, stepSeconds: 60 };
    return (await createReplaySource(samples).fetch(config.signals[0]!, range)).series;
  };

  beforeEach(() => {
    db = openDatabase(':memory:');
    repo = createDetectorStateRepo(db);
  });
  afterEach(() => db.close());

  it('raises the threshold of a series that alerts too often, records why, and rebuilds seasonal baselines', async () => {
    const engine = newEngine();
    // The tick knows both series already (one recent point each).
    engine.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
    const report = await recalibrate(
      { config, source: createReplaySource(samples), engine, repo, logger: createSilentLogger() },
      NOW,
    );
    expect(report.status).toBe('ok');
    expect(report.series).toBe(2);
    expect(report.seasonalRebuilt).toBe(2);
    const noisy = report.changes.find((c) => c.seriesKey === 'shop/noisy-api/latency_p99');
    expect(noisy).toMatchObject({ field: 'min_score', oldValue: null });
    expect(noisy?.newValue).toBeGreaterThan(config.detection.min_score);
    expect(noisy?.reason).toMatch(/alerts\/day at 0\.999 over the last 3 days \(864 points at 300 s\)/);
    expect(engine.minScore('shop/noisy-api/latency_p99')).toBe(noisy?.newValue);
    expect(report.changes.find((c) => c.seriesKey === 'shop/calm-api/latency_p99')).toBeUndefined();
    // Stored: the calibration and the audit trail.
    expect(repo.calibrations().get('shop/noisy-api/latency_p99')).toBe(noisy?.newValue);
    expect(repo.changes('shop/noisy-api/latency_p99')).toHaveLength(1);
    expect(db.prepare('SELECT status, series, changes FROM recalibration_runs').all()).toEqual([
      { status: 'ok', series: 2, changes: report.changes.length },
    ]);
    // The rebuilt seasonal baseline knows the daily step: the tick's seasonal detector is ready at once.
    const dayCounts = engine.detectorState('shop/calm-api/latency_p99')?.seasonal?.day.count ?? [];
    expect(Math.min(...dayCounts)).toBeGreaterThanOrEqual(120);
    // It is the seasonal baseline of the series' own detector at the coarse step (one implementation),
    // its counts rescaled to the tick's step (300 s history points are five 60 s points each).
    const coarse = createSeriesDetector(seriesDetectorOptions(config.detection, 300_000, config.signals[0]));
    for (const s of samples.filter((x) => x.service === 'noisy-api')) coarse.update(s.value, Date.parse(s.timestamp));
    const learned = coarse.seasonalState();
    const rebuilt = engine.detectorState('shop/noisy-api/latency_p99')?.seasonal;
    expect(rebuilt?.day.mean).toEqual(learned?.day.mean);
    expect(rebuilt?.week.dev).toEqual(learned?.week.dev);
    expect(rebuilt?.day.count).toEqual(learned?.day.count.map((c) => c * 5));
    expect(rebuilt?.level).toBe(learned?.level);
    expect(rebuilt?.levelCount).toBe((learned?.levelCount ?? 0) * 5);
    // And it knows the daily step: working hours sit about 100 above the night, relative to the level.
    const dayMeans = rebuilt?.day.mean ?? [];
    expect((dayMeans[12] ?? 0) - (dayMeans[3] ?? 0)).toBeGreaterThan(80);
    expect((dayMeans[12] ?? 0) - (dayMeans[3] ?? 0)).toBeLessThan(120);
  });

  describe('feedback from people’s labels (real SQLite: labels stored as the listeners store them)', () => {
    const NOISY = 'shop/noisy-api/latency_p99';
    const CALM = 'shop/calm-api/latency_p99';
    let repos: Repos;
    let at = Date.parse('2026-04-21T10:00:00Z');
    /** An incident of `service` with one anomaly, as correlation stores it, to label. */
    const incidentOf = (service: string): string => {
      const when = new Date(at).toISOString();
      const events = [makeAnomaly(service, when)];
      repos.anomalies.insert(events, when);
      const { opened } = applyAnomalies(events, {
        incidents: repos.incidents,
        topology: createTopology([{ name: service, namespace: 'shop', team: 'payments', tier: 1, depends_on: [] }]),
        routing: { teamChannels: new Map(), defaultChannel: '#vigil-alerts' },
        settings: lifecycleSettings({ minAnomalies: 1 }),
        now: new Date(at),
      });
      at += 3_600_000;
      return opened[0] as string;
    };
    const label = (incident: string, user: string, l: FeedbackLabel) => {
      at += 60_000;
      repos.feedback.set({
        incident_id: incident,
        slack_user: user,
        label: l,
        source: 'reaction',
        created_at: new Date(at).toISOString(),
      });
    };
    const run = (engine = newEngine()) =>
      recalibrate(
        {
          config,
          source: createReplaySource(samples),
          engine,
          repo,
          feedback: repos.feedbackCalibration,
          logger: createSilentLogger(),
        },
        NOW,
      );

    beforeEach(() => {
      repos = createRepos(db);
      repo = repos.detectorState;
    });

    it('raises a series people mostly call noisy by one step, records the labels, and never spends them twice', async () => {
      const plain = (
        await recalibrate(
          { config, source: createReplaySource(samples), engine: newEngine(), repo, logger: createSilentLogger() },
          NOW,
        )
      ).changes.find((c) => c.seriesKey === CALM);
      // Without labels the calm series keeps the configured threshold.
      expect(plain).toBeUndefined();
      const one = incidentOf('calm-api');
      const two = incidentOf('calm-api');
      label(one, 'U1', 'noisy');
      label(one, 'U2', 'noisy');
      label(two, 'U1', 'useful');
      label(two, 'U3', 'noisy');
      label(two, 'U4', 'duplicate');
      const engine = newEngine();
      engine.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
      const first = await run(engine);
      expect(first.feedbackChanges).toHaveLength(1);
      const [raised] = first.feedbackChanges;
      expect(raised).toMatchObject({
        seriesKey: CALM,
        direction: 'raise',
        oldFactor: 1,
        newFactor: 0.5,
        oldMinScore: null,
        counts: { noisy: 3, useful: 1, duplicate: 1 },
      });
      // One step: the tail probability 1 - 0.999 halved.
      expect(1 - (raised?.newMinScore ?? 0)).toBeCloseTo(0.0005, 12);
      expect(engine.minScore(CALM)).toBe(raised?.newMinScore);
      expect(repo.calibrations().get(CALM)).toBe(raised?.newMinScore);
      const change = first.changes.find((c) => c.seriesKey === CALM);
      expect(change?.reason).toContain(
        'feedback ×0.5 on its tail → 0.9995000 (1 useful, 3 noisy since the last feedback change',
      );
      // Recorded with the labels that justified it, who gave them and on which incident.
      const [recorded] = repos.feedbackCalibration.history(CALM, 5);
      expect(recorded?.labels.map((l) => `${l.slack_user}:${l.label}`)).toEqual([
        'U1:noisy',
        'U2:noisy',
        'U1:useful',
        'U3:noisy',
      ]);
      expect(recorded?.labels[0]?.incident_id).toBe(one);
      expect(repos.feedbackCalibration.snapshotOf(CALM)).toMatchObject({
        tailFactor: 0.5,
        labels: { noisy: 3, useful: 1, duplicate: 1 },
        pending: { duplicate: 1 },
      });
      // The next run, with no new label, keeps the stricter threshold and does not move it again.
      const second = await run(engine);
      expect(second.feedbackChanges).toEqual([]);
      expect(second.changes.find((c) => c.seriesKey === CALM)).toBeUndefined();
      expect(engine.minScore(CALM)).toBe(raised?.newMinScore);
      // After a restart (a fresh engine, the stored calibration loaded as the detection side does), too.
      const restarted = newEngine();
      restarted.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
      for (const [key, minScore] of repo.calibrations()) restarted.setMinScore(key, minScore);
      expect((await run(restarted)).feedbackChanges).toEqual([]);
      expect(restarted.minScore(CALM)).toBe(raised?.newMinScore);
    });

    it('new late labels lower it again, one step, only by the labels given since the last change', async () => {
      const incident = incidentOf('calm-api');
      for (const user of ['U1', 'U2', 'U3']) label(incident, user, 'noisy');
      const engine = newEngine();
      engine.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
      expect((await run(engine)).feedbackChanges.map((c) => c.direction)).toEqual(['raise']);
      // Two people change their mind (their label is replaced), a third adds one on a new incident.
      const later = incidentOf('calm-api');
      label(incident, 'U1', 'late');
      label(incident, 'U2', 'late');
      label(later, 'U4', 'late');
      const report = await run(engine);
      expect(report.feedbackChanges).toHaveLength(1);
      expect(report.feedbackChanges[0]).toMatchObject({ direction: 'lower', oldFactor: 0.5, newFactor: 1 });
      expect(report.feedbackChanges[0]?.counts).toEqual({ late: 3 });
      // Back at the alert rate's own threshold, recorded as a change back.
      expect(engine.minScore(CALM)).toBeCloseTo(config.detection.min_score, 12);
      expect(repos.feedbackCalibration.history(CALM, 5).map((h) => h.direction)).toEqual(['lower', 'raise']);
    });

    it('a mix, or too few labels, moves nothing and the labels wait for more', async () => {
      const incident = incidentOf('calm-api');
      label(incident, 'U1', 'noisy');
      label(incident, 'U2', 'noisy');
      const engine = newEngine();
      engine.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
      expect((await run(engine)).feedbackChanges).toEqual([]);
      expect(engine.minScore(CALM)).toBeUndefined();
      expect(repos.feedbackCalibration.snapshotOf(CALM)?.pending).toEqual({ noisy: 2 });
      label(incident, 'U3', 'late');
      label(incident, 'U4', 'useful');
      expect((await run(engine)).feedbackChanges).toEqual([]);
      // The two noisy labels from before still count once a third comes: 3 of 5 is a majority.
      label(incidentOf('calm-api'), 'U5', 'noisy');
      expect((await run(engine)).feedbackChanges.map((c) => c.counts)).toEqual([{ noisy: 3, late: 1, useful: 1 }]);
    });

    it('feedback moves the noisy series from its alert-rate threshold, not past the ceiling', async () => {
      const plain = (await run()).changes.find((c) => c.seriesKey === NOISY);
      const incident = incidentOf('noisy-api');
      for (const user of ['U1', 'U2', 'U3']) label(incident, user, 'noisy');
      // The alert rate alone already holds it above the default ceiling (0.99999): nothing to do.
      expect(plain?.newValue).toBeGreaterThan(config.recalibration.feedback.min_score_ceiling);
      const atCeiling = await run();
      expect(atCeiling.feedbackChanges).toEqual([]);
      expect(atCeiling.changes.find((c) => c.seriesKey === NOISY)?.newValue).toBe(plain?.newValue);
      // With room above it, one step halves the tail of the alert rate's threshold.
      const roomier = {
        ...config,
        recalibration: {
          ...config.recalibration,
          feedback: { ...config.recalibration.feedback, min_score_ceiling: 0.9999999 },
        },
      };
      const report = await recalibrate(
        {
          config: roomier,
          source: createReplaySource(samples),
          engine: newEngine(),
          repo,
          feedback: repos.feedbackCalibration,
          logger: createSilentLogger(),
        },
        NOW,
      );
      const adjusted = report.changes.find((c) => c.seriesKey === NOISY);
      expect(1 - (adjusted?.newValue ?? 0)).toBeCloseTo((1 - (plain?.newValue ?? 0)) / 2, 12);
      expect(adjusted?.reason).toMatch(/target 0\.2\/day at 0\.\d+; feedback ×0\.5 on its tail/);
    });

    it('feedback switched off: labels move nothing, and what they had moved is taken back', async () => {
      const incident = incidentOf('calm-api');
      for (const user of ['U1', 'U2', 'U3']) label(incident, user, 'noisy');
      const engine = newEngine();
      engine.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
      expect((await run(engine)).feedbackChanges).toHaveLength(1);
      expect(engine.minScore(CALM)).toBeGreaterThan(config.detection.min_score);
      label(incidentOf('calm-api'), 'U4', 'noisy');
      const off = {
        ...config,
        recalibration: { ...config.recalibration, feedback: { ...config.recalibration.feedback, enabled: false } },
      };
      const report = await recalibrate(
        {
          config: off,
          source: createReplaySource(samples),
          engine,
          repo,
          feedback: repos.feedbackCalibration,
          logger: createSilentLogger(),
        },
        NOW,
      );
      expect(report.feedbackChanges).toEqual([]);
      expect(report.changes.find((c) => c.seriesKey === CALM)?.newValue).toBe(config.detection.min_score);
      expect(engine.minScore(CALM)).toBe(config.detection.min_score);
    });
  });

  it('a slice whose history cannot be read keeps its calibration; the run is recorded as failed', async () => {
    const engine = newEngine();
    engine.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
    engine.setMinScore('shop/calm-api/latency_p99', 0.9995);
    const replay = createReplaySource(samples);
    const failing: SampleSource = {
      fetch: async (signal, range) => {
        // The series are found, then their history does not come.
        if (range.services) throw new Error('Prometheus did not answer within 10000 ms');
        return replay.fetch(signal, range);
      },
    };
    const report = await recalibrate({ config, source: failing, engine, repo, logger: createSilentLogger() }, NOW);
    expect(report).toMatchObject({ status: 'failed', changes: [], error: 'Prometheus did not answer within 10000 ms' });
    expect(engine.minScore('shop/calm-api/latency_p99')).toBe(0.9995);
    expect(repo.calibrations().size).toBe(0);
    expect(db.prepare('SELECT status, error FROM recalibration_runs').get()).toEqual({
      status: 'failed',
      error: 'Prometheus did not answer within 10000 ms',
    });
  });

  it('slices done before a failure stay applied and recorded', async () => {
    const engine = newEngine();
    engine.ingest(await lastPoints(), { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
    const replay = createReplaySource(samples);
    const failing: SampleSource = {
      fetch: async (signal, range) => {
        if (signal.name === 'error_rate') throw new Error('Prometheus did not answer within 10000 ms');
        return replay.fetch(signal, range);
      },
    };
    const report = await recalibrate({ config, source: failing, engine, repo, logger: createSilentLogger() }, NOW);
    expect(report.status).toBe('failed');
    expect(report.series).toBe(2);
    const noisy = report.changes.find((c) => c.seriesKey === 'shop/noisy-api/latency_p99');
    expect(noisy).toBeDefined();
    expect(repo.calibrations().get('shop/noisy-api/latency_p99')).toBe(noisy?.newValue);
    expect(engine.minScore('shop/noisy-api/latency_p99')).toBe(noisy?.newValue);
  });

  it('streams: slices of services, bounded answers, turns for the event loop, every series calibrated', async () => {
    const many: MetricSample[] = [];
    const services = 600;
    // The last day of each history: enough to see the slicing, small enough to run in a second.
    const lastDay = NOW.getTime() - 86_400_000;
    for (let i = 0; i < services; i += 1) {
      for (const s of history(`svc-${i}`, 'latency_p99', i % 2 === 0))
        if (Date.parse(s.timestamp) >= lastDay) many.push(s);
    }
    const replay = createReplaySource(many);
    const fetches: Array<{ services: number; series: number; points: number }> = [];
    const counting: SampleSource = {
      fetch: async (signal, range) => {
        const batch = await replay.fetch(signal, range);
        let points = 0;
        for (const s of batch.series) points += s.timestamps.length;
        fetches.push({ services: range.services?.length ?? 0, series: batch.series.length, points });
        return batch;
      },
    };
    let turns = 0;
    const timer = setInterval(() => {
      turns += 1;
    }, 1);
    const report = await recalibrate(
      { config, source: counting, engine: newEngine(), repo, logger: createSilentLogger() },
      NOW,
    ).finally(() => clearInterval(timer));
    expect(report.status).toBe('ok');
    expect(report.series).toBe(services);
    const historyReads = fetches.filter((f) => f.services > 0);
    // 600 services of one series each: two slices of at most SLICE_SERIES series.
    expect(historyReads.length).toBeGreaterThanOrEqual(Math.ceil(services / SLICE_SERIES));
    for (const f of historyReads) {
      expect(f.series).toBeLessThanOrEqual(SLICE_SERIES);
      expect(f.points).toBeLessThanOrEqual(MAX_POINTS_PER_ANSWER);
    }
    expect(historyReads.reduce((sum, f) => sum + f.points, 0)).toBe(services * 288);
    // Timers ran while it worked: it gave the event loop turns, not one long block.
    expect(turns).toBeGreaterThan(3);
  });

  describe('keeps Prometheus busy across slices and signals', () => {
    // SLICE_SERIES + 100 latency series (two slices of services) and 10 error-rate series (a second
    // signal), their last day: enough to see the slice and signal boundaries, small enough to run in
    // seconds.
    const LATENCY_SERIES = SLICE_SERIES + 100;
    const SECOND_SLICE = `svc-${SLICE_SERIES}`;
    const lastDay = NOW.getTime() - 86_400_000;
    const recent: MetricSample[] = [];
    for (let i = 0; i < LATENCY_SERIES; i += 1) recent.push(...history(`svc-${i}`, 'latency_p99', i % 2 === 0));
    for (let i = 0; i < 10; i += 1) recent.push(...history(`err-${i}`, 'error_rate', false));
    const replay = createReplaySource(recent.filter((s) => Date.parse(s.timestamp) >= lastDay));
    type Event =
      | { kind: 'fetch'; signal: string; services: readonly string[] | undefined }
      | { kind: 'settled' | 'applied' };

    /** Answers as Prometheus would, a few ms later, and logs when each fetch starts and settles. */
    function slowSource(log: Event[], fail?: (range: SampleRange) => boolean): SampleSource {
      return {
        fetch: (signal, range) => {
          log.push({ kind: 'fetch', signal: signal.name, services: range.services });
          const answer = fail?.(range)
            ? Promise.reject(new Error('Prometheus did not answer within 10000 ms'))
            : new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() => replay.fetch(signal, range));
          return answer.finally(() => log.push({ kind: 'settled' }));
        },
      };
    }
    /** The repo, each slice's changes logged when they are applied. */
    function loggedRepo(log: Event[]): DetectorStateRepo {
      return {
        ...repo,
        applyChanges: (runId, at, changes) => {
          log.push({ kind: 'applied' });
          repo.applyChanges(runId, at, changes);
        },
      };
    }
    const isFetchOf = (event: Event, signal: string, firstService?: string) =>
      event.kind === 'fetch' && event.signal === signal && event.services?.[0] === firstService;

    it('the next slice and signal are requested before the slice before is applied; never more than two fetches out', async () => {
      const log: Event[] = [];
      const report = await recalibrate(
        { config, source: slowSource(log), engine: newEngine(), repo: loggedRepo(log), logger: createSilentLogger() },
        NOW,
      );
      expect(report).toMatchObject({ status: 'ok', series: LATENCY_SERIES + 10 });
      const applied = log.flatMap((e, i) => (e.kind === 'applied' ? [i] : []));
      // Three slices: svc-0…, then SECOND_SLICE…, then the error-rate series.
      expect(applied).toHaveLength(3);
      const secondSlice = log.findIndex((e) => isFetchOf(e, 'latency_p99', SECOND_SLICE));
      expect(secondSlice).toBeGreaterThan(-1);
      expect(secondSlice).toBeLessThan(applied[0] as number);
      // The next signal's series query is out while the previous signal's last slice is finished.
      const nextSignal = log.findIndex((e) => isFetchOf(e, 'error_rate', undefined));
      expect(nextSignal).toBeLessThan(applied[1] as number);
      let outstanding = 0;
      let most = 0;
      for (const e of log) {
        if (e.kind === 'fetch') outstanding += 1;
        if (e.kind === 'settled') outstanding -= 1;
        most = Math.max(most, outstanding);
      }
      expect(most).toBeLessThanOrEqual(2);
    });

    it('a failing read of the next slice does not stop the slice before from being applied; the run fails', async () => {
      const log: Event[] = [];
      const engine = newEngine();
      // The tick knows every series already (its last point), so the engine takes their thresholds.
      const lastMs = NOW.getTime() - 300_000;
      const known = await replay.fetch(config.signals[0]!, { startMs: lastMs, endMs: lastMs, stepSeconds: 60 });
      engine.ingest(known.series, { coldStartEmitAfterMs: Number.POSITIVE_INFINITY });
      // It fails at once, long before it is awaited: marked handled, not an unhandled rejection.
      const source = slowSource(log, (range) => range.services?.[0] === SECOND_SLICE);
      const report = await recalibrate(
        { config, source, engine, repo: loggedRepo(log), logger: createSilentLogger() },
        NOW,
      );
      expect(report).toMatchObject({
        status: 'failed',
        series: SLICE_SERIES,
        error: 'Prometheus did not answer within 10000 ms',
      });
      expect(log.findIndex((e) => isFetchOf(e, 'latency_p99', SECOND_SLICE))).toBeLessThan(
        log.findIndex((e) => e.kind === 'applied'),
      );
      expect(log.filter((e) => e.kind === 'applied')).toHaveLength(1);
      // The first slice's changes are stored and in the engine; nothing of the second slice is.
      expect(report.changes.length).toBeGreaterThan(0);
      for (const c of report.changes) {
        expect(Number(c.seriesKey.match(/svc-(\d+)/)?.[1])).toBeLessThan(SLICE_SERIES);
        expect(repo.calibrations().get(c.seriesKey)).toBe(c.newValue);
        expect(engine.minScore(c.seriesKey)).toBe(c.newValue);
      }
      expect(repo.calibrations().size).toBe(report.changes.length);
      expect(repo.changes(undefined, 1000)).toHaveLength(report.changes.length);
      expect(db.prepare('SELECT status, error FROM recalibration_runs').get()).toEqual({
        status: 'failed',
        error: 'Prometheus did not answer within 10000 ms',
      });
    });
  });
});
