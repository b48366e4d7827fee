import type { VigilConfig } from '../config/config-schema.js';
import type { AnomalyEvent, OpsEvent } from '../contracts/index.js';
import type { DiscoveredEdge, LiveTopology } from '../correlation/topology.js';
import { createDetectionEngine } from '../detection/create-detection-engine.js';
import { type RecalibrationReport, recalibrate } from '../detection/recalibrate.js';
import type { Routing } from '../incidents/build-incident.js';
import { createOpsCalendar } from '../incidents/ops-calendar.js';
import type { Logger } from '../logger.js';
import { challengerOf } from '../shadow/create-challenger.js';
import { MAX_SILENCE_MS, type SilenceChange } from '../silences/silence.js';
import type { SampleSource } from '../sources/sample-source.js';
import { createAlertFeed } from './create-alert-feed.js';
import { createCycleDetection, type DetectedCycle } from './create-detection-cycle.js';
import type { Repos } from './create-pipeline.js';
import {
  type CheckpointReport,
  checkpointIntervalMs,
  createStateCheckpoints,
  type StateCheckpoints,
} from './create-state-checkpoints.js';

/**
 * Everything that reads Prometheus and keeps per-series state: the engine, its checkpoints, the
 * detecting half of each cycle, the recalibration, and the deploys and maintenance windows they
 * read. It talks to the rest only through this interface and the database, so that it can run in
 * a thread of its own (start-detection-thread.ts) or in the caller's (replays, tests).
 */
export interface DetectionSide {
  detect(now: Date): Promise<DetectedCycle>;
  /** The batch recalibration; baselines it rebuilt are saved before it returns. */
  recalibrate(now: Date): Promise<RecalibrationReport>;
  /** A deploy or maintenance window already stored by whoever received it. */
  addOpsEvent(event: OpsEvent): void;
  /** A silence or maintenance from Slack, already stored (or removed there): applies from now. */
  silenceChanged(change: SilenceChange): void;
  /** Alertmanager alerts were stored for correlation: the next cycle folds them in. */
  alertsArrived(): void;
  /** A new set of call edges read from the service graph (topology_discovery): replaces the last one. */
  setDiscoveredEdges(edges: readonly DiscoveredEdge[]): void;
  /** Why an anomaly of this service at this time would not page, if it would not. */
  suppression(service: string, namespace: string, atMs: number): Promise<string | null>;
  /** Series the engine keeps state for (as of the last cycle when it runs elsewhere). */
  seriesTracked(): number;
  /** At a graceful stop: saves every series changed since its last checkpoint (none when state is not kept). */
  saveForStop(now: Date): Promise<CheckpointReport | null>;
  /** Releases what it holds (its thread and database connection when it has its own). */
  close(): Promise<void>;
}

export interface DetectionSideOptions {
  config: VigilConfig;
  /** The store, on the connection of the thread this side runs in. */
  repos: Pick<
    Repos,
    'anomalies' | 'incidents' | 'detectorState' | 'feedbackCalibration' | 'opsEvents' | 'shadow' | 'alerts' | 'silences'
  >;
  source: SampleSource;
  /** Its discovered edges are replaced by setDiscoveredEdges: every stage holding it sees them. */
  topology: LiveTopology;
  routing: Routing;
  logger: Logger;
  /** Keep detector state in SQLite (restored here, saved a share per cycle); off for replays. */
  persistState?: boolean;
}

/** Live silences read at start: far more than people declare; a bound so a bad day cannot stall it. */
const LIVE_SILENCES_LOADED = 10_000;

