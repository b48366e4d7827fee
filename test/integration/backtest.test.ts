/**
 * Backtest on real components: a real Prometheus (Debian's package) whose history is backfilled
 * with promtool, with a fault injected at a known minute; the production pipeline replays it with a
 * fresh in-memory store; the bot's store is a real SQLite file with stored incidents and labels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBacktestReport } from '../../src/backtest/format-backtest-report.js';
import { runBacktest, storedHistoryOf } from '../../src/backtest/run-backtest.js';
import { ConfigSchema, type VigilConfig } from '../../src/config/config-schema.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRepos } from '../../src/pipeline/create-pipeline.js';
import { configuredPrometheusSource } from '../../src/sources/configured-prometheus-source.js';
import { type Db, openDatabase } from '../../src/storage/open-database.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';
import { makeOpenIncident } from '../helpers/make-incident.js';
import { type GaugeSeries, type RealPrometheus, startRealPrometheus } from '../helpers/real-prometheus.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Deterministic noise so the history is the same on every run. */
function noise(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  };
}

/**
 * Two days of one-minute latency for three services ending at `end`; payment-api's latency is five
 * times its usual from `faultAt` for 40 minutes, its caller checkout-api three times from a minute
 * later; catalog-api stays healthy.
 */
export function backtestHistory(faultAt: number, end: number): GaugeSeries[] {
  const services = [
    { service: 'checkout-api', latency: 0.42, fault: faultAt + MINUTE, factor: 3 },
    { service: 'payment-api', latency: 0.2, fault: faultAt, factor: 5 },
    { service: 'catalog-api', latency: 0.3, fault: Number.POSITIVE_INFINITY, factor: 1 },
  ];
  const rand = noise(11);
  return services.map((s) => {
    const series: GaugeSeries = { name: 'shop_latency_p99_seconds', labels: { service: s.service }, points: [] };
    for (let t = end - 2 * DAY; t <= end; t += MINUTE) {
      const faulty = t >= s.fault && t < s.fault + 40 * MINUTE;
      series.points.push([t, +(s.latency * (1 + 0.05 * rand()) * (faulty ? s.factor : 1)).toFixed(5)]);
    }
    return series;
  });
}

export function backtestConfig(prometheusUrl: string): VigilConfig {
  return ConfigSchema.parse({
    prometheus: { url: prometheusUrl, timeout_ms: 10_000, step_seconds: 60 },
    slack: { mode: 'http', port: 0, default_channel: '#vigil-alerts' },
    http: { health_port: 0 },
    teams: { checkout: { channel: '#team-checkout' }, payments: { channel: '#team-payments' } },
    services: [
      { name: 'checkout-api', namespace: 'shop', team: 'checkout', depends_on: ['payment-api', 'catalog-api'] },
      { name: 'payment-api', namespace: 'shop', team: 'payments' },
      { name: 'catalog-api', namespace: 'shop', team: 'checkout' },
    ],
    signals: [{ name: 'latency_p99', query: 'shop_latency_p99_seconds', direction: 'up', unit: 'seconds' }],
  });
}

/** Stores a paged incident of the bot's with one latency anomaly per service, labelled by U1. */
function storeIncident(db: Db, id: string, services: string[], atSeconds: number, label: 'useful' | 'noisy' | null) {
  const repos = createRepos(db);
  const at = new Date(atSeconds * 1000).toISOString();
  const anomalies = repos.anomalies.insert(
    services.map((s) => makeAnomaly(s, at, { namespace: 'shop' })),
    at,
  );
  repos.incidents.save(
    { ...makeOpenIncident(id, services, at), anomaly_ids: anomalies.map((a) => a.id) },
    anomalies.map((a) => ({ id: a.id, suppressed: false })),
  );
  if (label) repos.feedback.set({ incident_id: id, slack_user: 'U1', label, source: 'reaction', created_at: at });
}

function rowCounts(db: Db): Record<string, number> {
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return Object.fromEntries(
    ['incidents', 'anomalies', 'incident_anomalies', 'feedback', 'series_state', 'detection_cycles'].map((t) => [
      t,
      count(t),
    ]),
  );
}

describe('backtest over a real Prometheus', () => {
  let prometheus: RealPrometheus;
  let dir: string;
  let db: Db;
  let config: VigilConfig;
  // On a minute boundary, an hour in the past: the period is a fixed window Prometheus has.
  const end = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - HOUR;
  const faultAt = end - 6 * HOUR;

  beforeAll(async () => {
    prometheus = await startRealPrometheus(backtestHistory(faultAt, end));
    config = backtestConfig(prometheus.url);
    dir = mkdtempSync(join(tmpdir(), 'vigil-backtest-'));
    db = openDatabase(join(dir, 'vigil.db'));
    // What the bot stored for the same day: the fault (labelled useful), and a page 3 hours
    // earlier on a quiet history that people called noisy.
    storeIncident(db, 'inc-fault', ['payment-api', 'checkout-api'], faultAt + 2 * MINUTE, 'useful');
    storeIncident(db, 'inc-noise', ['payment-api'], faultAt - 3 * HOUR, 'noisy');
  }, 60_000);

  afterAll(async () => {
    db?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pages at the injected fault, matches the stored incident there, and writes nothing to the bot', async () => {
    const before = rowCounts(db);
    const progress: number[] = [];
    const started = performance.now();
    const outcome = await runBacktest({
      config,
      args: { target: 'payment-api', days: 1 },
      source: configuredPrometheusSource(config, {}),
      stored: storedHistoryOf(db),
      now: new Date(end * 1000),
      logger: createSilentLogger(),
      onProgress: (f) => progress.push(f),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    const { report } = outcome;
    console.log(formatBacktestReport(report).join('\n'), `\n(${seconds.toFixed(1)} s)`);
    expect(report.scope).toEqual({ kind: 'service', service: 'payment-api' });
    expect(report.series).toBe(1);
    expect(report.cycles).toBe(24 * 60 + 1);
    const pages = report.comparison.pages;
    expect(pages.length).toBeGreaterThanOrEqual(1);
    const atFault = pages.filter(
      (p) => p.page.openedMs >= faultAt * 1000 && p.page.openedMs <= (faultAt + 5 * MINUTE) * 1000,
    );
    expect(atFault).toHaveLength(1);
    expect(atFault[0]?.page.services).toContain('payment-api');
    expect(atFault[0]?.stored?.id).toBe('inc-fault');
    expect(report.comparison.missed.map((m) => [m.id, m.label])).toEqual([['inc-noise', 'noisy']]);
    // Progress went from the start to the end of the period, in order.
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= (progress[i - 1] as number))).toBe(true);
    // The bot's store is read, never written.
    expect(rowCounts(db)).toEqual(before);
  }, 120_000);
});
