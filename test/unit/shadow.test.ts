/**
 * Shadow (challenger) detectors below the end-to-end test (test/integration/shadow.test.ts): the
 * comparison math on constructed rows, the repo's reads on real SQLite with the real migrations,
 * champion changes at start-up, the challenger's in-memory store, and the config checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import {
  ConfigSchema,
  challengerDetection,
  DetectionConfigSchema,
  SignalConfigSchema,
} from '../../src/config/config-schema.js';
import { ConfigError, parseConfigText } from '../../src/config/load-config.js';
import type { FeedbackLabel, MetricSample } from '../../src/contracts/index.js';
import { createTopology } from '../../src/correlation/topology.js';
import { createDetectionEngine } from '../../src/detection/create-detection-engine.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos } from '../../src/pipeline/create-pipeline.js';
import { compareShadow, judgedUseful, overlaps } from '../../src/shadow/compare-shadow.js';
import { challengerOf, createChallenger } from '../../src/shadow/create-challenger.js';
import { createShadowIncidentStore } from '../../src/shadow/create-shadow-incident-store.js';
import { recordChampion } from '../../src/shadow/record-champion.js';
import { answerShadowCommand } from '../../src/slack/listeners/commands/answer-shadow-command.js';
import type { SampleSource } from '../../src/sources/sample-source.js';
import { openDatabase } from '../../src/storage/open-database.js';
import type { LabelledPage, PageSpan } from '../../src/storage/shadow-repo.js';
import { columnsOf } from '../helpers/columns-of.js';
import { makeOpenIncident } from '../helpers/make-incident.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-20T12:00:00.000Z');
const WINDOW = 10 * MIN;

function page(id: string, services: string[], openedMin: number, over: Partial<PageSpan> = {}): PageSpan {
  const openedAt = T0 + openedMin * MIN;
  return {
    id,
    namespace: 'shop',
    services,
    openedAt,
    onsetAt: openedAt - 2 * MIN,
    lastAnomalyAt: openedAt + 20 * MIN,
    ...over,
  };
}
const labelled = (p: PageSpan, labels: Partial<Record<FeedbackLabel, number>>): LabelledPage => ({ ...p, labels });

describe('compareShadow on constructed rows', () => {
  const window = { fromMs: T0 - 60 * MIN, toMs: T0 + 7 * 24 * 60 * MIN, windowMs: WINDOW };

  it('gives zero counts and no ratio or median for empty sets', () => {
    const c = compareShadow({ champion: [], challenger: [], ...window });
    expect(c).toEqual({
      championPages: 0,
      challengerPages: 0,
      labelled: 0,
      useful: 0,
      championPrecision: { num: 0, den: 0 },
      challengerPrecision: { num: 0, den: 0 },
      championRecall: { num: 0, den: 0 },
      challengerRecall: { num: 0, den: 0 },
      notUsefulSkipped: { num: 0, den: 0 },
      openDelayMinutes: { median: null, count: 0 },
      extraPages: 0,
    });
    // A challenger alone: every page is extra; nothing labelled to judge it on.
    const alone = compareShadow({ champion: [], challenger: [page('x', ['api'], 0)], ...window });
    expect(alone.extraPages).toBe(1);
    expect(alone.challengerPrecision).toEqual({ num: 0, den: 0 });
  });

  it('matches by service and time, judges by the champion page labels, and counts extra pages', () => {
    const champion = [
      labelled(page('A', ['payments', 'checkout'], 0), { useful: 2, noisy: 1 }),
      labelled(page('B', ['catalog'], 100), { noisy: 1 }),
      labelled(page('C', ['search'], 200), { useful: 1 }),
      labelled(page('D', ['cart'], 300), {}),
      labelled(page('E', ['auth'], 400), { expected: 1, useful: 1 }),
      // Opened before the window: not counted, but a challenger page may overlap it.
      labelled(page('F', ['ledger'], -120), { useful: 1 }),
    ];
    const challenger = [
      page('x', ['checkout'], -3), // A, 3 min earlier
      page('x2', ['payments'], 5), // A again, later: the earliest counts
      page('y', ['catalog'], 102), // B, 2 min later
      page('w', ['cart'], 301), // D (unlabelled): not extra
      page('z', ['inventory'], 500), // nothing: extra
      page('v', ['ledger'], -100), // F (before the window): not extra
      page('u', ['auth'], 400, { namespace: 'other' }), // another namespace: extra
    ];
    const c = compareShadow({ champion, challenger, ...window });
    expect(c.championPages).toBe(5);
    expect(c.challengerPages).toBe(6);
    expect(c.labelled).toBe(4);
    expect(c.useful).toBe(3); // A, C, and E (a tie with another label counts as useful)
    expect(c.championPrecision).toEqual({ num: 3, den: 4 });
    expect(c.challengerPrecision).toEqual({ num: 1, den: 2 }); // A useful, B noisy
    expect(c.championRecall).toEqual({ num: 3, den: 3 });
    expect(c.challengerRecall).toEqual({ num: 1, den: 3 });
    expect(c.notUsefulSkipped).toEqual({ num: 0, den: 1 });
    expect(c.openDelayMinutes).toEqual({ median: -0.5, count: 2 }); // -3 and +2
    expect(c.extraPages).toBe(2);
  });

  it('overlap needs a common service and anomalies within the correlation window of each other', () => {
    const a = page('a', ['api'], 0);
    expect(overlaps(a, page('b', ['api'], 29), WINDOW)).toBe(true);
    expect(overlaps(a, { ...page('b', ['api'], 40), onsetAt: a.lastAnomalyAt + WINDOW + 1 }, WINDOW)).toBe(false);
    expect(overlaps(a, page('b', ['db'], 0), WINDOW)).toBe(false);
    expect(judgedUseful({})).toBe(false);
    expect(judgedUseful({ useful: 1, noisy: 2 })).toBe(false);
    expect(judgedUseful({ useful: 2, late: 2, noisy: 1 })).toBe(true);
  });
});

describe('the shadow store on real SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-shadow-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the champion pages of a window with their labels, from the opened_at index', () => {
    const db = openDatabase(join(dir, 'pages.db'));
    const repos = createRepos(db);
    const at = (min: number) => new Date(T0 + min * MIN).toISOString();
    repos.incidents.save(makeOpenIncident('inc-1', ['payments'], at(0)), []);
    repos.incidents.save(makeOpenIncident('inc-2', ['catalog'], at(60)), []);
    repos.incidents.save({ ...makeOpenIncident('inc-3', ['cart'], at(30)), pending: true, opened_at: null }, []);
    const give = (incident_id: string, slack_user: string, label: FeedbackLabel) =>
      repos.feedback.set({ incident_id, slack_user, label, source: 'reaction', created_at: at(90) });
    give('inc-1', 'U1', 'useful');
    give('inc-1', 'U2', 'useful');
    give('inc-2', 'U1', 'noisy');
    const pages = repos.shadow.championPages(at(-1), at(120), 100);
    expect(pages.map((p) => [p.id, p.labels])).toEqual([
      ['inc-1', { useful: 2 }],
      ['inc-2', { noisy: 1 }],
    ]);
    expect(repos.shadow.championPages(at(1), at(120), 100).map((p) => p.id)).toEqual(['inc-2']);
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM incidents INDEXED BY incidents_opened_at WHERE opened_at >= '1' AND opened_at <= '2' AND pending = 0",
      )
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('USING INDEX incidents_opened_at');

    repos.shadow.saveWouldBe(
      [
        {
          id: 'inc-x',
          challenger: 'sensitive',
          namespace: 'shop',
          opened_at: at(-2),
          onset_at: at(-4),
          last_anomaly_at: at(10),
          resolved_at: null,
          services: ['payments'],
          series: ['shop/payments/latency_p99'],
          detectors: ['robust_mad'],
          anomalies: 3,
        },
      ],
      at(-2),
    );
    const reply = answerShadowCommand(
      ['--days', '1'],
      repos.shadow,
      { champion: 'default', challenger: 'sensitive', windowSeconds: 600, maxIncidentSeconds: 21_600 },
      new Date(T0 + 120 * MIN),
    );
    expect(reply.text).toContain('*Labelled champion incidents:* 2 (1 useful)');
    expect(reply.text).toContain('challenger 100 % (1/1) of those it would also have opened');
    expect(reply.text).toContain('earlier by a median of 2.0 min on 1 labelled incident both opened');
    expect(reply.text).toContain('Labelled not useful that the challenger would have skipped: 100 % (1/1)');
    for (const bad of [['--days'], ['--days', '0'], ['--days', '91'], ['7'], ['--weeks', '1']]) {
      const usage = answerShadowCommand(
        bad,
        repos.shadow,
        { champion: 'default', challenger: 'sensitive', windowSeconds: 600, maxIncidentSeconds: 21_600 },
        new Date(T0),
      );
      expect(usage.text).toContain('`shadow` takes `--days N` (1–90, default 7)');
    }
    db.close();
  });

  it('records the first champion, a promotion once, and nothing for the same champion again', () => {
    const db = openDatabase(join(dir, 'champions.db'));
    const { shadow } = createRepos(db);
    const detection = (raw: Record<string, unknown>) => DetectionConfigSchema.parse(raw);
    const day = (d: number) => new Date(T0 + d * 86_400_000);
    expect(recordChampion(shadow, detection({ shadow: { name: 'quiet', mad_threshold: 5 } }), day(0))).toMatchObject({
      from_name: null,
      to_name: 'default',
      diff: {},
    });
    expect(recordChampion(shadow, detection({ shadow: { name: 'quiet', mad_threshold: 5 } }), day(1))).toBeNull();
    const promoted = recordChampion(shadow, detection({ name: 'quiet', mad_threshold: 5 }), day(2));
    expect(promoted).toEqual({
      at: day(2).toISOString(),
      from_name: 'default',
      to_name: 'quiet',
      settings: expect.objectContaining({ mad_threshold: 5 }),
      diff: { mad_threshold: [6, 5] },
      was_challenger: true,
    });
    expect(recordChampion(shadow, detection({ name: 'quiet', mad_threshold: 5 }), day(3))).toBeNull();
    // A new name that never ran as a challenger is recorded too, and says so.
    expect(recordChampion(shadow, detection({ name: 'hand-tuned' }), day(4))).toMatchObject({
      from_name: 'quiet',
      was_challenger: false,
      diff: { mad_threshold: [5, 6] },
    });
    expect(shadow.championChanges(10).map((c) => c.to_name)).toEqual(['hand-tuned', 'quiet', 'default']);
    db.close();
  });
});

describe('the challenger on the champion answers', () => {
  it('scores what the champion fetched, opens a would-be incident in its own store and SQLite only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-challenger-'));
    const db = openDatabase(join(dir, 'vigil.db'));
    const repos = createRepos(db);
    const signal = SignalConfigSchema.parse({ name: 'latency_p99', query: 'x', direction: 'up' });
    const config = ConfigSchema.parse({
      prometheus: { url: 'http://prometheus.invalid:9090' },
      signals: [signal],
      services: [{ name: 'api', namespace: 'shop', team: 't' }],
      teams: { t: { channel: '#t' } },
      detection: {
        zscore_threshold: 1e6,
        mad_threshold: 1e6,
        level_shift_threshold: 1e6,
        seasonal_threshold: 1e6,
        record_margin: 1e6,
        shadow: {
          name: 'sensitive',
          zscore_threshold: 3.5,
          mad_threshold: 4,
          level_shift_threshold: 4,
          seasonal_threshold: 4,
          record_margin: 1,
        },
      },
      // Hours of history: a new series' first day, whose hold-back (see noveltyOf) is not what this tests.
      correlation: { seasonal_min_days: 0 },
    });
    const settings = challengerDetection(config.detection);
    expect(settings).toMatchObject({ zscore_threshold: 3.5, mad_threshold: 4, window_points: 120 });
    // 3 hours of a steady latency that triples for its last 5 minutes.
    const end = T0;
    const samples: MetricSample[] = [];
    for (let t = end - 180 * MIN, i = 0; t <= end; t += MIN, i += 1)
      samples.push({
        timestamp: new Date(t).toISOString(),
        service: 'api',
        namespace: 'shop',
        metric_name: 'latency_p99',
        value: (t > end - 5 * MIN ? 3 : 1) * (0.2 + 0.002 * Math.sin(i)),
      });
    const fetches: string[] = [];
    const champion: SampleSource = {
      fetch: async (s) => {
        fetches.push(s.name);
        return { series: columnsOf(samples), rejected: 0 };
      },
    };
    const challenger = createChallenger({
      name: 'sensitive',
      detection: settings!,
      config: { ...config, stepSeconds: 60 },
      repo: repos.shadow,
      topology: createTopology(config.services),
      routing: { teamChannels: new Map(), defaultChannel: '#vigil-alerts' },
      logger: createSilentLogger(),
    });
    const teed = challenger.tee(champion);
    await teed.fetch(signal, { startMs: end - 180 * MIN, endMs: end, stepSeconds: 60 });
    const turn = await challenger.detect(new Date(end));
    expect(fetches).toEqual(['latency_p99']); // one query for both scorers
    expect(turn.errors).toEqual([]);
    expect(turn.opened).toHaveLength(1);
    expect(repos.shadow.wouldBe(turn.opened[0]!)).toMatchObject({ challenger: 'sensitive', services: ['api'] });
    expect(db.prepare('SELECT COUNT(*) AS n FROM incidents').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM anomalies').get()).toEqual({ n: 0 });
    // The next turn without a champion fetch scores nothing new (the answers were not kept).
    const next = await challenger.detect(new Date(end + MIN));
    expect(next.opened).toEqual([]);

    // What a challenger's series costs: the same engine state as the champion's, per series.
    const engine = createDetectionEngine({ detection: settings!, stepSeconds: 60, signals: [signal] });
    engine.ingest(columnsOf(samples), { coldStartEmitAfterMs: end });
    const [state] = engine.exportSeries();
    console.info(`challenger detector state: ${state!.state.byteLength} bytes per series (default settings)`);
    expect(state!.state.byteLength).toBeGreaterThan(1000);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the champion's per-series thresholds unless it sets its own min_score", async () => {
    const signal = SignalConfigSchema.parse({ name: 'latency_p99', query: 'x', direction: 'up' });
    const samples: MetricSample[] = [];
    for (let t = T0 - 360 * MIN, i = 0; t <= T0; t += MIN, i += 1)
      samples.push({
        timestamp: new Date(t).toISOString(),
        service: 'api',
        namespace: 'shop',
        metric_name: 'latency_p99',
        value: (t > T0 - 5 * MIN ? 3 : 1) * (0.2 + 0.002 * Math.sin(i)),
      });
    const opened = async (shadow: Record<string, unknown>) => {
      const db = openDatabase(':memory:');
      const config = ConfigSchema.parse({
        prometheus: { url: 'http://prometheus.invalid:9090' },
        signals: [signal],
        services: [{ name: 'api', namespace: 'shop', team: 't' }],
        teams: { t: { channel: '#t' } },
        detection: { shadow: { name: 'challenger', ...shadow } },
        // Hours of history: a new series' first day, whose hold-back (see noveltyOf) is not what this tests.
        correlation: { seasonal_min_days: 0 },
      });
      const challenger = challengerOf(config, {
        repo: createRepos(db).shadow,
        topology: createTopology(config.services),
        routing: { teamChannels: new Map(), defaultChannel: '#vigil-alerts' },
        logger: createSilentLogger(),
        // A champion recalibrated so high that nothing of this series is rare enough.
        championMinScore: () => 1.5,
      });
      await challenger!
        .tee({ fetch: async () => ({ series: columnsOf(samples), rejected: 0 }) })
        .fetch(signal, { startMs: T0 - 360 * MIN, endMs: T0, stepSeconds: 60 });
      const turn = await challenger!.detect(new Date(T0));
      db.close();
      return turn.opened.length;
    };
    expect(await opened({ zscore_threshold: 3 })).toBe(0);
    expect(await opened({ zscore_threshold: 3, min_score: 0.999 })).toBe(1);
    const none = ConfigSchema.parse({ prometheus: { url: 'http://p.invalid:9090' }, signals: [signal] });
    expect(
      challengerOf(none, {
        repo: createRepos(openDatabase(':memory:')).shadow,
        topology: createTopology([]),
        routing: { teamChannels: new Map(), defaultChannel: '#vigil-alerts' },
        logger: createSilentLogger(),
        championMinScore: () => undefined,
      }),
    ).toBeUndefined();
  });

  it('keeps only unresolved stories and pages resolved within the link window in memory', () => {
    const store = createShadowIncidentStore();
    const at = (min: number) => new Date(T0 + min * MIN).toISOString();
    store.save({ ...makeOpenIncident('inc-a', ['api'], at(0)), status: 'resolved', resolved_at: at(10) }, []);
    store.save({ ...makeOpenIncident('inc-b', ['api'], at(5)), pending: true, opened_at: null }, []);
    store.save(makeOpenIncident('inc-c', ['db'], at(6)), []);
    store.absorb('inc-c', 'inc-b', at(7));
    expect(store.listActive().map((i) => i.id)).toEqual(['inc-c']);
    expect(store.resolvedSince('shop', at(0)).map((i) => i.id)).toEqual(['inc-a']);
    store.prune(T0 + 60 * MIN, 120 * MIN);
    expect(store.size()).toBe(2); // inc-a (in the link window) and inc-c; the merged inc-b is gone
    store.prune(T0 + 200 * MIN, 120 * MIN);
    expect(store.size()).toBe(1);
  });
});

describe('a bad detection.shadow stops start-up naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-shadow-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());
  const file = (shadow: string) => `prometheus:
  url: http://prometheus.local:9090
signals:
  - name: latency_p99
    query: x
detection:
  window_points: 60
  shadow:
${shadow}`;

  it('lists each bad key with its path', () => {
    let error: unknown;
    try {
      parseConfigText(
        file(
          '    name: sensitive\n    zscore_treshold: 3\n    mad_threshold: -1\n    fresh_seconds: 60\n    min_points: 90\n',
        ),
        'bad.yaml',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^detection\.shadow\.zscore_treshold: "zscore_treshold" cannot be overridden/),
        expect.stringMatching(/^detection\.shadow\.fresh_seconds: /),
        expect.stringMatching(/^detection\.shadow\.mad_threshold: /),
        'detection.shadow.min_points: min_points must not exceed window_points',
      ]),
    );
    expect(() => parseConfigText(file('    zscore_threshold: 3\n'), 'x.yaml')).toThrow(/detection\.shadow\.name/);
    expect(() => parseConfigText(file('    name: default\n'), 'x.yaml')).toThrow(
      /detection\.shadow\.name: the challenger needs a name other than the champion's/,
    );
  });

  it('`vigil check-config` exits 78 naming it', async () => {
    const path = join(dir, 'vigil.yaml');
    writeFileSync(path, file('    name: sensitive\n    zscore_treshold: 3\n'));
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['check-config'], { VIGIL_CONFIG: path })).toBe(78);
    expect(err.join('')).toContain('detection.shadow.zscore_treshold');
  });
});
