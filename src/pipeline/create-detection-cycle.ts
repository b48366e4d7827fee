import { appendAll } from '../collections/append-all.js';
import type { SignalConfig, VigilConfig } from '../config/config-schema.js';
import { type AnomalyEvent, AnomalyEventSchema } from '../contracts/index.js';
import { noveltyOf } from '../correlation/novelty-of.js';
import {
  demandRatios,
  pagingBar,
  pagingWeight,
  platformDemand,
  trafficByService,
  widenedBar,
} from '../correlation/paging-weight.js';
import { createSymptomRuns } from '../correlation/symptom-runs.js';
import type { Topology } from '../correlation/topology.js';
import type { DetectionEngine, IngestOptions } from '../detection/create-detection-engine.js';
import { seriesInTimeOrder } from '../detection/series-in-time-order.js';
import { errorMessage } from '../errors.js';
import { createTimeSlicer, type TimeSlicer } from '../event-loop/create-time-slicer.js';
import { applyAnomalies, type IncidentChanges, type IncidentStore } from '../incidents/apply-anomalies.js';
import type { Routing } from '../incidents/build-incident.js';
import type { Logger } from '../logger.js';
import type { SampleSource } from '../sources/sample-source.js';
import type { SeriesColumns } from '../sources/series-columns.js';
import type { AnomaliesRepo } from '../storage/anomalies-repo.js';
import type { CycleReport, CyclesRepo } from '../storage/cycles-repo.js';
import type { IncidentsRepo } from '../storage/incidents-repo.js';
import type { AlertFeed } from './create-alert-feed.js';
import type { PublishResult } from './publish-incidents.js';
import { warmupWindowMs } from './warmup-window-ms.js';

/** What the detecting half of a cycle needs: the source, the engine and the store it writes. */
export interface DetectDeps {
  config: Pick<VigilConfig, 'signals' | 'detection' | 'correlation'> & { stepSeconds: number };
  source: SampleSource;
  engine: DetectionEngine;
  /** The champion's store; a shadow challenger's own in memory (src/shadow/). */
  anomalies: Pick<AnomaliesRepo, 'insert'> & Partial<Pick<AnomaliesRepo, 'anomalousBetween'>>;
  incidents: IncidentStore;
  topology: Topology;
  routing: Routing;
  logger: Logger;
  recentDeploy?: (service: string, namespace: string, atMs: number) => string | null;
  /** Why an anomaly must not page (maintenance window, deploy grace), if it must not. */
  suppression?: (anomaly: AnomalyEvent) => string | null;
  /**
   * Saves detector state after a cycle, given the series that learned something (which of them,
   * and when, is the persister's choice: see create-state-checkpoints.ts).
   */
  persist?: (touched: readonly string[], now: Date, forgotten: readonly string[]) => Promise<unknown>;
  /** Alertmanager alerts that join correlation as events (see create-alert-feed.ts). */
  alerts?: AlertFeed;
}

/** What the finishing half needs: where Slack is brought in line and where the report is kept. */
export interface FinishDeps {
  config: Pick<VigilConfig, 'signals'>;
  incidents: IncidentsRepo;
  cycles: CyclesRepo;
  logger: Logger;
  /** Brings Slack in line with the changed incidents; absent in a headless replay. */
  publish?: (incidentIds: string[]) => Promise<PublishResult>;
}

export type CycleDeps = DetectDeps & FinishDeps;

/**
 * The detecting half's result: plain data, so that it can cross from the detection thread to the
 * thread that talks to Slack (structured clone).
 */
export interface DetectedCycle {
  /** Wall-clock start (epoch ms): performance.now() has another origin in another thread. */
  startedAtMs: number;
  seriesScored: number;
  samples: number;
  failedSignals: number;
  errors: string[];
  changes: IncidentChanges;
  /**
   * The cycle's anomalies counted by detector (the anomalies themselves are in the store): counts
   * cross from the detection thread in a few bytes, where a catch-up's thousand events took the
   * main thread milliseconds to receive.
   */
  anomaliesByDetector: Record<string, number>;
  invalidAnomalies: number;
  rejectedSamples: number;
}

