import type { SignalConfig, VigilConfig } from '../config/config-schema.js';
import { MAX_POINTS_PER_ANSWER } from '../detection/recalibrate.js';
import { ErrorCode, VigilError } from '../errors.js';
import { createTimeSlicer } from '../event-loop/create-time-slicer.js';
import { verdictOfCounts } from '../feedback/verdict.js';
import type { Logger } from '../logger.js';
import { createPipeline } from '../pipeline/create-pipeline.js';
import { warmupWindowMs } from '../pipeline/warmup-window-ms.js';
import { readReplayIncidents } from '../replay/read-replay-incidents.js';
import { runSimulatedTicks } from '../replay/run-simulated-ticks.js';
import { planHistoryChunks } from '../sources/plan-history-chunks.js';
import type { SampleBatch, SampleSource } from '../sources/sample-source.js';
import { createDetectorStateRepo } from '../storage/detector-state-repo.js';
import { createFeedbackRepo, type FeedbackRepo } from '../storage/feedback-repo.js';
import { createIncidentsRepo, type IncidentsRepo } from '../storage/incidents-repo.js';
import { type Db, openDatabase } from '../storage/open-database.js';
import { createOpsEventsRepo, type OpsEventsRepo } from '../storage/ops-events-repo.js';
import {
  type BacktestScope,
  createScopedIncidentsRepo,
  type ScopedIncidentsRepo,
} from '../storage/scoped-incidents-repo.js';
import { type BacktestPage, type Comparison, compareWithStored, type StoredIncident } from './compare-with-stored.js';
import { createHistoryWindow, type LoadedChunk } from './create-history-window.js';
import type { BacktestArgs } from './parse-backtest-args.js';

const DAY_MS = 86_400_000;
/**
 * Series one backtest may replay: the engine keeps ~10-20 KB of state per series, so this bounds
 * a backtest's memory to ~100 MB next to the bot's own (narrow the scope to a service beyond it).
 */
export const MAX_BACKTEST_SERIES = 5000;
/**
 * Steps of one history chunk at most (6 hours at a minute): also the grain of progress, and of
 * how soon a cancel is seen while a chunk is being read.
 */
export const MAX_CHUNK_STEPS = 360;
/** Stored incidents a backtest compares itself with; more are counted as "more than". */
export const STORED_COMPARED = 500;

/** The bot's store, read only: its paged incidents, their labels, and the period's deploys and maintenance. */
export interface StoredHistory {
  incidents: Pick<IncidentsRepo, 'get'>;
  feedback: Pick<FeedbackRepo, 'countsForIncident'>;
  opsEvents: Pick<OpsEventsRepo, 'between'>;
  scoped: ScopedIncidentsRepo;
  /** The bot's calibrated thresholds by series (alert rate and feedback), as production pages with. */
  calibrations: () => ReadonlyMap<string, number>;
}

/** Whether a series key (`namespace/service/metric{labels}`, seriesKeyOf) is one of these signals' and services'. */
function seriesInScope(key: string, metrics: ReadonlySet<string>, services: readonly string[] | undefined): boolean {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  if (first < 0 || second < 0) return false;
  const brace = key.indexOf('{', second);
  const metric = key.slice(second + 1, brace < 0 ? undefined : brace);
  return metrics.has(metric) && (services === undefined || services.includes(key.slice(first + 1, second)));
}

/** Read-only views of the bot's database for a backtest (prepared statements; nothing is written). */
export function storedHistoryOf(db: Db): StoredHistory {
  return {
    incidents: createIncidentsRepo(db),
    feedback: createFeedbackRepo(db),
    opsEvents: createOpsEventsRepo(db),
    scoped: createScopedIncidentsRepo(db),
    calibrations: () => createDetectorStateRepo(db).calibrations(),
  };
}

export interface BacktestOptions {
  config: VigilConfig;
  args: BacktestArgs;
  /** Where history is read: Prometheus (configuredPrometheusSource). */
  source: SampleSource;
  /** Absent: nothing to compare with (a CLI run without the bot's database). */
  stored?: StoredHistory;
  /** The end of the period replayed. */
  now: Date;
  logger: Logger;
  /** Aborted: the run stops before its next tick or chunk. */
  signal?: AbortSignal;
  /** Share of the period replayed so far, 0..1, after every tick (callers throttle). */
  onProgress?: (fraction: number) => void;
}