export function createDetectionSide(options: DetectionSideOptions): DetectionSide {
  const { config, logger } = options;
  const { incidents, detectorState, feedbackCalibration, opsEvents } = options.repos;
  const engine = createDetectionEngine({
    detection: config.detection,
    stepSeconds: config.prometheus.step_seconds,
    signals: config.signals,
    // A series first seen after a start (its state not saved yet, or a backtest's fresh engine)
    // still pages with the threshold the last recalibration gave it, not the configured default.
    initialMinScore: (key) => detectorState.calibration(key),
  });
  let checkpoints: StateCheckpoints | undefined;
  if (options.persistState) checkpoints = restoreState();

  function restoreState(): StateCheckpoints {
    const saved = detectorState.loadAll();
    const { restored, rejected } = engine.importSeries(saved);
    for (const [key, minScore] of detectorState.calibrations()) engine.setMinScore(key, minScore);
    const made = createStateCheckpoints({
      engine,
      repo: detectorState,
      intervalMs: checkpointIntervalMs(config.detection, config.prometheus.step_seconds),
    });
    const refused = new Set(rejected.map((r) => r.key));
    made.restored(saved.filter((s) => !refused.has(s.key)));
    logger.info({ series: restored, rejected: rejected.length }, 'detector state restored');
    if (rejected.length > 0) {
      logger.warn(
        { rejected: rejected.length, examples: rejected.slice(0, 5) },
        'saved detector state not readable by these detection options; those series warm up again',
      );
    }
    return made;
  }

  const calendar = createOpsCalendar(
    {
      topology: options.topology,
      deployGraceMs: config.correlation.deploy_grace_seconds * 1000,
      maintenanceGraceMs: config.correlation.maintenance_grace_seconds * 1000,
    },
    [...config.maintenance.map((m) => ({ type: 'maintenance' as const, ...m })), ...opsEvents.all()],
  );
  // Declared from Slack and stored: they come back after a restart (few; bounded anyway). Those that
  // ended within the last week too: a catch-up cycle after downtime scores points of that time.
  const since = new Date(Date.now() - MAX_SILENCE_MS).toISOString();
  for (const s of options.repos.silences.live(since, LIVE_SILENCES_LOADED)) calendar.addSilence(s);
  const stateLogger = logger.child({ name: 'detector-state' });
  const recentDeploy = calendar.recentDeploy;
  const suppression = (a: AnomalyEvent) => {
    if (a.detector === 'absent') return null;
    const held = calendar.suppression(a.service, a.namespace, Date.parse(a.timestamp), a.metric_name);
    // An alert right after a deploy is a rule someone wrote, firing: only maintenance holds its page.
    return held && (a.detector !== 'alertmanager' || held.maintenance) ? held.reason : null;
  };
  const alerts = createAlertFeed({
    repo: options.repos.alerts,
    recentDeploy,
    assumeResolvedAfterSeconds: config.alertmanager_intake.assume_resolved_after_seconds,
    logger: logger.child({ name: 'alertmanager' }),
  });
  // A shadow challenger (detection.shadow), if configured; without one, the tick is unchanged.
  const challenger = challengerOf(config, {
    repo: options.repos.shadow,
    topology: options.topology,
    routing: options.routing,
    logger: logger.child({ name: 'shadow' }),
    recentDeploy,
    suppression,
    championMinScore: (key) => engine.minScore(key),
  });
  if (challenger) logger.info({ challenger: config.detection.shadow?.name }, 'shadow challenger on; it never pages');
  /** The challenger's turn of the last cycle: it runs while the champion's cards are published. */
  let challengerTurn: Promise<unknown> = Promise.resolve();
  const detection = createCycleDetection({
    config: { ...config, stepSeconds: config.prometheus.step_seconds },
    source: challenger ? challenger.tee(options.source) : options.source,
    engine,
    anomalies: options.repos.anomalies,
    incidents,
    topology: options.topology,
    routing: options.routing,
    logger: logger.child({ name: 'detection' }),
    recentDeploy,
    suppression,
    alerts,
    ...(checkpoints
      ? {
          persist: async (touched: readonly string[], now: Date, forgotten: readonly string[]) => {
            const report = await (checkpoints as StateCheckpoints).afterCycle(touched, now.getTime(), forgotten);
            if (report.series > 0) stateLogger.debug(report, 'detector state saved');
            return report;
          },
        }
      : {}),
  });

  return {
    async detect(now) {
      // One cycle at a time for the challenger too: it reads the answers this cycle fetches.
      await challengerTurn;
      const detected = await detection.detect(now);
      if (challenger)
        challengerTurn = challenger.detect(now).catch((error: unknown) => {
          logger.error({ err: error }, 'the shadow challenger failed this cycle; the champion is not affected');
        });
      return detected;
    },
    async recalibrate(now) {
      const report = await recalibrate(
        {
          config,
          source: options.source,
          engine,
          repo: detectorState,
          feedback: feedbackCalibration,
          logger: logger.child({ name: 'recalibration' }),
        },
        now,
      );
      // Rebuilt seasonal baselines are not in the points a restart replays: saved now, not in turn.
      await checkpoints?.saveUnreplayable(now.getTime());
      challenger?.syncCalibrations();
      return report;
    },
    addOpsEvent: (event) => calendar.add(event),
    silenceChanged: (change) =>
      change.op === 'add' ? calendar.addSilence(change.silence) : calendar.removeSilence(change.id),
    alertsArrived: () => alerts.arrived(),
    setDiscoveredEdges: (edges) => options.topology.replaceDiscovered(edges),
    suppression: async (service, namespace, atMs) => calendar.suppression(service, namespace, atMs)?.reason ?? null,
    seriesTracked: () => engine.seriesCount(),
    saveForStop: async (now) => {
      await challengerTurn;
      return checkpoints ? checkpoints.saveChanged(now.getTime()) : null;
    },
    close: async () => {
      await challengerTurn;
    },
  };
}