export interface CycleOutcome extends CycleReport {
  changes: IncidentChanges;
  anomaliesByDetector: Record<string, number>;
  invalidAnomalies: number;
  rejectedSamples: number;
  publish: PublishResult | null;
}

export interface DetectionCycle {
  /** Runs one cycle as of `now`; never throws: failures are in the report. */
  run(now: Date): Promise<CycleOutcome>;
}

export interface CycleDetection {
  /** Fetches, scores, stores anomalies and folds them into incidents; never throws. */
  detect(now: Date): Promise<DetectedCycle>;
}

/**
 * One pass of the pipeline: fetch the newest points of every signal, score them, store anomalies,
 * fold them into incidents and publish the changes. A failing signal is logged and skipped; the rest
 * of the cycle goes on, and its range is fetched again next time.
 */
export function createDetectionCycle(deps: CycleDeps): DetectionCycle {
  const detection = createCycleDetection(deps);
  return { run: async (now) => finishCycle(await detection.detect(now), deps) };
}

/**
 * The half of a cycle that reads Prometheus and scores: everything up to the changed incidents.
 * It may run in its own thread (see start-detection-thread.ts); the rest is finishCycle.
 */
export function createCycleDetection(deps: DetectDeps): CycleDetection {
  const { config, logger } = deps;
  const stepMs = config.stepSeconds * 1000;
  const lastEnd = new Map<string, number>();
  const warmupMs = warmupWindowMs(config.detection, config.stepSeconds);
  const trafficMetrics = new Set(config.signals.filter((s) => s.role === 'traffic').map((s) => s.name));
  const bar = pagingBar(config);
  const wideBar = widenedBar(bar, config.correlation.unseasoned_change_factor);
  const noveltySettings = {
    seasonalMinDays: config.correlation.seasonal_min_days,
    recurringWindowSeconds: config.correlation.recurring_window_seconds,
  };
  const symptomRuns = createSymptomRuns(stepMs);
  // After a long outage, catching up further than a baseline window adds nothing but load.
  const maxCatchUpMs = warmupMs;

  async function fetchSignal(signal: SignalConfig, endMs: number) {
    const previous = lastEnd.get(signal.name);
    const startMs = previous === undefined ? endMs - warmupMs : Math.max(previous + stepMs, endMs - maxCatchUpMs);
    if (startMs > endMs) return { signal, endMs, batch: { series: [] as SeriesColumns[], rejected: 0 } };
    const batch = await deps.source.fetch(signal, { startMs, endMs, stepSeconds: config.stepSeconds });
    return { signal, endMs, batch };
  }

  return {
    async detect(now) {
      const startedAtMs = performance.timeOrigin + performance.now();
      const endMs = Math.floor(now.getTime() / stepMs) * stepMs;
      const errors: string[] = [];
      const settled = await Promise.allSettled(config.signals.map((s) => fetchSignal(s, endMs)));
      const fetched: SeriesColumns[] = [];
      let samples = 0;
      let rejectedSamples = 0;
      let failedSignals = 0;
      const answered = new Set<string>();
      settled.forEach((outcome, i) => {
        const signal = config.signals[i] as SignalConfig;
        if (outcome.status === 'fulfilled') {
          appendAll(fetched, outcome.value.batch.series);
          for (const s of outcome.value.batch.series) samples += s.timestamps.length;
          rejectedSamples += outcome.value.batch.rejected;
          lastEnd.set(signal.name, outcome.value.endMs);
          answered.add(signal.name);
        } else {
          failedSignals += 1;
          errors.push(`signal ${signal.name}: ${errorMessage(outcome.reason)}`);
          logger.error({ signal: signal.name, err: outcome.reason }, 'fetching a signal failed; the cycle goes on');
        }
      });
      if (rejectedSamples > 0) logger.warn({ rejected: rejectedSamples }, 'samples rejected as invalid');

      const slicer = createTimeSlicer();
      const ingest = await ingestInSlices(deps.engine, fetched, slicer, {
        coldStartEmitAfterMs: endMs - config.detection.fresh_seconds * 1000,
        ...(deps.recentDeploy ? { recentDeploy: deps.recentDeploy } : {}),
      });
      // Only signals that answered can tell a silent series from a failed query.
      const absent = deps.engine.absent(endMs, answered);
      // Long silent (a pod replaced, a label gone): dropped, or memory grows with every pod ever seen.
      const forgotten = deps.engine.forget(endMs, answered);
      if (forgotten.length > 0) logger.info({ series: forgotten.length }, 'silent series forgotten');
      const valid: AnomalyEvent[] = [];
      let invalidAnomalies = 0;
      for (const event of [...ingest.anomalies, ...absent]) {
        if (slicer.due()) await slicer.pause();
        const check = AnomalyEventSchema.safeParse(event);
        if (check.success) valid.push(check.data);
        else {
          invalidAnomalies += 1;
          logger.error(
            { series_key: event.series_key, issues: check.error.issues },
            'detector produced an invalid event',
          );
        }
      }
      // How much each symptom weighs for paging, in the light of the whole batch (its service's
      // traffic and demand); stored with the event, so incidents read back count it the same way.
      const rate = trafficByService(fetched, trafficMetrics);
      const ratio = demandRatios(valid, trafficMetrics);
      const demand = { rate, ratio, platform: platformDemand(ratio, rate, config.correlation.platform_demand_share) };
      const runs = symptomRuns.observe(valid, endMs);
      for (let i = 0; i < valid.length; i += 1) {
        const weight = pagingWeight(valid[i] as AnomalyEvent, bar, demand, runs[i]);
        if (weight) valid[i] = { ...(valid[i] as AnomalyEvent), paging_weight: weight };
        // Whether it may be a daily pattern not learned yet (see noveltyOf), unless it is extreme: the
        // stored anomalies say what the series did yesterday (a shadow challenger keeps no day of
        // anomalies: it asks only whether the seasonal baseline knew the hour).
        const a = valid[i] as AnomalyEvent;
        const extreme = pagingWeight(a, wideBar, demand, runs[i]);
        const novelty = noveltyOf(
          a,
          trafficMetrics.has(a.metric_name),
          noveltySettings,
          deps.anomalies.anomalousBetween ?? (() => false),
          extreme === undefined || extreme === 'burst',
        );
        if (novelty) valid[i] = { ...a, novelty };
      }

      // Alerts from Alertmanager join the same correlation as the cycle's anomalies.
      const feed = deps.alerts;
      const alerts = feed?.take() ?? null;
      if (alerts) appendAll(valid, alerts.events);
      let changes: IncidentChanges = { opened: [], updated: [], resolved: [], recorded: [] };
      try {
        // Only anomalies not stored before reach correlation: a point scored again after a restart
        // must not count twice in its incident.
        const fresh = deps.anomalies.insert(valid, now.toISOString());
        // One write transaction for the whole fold: a person acknowledging an incident from Slack
        // (changeStatus, also one) cannot land between this reading an incident and saving it.
        changes = deps.incidents.atomically(() =>
          applyAnomalies(fresh, {
            incidents: deps.incidents,
            topology: deps.topology,
            routing: deps.routing,
            settings: {
              windowSeconds: config.correlation.window_seconds,
              openWindowSeconds: config.correlation.resolve_after_quiet_seconds,
              maxIncidentSeconds: config.correlation.max_incident_seconds,
              resolveAfterQuietSeconds: config.correlation.resolve_after_quiet_seconds,
              minAnomalies: config.correlation.min_anomalies,
              persistencePoints: config.correlation.persistence_points,
              unseasonedMinServices: config.correlation.unseasoned_min_services,
              linkWindowSeconds: config.correlation.link_window_seconds,
              joinHops: config.correlation.join_hops,
            },
            ...(deps.suppression ? { suppression: deps.suppression } : {}),
            ...(feed ? { holdOpen: (id: string) => feed.stillFiring(id, now) } : {}),
            trafficMetrics,
            now,
          }),
        );
        if (alerts) feed?.folded(alerts);
      } catch (error) {
        if (alerts) feed?.failed();
        errors.push(`incidents: ${errorMessage(error)}`);
        logger.error({ err: error }, 'updating incidents failed');
      }

      // After the anomalies are stored, never before: state saved past a point whose anomaly was
      // not stored yet would skip that point after a crash, and its anomaly would be lost.
      if (deps.persist) {
        try {
          await deps.persist(ingest.touched, now, forgotten);
        } catch (error) {
          errors.push(`detector state: ${errorMessage(error)}`);
          logger.error({ err: error }, 'saving detector state failed; detection goes on');
        }
      }
      return {
        startedAtMs,
        seriesScored: ingest.seriesScored,
        samples,
        failedSignals,
        errors,
        changes,
        anomaliesByDetector: countByDetector(valid),
        invalidAnomalies,
        rejectedSamples,
      };
    },
  };
}