export interface BacktestReport {
  target: string;
  scope: BacktestScope;
  days: number;
  fromIso: string;
  toIso: string;
  series: number;
  cycles: number;
  anomalies: number;
  /** Incidents the backtest recorded without paging (below the evidence bar, suppressed). */
  recorded: number;
  comparison: Comparison;
  stored: { compared: boolean; count: number; truncated: boolean };
}

export type BacktestOutcome = { status: 'done'; report: BacktestReport } | { status: 'cancelled'; fraction: number };

/** Which signal or service `target` names; a signal when it names both. */
export function resolveBacktestScope(config: Pick<VigilConfig, 'signals' | 'services'>, target: string): BacktestScope {
  if (config.signals.some((s) => s.name === target)) return { kind: 'signal', signal: target };
  if (config.services.some((s) => s.name === target)) return { kind: 'service', service: target };
  const names = (list: ReadonlyArray<{ name: string }>) =>
    list.length === 0
      ? 'none'
      : `${list
          .slice(0, 10)
          .map((x) => x.name)
          .join(', ')}${list.length > 10 ? ', …' : ''}`;
  throw new VigilError(
    ErrorCode.BacktestScope,
    `no signal or service is named "${target}" (signals: ${names(config.signals)}; services: ${names(config.services)})`,
  );
}

/** The pipeline's own log lines, warnings and worse only: a backtest's thousands of cycles are not news. */
function quieter(logger: Logger): Logger {
  return logger.child({ name: 'backtest' }, { level: logger.levelVal > 40 ? logger.level : 'warn' });
}