/** The other half: publish the changed incidents, then record and log the cycle's report. */
export async function finishCycle(detected: DetectedCycle, deps: FinishDeps): Promise<CycleOutcome> {
  const { config, logger } = deps;
  const { changes } = detected;
  const errors = [...detected.errors];
  let publish: PublishResult | null = null;
  if (deps.publish) {
    try {
      const candidates = [
        ...changes.opened,
        ...changes.updated,
        ...changes.resolved,
        ...deps.incidents.idsToRepublish(),
      ];
      publish = await deps.publish(candidates);
      for (const f of publish.failed) errors.push(`publish ${f.incidentId}: ${f.error}`);
    } catch (error) {
      errors.push(`incidents: ${errorMessage(error)}`);
      logger.error({ err: error }, 'publishing incidents failed');
    }
  }

  const failed = config.signals.length > 0 && detected.failedSignals === config.signals.length;
  const finishedAtMs = performance.timeOrigin + performance.now();
  const report: CycleReport = {
    started_at: new Date(detected.startedAtMs).toISOString(),
    finished_at: new Date(finishedAtMs).toISOString(),
    duration_ms: Math.round((finishedAtMs - detected.startedAtMs) * 100) / 100,
    series_scored: detected.seriesScored,
    samples: detected.samples,
    anomalies: Object.values(detected.anomaliesByDetector).reduce((sum, n) => sum + n, 0),
    incidents_opened: changes.opened.length,
    incidents_updated: changes.updated.length,
    errors,
    status: failed ? 'failed' : errors.length > 0 ? 'partial' : 'ok',
  };
  try {
    deps.cycles.record(report);
  } catch (error) {
    logger.error({ err: error }, 'recording the cycle report failed');
  }
  logger.info(
    {
      duration_ms: report.duration_ms,
      series: report.series_scored,
      samples: report.samples,
      anomalies: report.anomalies,
      opened: changes.opened,
      updated: changes.updated,
      resolved: changes.resolved,
      status: report.status,
    },
    'detection cycle finished',
  );
  return {
    ...report,
    changes,
    anomaliesByDetector: detected.anomaliesByDetector,
    invalidAnomalies: detected.invalidAnomalies,
    rejectedSamples: detected.rejectedSamples,
    publish,
  };
}

/**
 * Feeds the engine one series at a time and gives the event loop a turn whenever a slice is spent:
 * the first cycle of 10 000 series is seconds of scoring, and Slack's acks must not wait for it.
 * The batch is put in time order first so that a key never spans two calls.
 */
async function ingestInSlices(
  engine: DetectionEngine,
  fetched: readonly SeriesColumns[],
  slicer: TimeSlicer,
  options: IngestOptions,
): Promise<{ anomalies: AnomalyEvent[]; touched: string[]; seriesScored: number }> {
  const anomalies: AnomalyEvent[] = [];
  const touched: string[] = [];
  let seriesScored = 0;
  // The fetches' last steps (mapping series, settling promises) ran since the last turn.
  await slicer.pause();
  for (const series of seriesInTimeOrder(fetched)) {
    if (slicer.due()) await slicer.pause();
    const part = engine.ingest([series], options);
    appendAll(anomalies, part.anomalies);
    appendAll(touched, part.touched);
    seriesScored += part.seriesScored;
  }
  return { anomalies, touched, seriesScored };
}

function countByDetector(anomalies: readonly AnomalyEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of anomalies) counts[a.detector] = (counts[a.detector] ?? 0) + 1;
  return counts;
}