/**
 * Replays detection and correlation over Prometheus history with the production pipeline and a
 * fresh in-memory store: what would have paged for one signal or service over the last `days`, and
 * how that compares with the incidents the bot stored (and people labelled) in that period.
 *
 * History is read in time chunks (planHistoryChunks, bounded like recalibration's answers and to
 * MAX_CHUNK_STEPS), the next one requested while the current is replayed; the simulated clock ticks
 * every step, as the scheduler does, and each cycle reads only what its tick would have seen. The
 * bot's own detector state, incidents and Slack are never touched: the pipeline here has its own
 * engine, its own database in memory and no publisher. Every cycle yields to the event loop (see
 * createCycleDetection), so Slack's acks are served between ticks.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestOutcome> {
  const { config, args } = options;
  const scope = resolveBacktestScope(config, args.target);
  const stepSeconds = config.prometheus.step_seconds;
  const stepMs = stepSeconds * 1000;
  const endMs = Math.floor(options.now.getTime() / stepMs) * stepMs;
  const startMs = endMs - Math.max(1, Math.round((args.days * DAY_MS) / stepMs)) * stepMs;
  const historyStartMs = startMs - warmupWindowMs(config.detection, stepSeconds);
  const signals: SignalConfig[] =
    scope.kind === 'signal' ? config.signals.filter((s) => s.name === scope.signal) : config.signals;
  const services = scope.kind === 'service' ? [scope.service] : undefined;
  const read = (signal: SignalConfig, fromMs: number, toMs: number) =>
    options.source.fetch(signal, { startMs: fromMs, endMs: toMs, stepSeconds, ...(services ? { services } : {}) });

  // How many series the scope has now, by a one-step query per signal: it sizes the chunks.
  let series = 0;
  let widest = 1;
  for (const signal of signals) {
    const present = (await read(signal, endMs - stepMs, endMs)).series.length;
    series += present;
    widest = Math.max(widest, present);
  }
  if (series > MAX_BACKTEST_SERIES) {
    throw new VigilError(
      ErrorCode.BacktestScope,
      `${args.target} has ${series} series; a backtest replays at most ${MAX_BACKTEST_SERIES}: name one service instead`,
    );
  }
  const chunks = planHistoryChunks(
    historyStartMs,
    endMs,
    stepMs,
    widest,
    Math.min(MAX_POINTS_PER_ANSWER, widest * MAX_CHUNK_STEPS),
  );

  async function readChunk(index: number): Promise<LoadedChunk> {
    const chunk = chunks[index] as (typeof chunks)[number];
    const bySignal = new Map<string, SampleBatch>();
    // One signal after another: one answer of a bounded size in flight at a time.
    for (const signal of signals) bySignal.set(signal.name, await read(signal, chunk.startMs, chunk.endMs));
    return { ...chunk, bySignal };
  }
  const prefetch = (index: number) => {
    if (index >= chunks.length) return null;
    const loading = readChunk(index);
    // Awaited when its tick comes; marked handled now so that a failure meanwhile (or after a
    // cancel) is not an unhandled rejection.
    loading.catch(() => {});
    return loading;
  };

  const db = openDatabase(':memory:');
  try {
    // The thresholds production pages with (recalibrated from alert rates and labels), for the
    // series in scope: without them the backtest would judge with the configured default only.
    const metrics = new Set(signals.map((s) => s.name));
    const calibrated = [...(options.stored?.calibrations() ?? [])].filter(([key]) =>
      seriesInScope(key, metrics, services),
    );
    createDetectorStateRepo(db).importCalibrations(calibrated, options.now.toISOString());
    const window = createHistoryWindow();
    const pipeline = createPipeline({
      config: { ...config, signals },
      db,
      detection: { source: window.source },
      logger: quieter(options.logger),
    });
    // The period's deploys and maintenance windows, as the bot knew them (config windows come with config).
    for (const event of options.stored?.opsEvents.between(
      new Date(historyStartMs - DAY_MS).toISOString(),
      new Date(endMs + DAY_MS).toISOString(),
    ) ?? [])
      pipeline.recordOpsEvent(event, 'backtest');

    let fraction = 0;
    let next = 0;
    let loading = prefetch(0);
    let previousTickMs: number | null = null;
    const ticks = await runSimulatedTicks({
      cycle: pipeline.cycle,
      firstMs: startMs,
      lastMs: endMs,
      tickMs: stepMs,
      beforeTick: async (t) => {
        if (options.signal?.aborted) return false;
        // Every signal has read through the previous tick: what ends there is done with.
        if (previousTickMs !== null) window.dropThrough(previousTickMs);
        previousTickMs = t;
        while (loading && (chunks[next] as (typeof chunks)[number]).startMs <= t) {
          window.add(await loading);
          next += 1;
          loading = prefetch(next);
          if (options.signal?.aborted) return false;
        }
        fraction = (t - startMs) / (endMs - startMs);
        options.onProgress?.(fraction);
        return true;
      },
    });
    if (!ticks.finished) return { status: 'cancelled', fraction };
    options.onProgress?.(1);

    const incidents = await readReplayIncidents(db, pipeline.repos.incidents);
    const pages: BacktestPage[] = incidents
      .filter((i) => i.paged)
      .map((i) => ({
        id: i.id,
        openedMs: Date.parse(i.created_at),
        resolvedMs: i.resolved_at ? Date.parse(i.resolved_at) : null,
        services: i.services,
        probableStart: i.probable_starting_service,
        severity: i.severity,
      }));
    const fromIso = new Date(startMs).toISOString();
    const toIso = new Date(endMs).toISOString();
    const storedIds = options.stored?.scoped.pagedIds(scope, fromIso, toIso, STORED_COMPARED + 1) ?? [];
    const stored: StoredIncident[] = [];
    const slicer = createTimeSlicer();
    for (const id of storedIds.slice(0, STORED_COMPARED)) {
      if (slicer.due()) await slicer.pause();
      const incident = options.stored?.incidents.get(id);
      if (!incident) continue;
      stored.push({
        id,
        openedMs: Date.parse(incident.opened_at ?? incident.created_at),
        resolvedMs: incident.resolved_at ? Date.parse(incident.resolved_at) : null,
        services: incident.services,
        label: verdictOfCounts(options.stored?.feedback.countsForIncident(id) ?? {}),
      });
    }
    return {
      status: 'done',
      report: {
        target: args.target,
        scope,
        days: args.days,
        fromIso,
        toIso,
        series,
        cycles: ticks.cycles,
        anomalies: ticks.anomalies,
        recorded: incidents.length - pages.length,
        comparison: compareWithStored(pages, stored, {
          toleranceMs: config.correlation.window_seconds * 1000,
          endMs,
        }),
        stored: {
          compared: options.stored !== undefined,
          count: stored.length,
          truncated: storedIds.length > STORED_COMPARED,
        },
      },
    };
  } finally {
    db.close();
  }
}
