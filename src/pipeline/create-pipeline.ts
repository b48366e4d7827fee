import type { VigilConfig } from '../config/config-schema.js';
import type { OpsEvent } from '../contracts/index.js';
import { createTopology, type Topology } from '../correlation/topology.js';
import { createDetectionEngine, type DetectionEngine } from '../detection/create-detection-engine.js';
import type { Routing } from '../incidents/build-incident.js';
import { createOpsCalendar, type OpsCalendar } from '../incidents/ops-calendar.js';
import type { Logger } from '../logger.js';
import {
  createRemediationService,
  type RemediationNotifier,
  type RemediationService,
} from '../remediation/create-remediation-service.js';
import type { Executor } from '../remediation/executors/executor.js';
import type { Unit } from '../slack/blocks/format-value.js';
import type { CardPublisher } from '../slack/card-publisher.js';
import type { SampleSource } from '../sources/sample-source.js';
import { type AnomaliesRepo, createAnomaliesRepo } from '../storage/anomalies-repo.js';
import { type CyclesRepo, createCyclesRepo } from '../storage/cycles-repo.js';
import { createDetectorStateRepo, type DetectorStateRepo } from '../storage/detector-state-repo.js';
import { createFeedbackRepo, type FeedbackRepo } from '../storage/feedback-repo.js';
import { createIncidentsRepo, type IncidentsRepo } from '../storage/incidents-repo.js';
import type { Db } from '../storage/open-database.js';
import { createOpsEventsRepo, type OpsEventsRepo } from '../storage/ops-events-repo.js';
import { createRemediationRepo, type RemediationRepo } from '../storage/remediation-repo.js';
import { createDetectionCycle, type DetectionCycle } from './create-detection-cycle.js';
import { checkpointIntervalMs, createStateCheckpoints, type StateCheckpoints } from './create-state-checkpoints.js';
import { type PublishResult, publishIncidents } from './publish-incidents.js';

export interface Repos {
  anomalies: AnomaliesRepo;
  incidents: IncidentsRepo;
  feedback: FeedbackRepo;
  cycles: CyclesRepo;
  detectorState: DetectorStateRepo;
  opsEvents: OpsEventsRepo;
  remediation: RemediationRepo;
}

export interface Pipeline {
  cycle: DetectionCycle;
  engine: DetectionEngine;
  repos: Repos;
  topology: Topology;
  routing: Routing;
  units: ReadonlyMap<string, Unit>;
  /** Series the detector currently keeps state for. */
  seriesTracked: () => number;
  /** Where detector state is saved; absent when state is not kept (replays). */
  stateCheckpoints: StateCheckpoints | undefined;
  calendar: OpsCalendar;
  /** Brings Slack in line with these incidents now (after a person changed one); absent headless. */
  publish: ((incidentIds: string[]) => Promise<PublishResult>) | undefined;
  /** Stores a deploy or maintenance event and applies it at once (intake endpoint, replays). */
  recordOpsEvent: (event: OpsEvent, source: string) => boolean;
  /** Remediation requests and approvals; absent headless (no executor given). */
  remediation: RemediationService | undefined;
}

export interface PipelineOptions {
  config: VigilConfig;
  db: Db;
  source: SampleSource;
  logger: Logger;
  /** Where cards go; without one, incidents are only stored (headless replay). */
  publisher?: CardPublisher;
  /**
   * Keep detector state in SQLite (restored here, saved a share per cycle: see
   * create-state-checkpoints.ts) so a restart neither starts cold nor re-alerts. Off for replays,
   * which start from nothing by design.
   */
  persistState?: boolean;
  /** How actions run and where requests are told; without it, cards offer no actions. */
  remediation?: {
    executor: Executor;
    notifier?: RemediationNotifier;
    groupMembers: (groupId: string) => Promise<ReadonlySet<string>>;
    now: () => Date;
  };
}

function persistWith(checkpoints: StateCheckpoints, logger: Logger) {
  return async (touched: readonly string[], now: Date) => {
    const report = await checkpoints.afterCycle(touched, now.getTime());
    if (report.series > 0) logger.debug(report, 'detector state saved');
    return report;
  };
}

export function createRepos(db: Db): Repos {
  return {
    anomalies: createAnomaliesRepo(db),
    incidents: createIncidentsRepo(db),
    feedback: createFeedbackRepo(db),
    cycles: createCyclesRepo(db),
    detectorState: createDetectorStateRepo(db),
    opsEvents: createOpsEventsRepo(db),
    remediation: createRemediationRepo(db),
  };
}

/** Wires the pure stages to a source, the store and a publisher: the same for the bot and a replay. */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { config, logger } = options;
  const repos = createRepos(options.db);
  const topology = createTopology(config.services);
  const routing: Routing = {
    teamChannels: new Map(Object.entries(config.teams).map(([team, t]) => [team, t.channel])),
    defaultChannel: config.slack.default_channel,
  };
  const units = new Map(config.signals.map((s) => [s.name, s.unit] as const));
  const runbooks = new Map(config.services.map((s) => [s.name, s.runbooks]));
  const engine = createDetectionEngine({
    detection: config.detection,
    stepSeconds: config.prometheus.step_seconds,
    signals: config.signals,
  });
  let stateCheckpoints: StateCheckpoints | undefined;
  if (options.persistState) {
    const saved = repos.detectorState.loadAll();
    const { restored, rejected } = engine.importSeries(saved);
    for (const [key, minScore] of repos.detectorState.calibrations()) engine.setMinScore(key, minScore);
    stateCheckpoints = createStateCheckpoints({
      engine,
      repo: repos.detectorState,
      intervalMs: checkpointIntervalMs(config.detection, config.prometheus.step_seconds),
    });
    const refused = new Set(rejected.map((r) => r.key));
    stateCheckpoints.restored(saved.filter((s) => !refused.has(s.key)));
    logger.info({ series: restored, rejected: rejected.length }, 'detector state restored');
    if (rejected.length > 0) {
      logger.warn(
        { rejected: rejected.length, examples: rejected.slice(0, 5) },
        'saved detector state not readable by these detection options; those series warm up again',
      );
    }
  }
  const publisher = options.publisher;
  const calendar = createOpsCalendar(
    {
      topology,
      deployGraceMs: config.correlation.deploy_grace_seconds * 1000,
      maintenanceGraceMs: config.correlation.maintenance_grace_seconds * 1000,
    },
    [...config.maintenance.map((m) => ({ type: 'maintenance' as const, ...m })), ...repos.opsEvents.all()],
  );
  const recordOpsEvent = (event: OpsEvent, source: string) => {
    const added = repos.opsEvents.add(event, source, new Date().toISOString());
    if (added) calendar.add(event);
    return added;
  };
  let remediation: RemediationService | undefined;
  const publish = publisher
    ? (ids: string[]) =>
        publishIncidents(ids, {
          ...repos,
          publisher,
          runbooksOf: (service) => runbooks.get(service) ?? [],
          units,
          logger: logger.child({ name: 'publish' }),
          ...(remediation ? { remediationCard: remediation } : {}),
        })
    : undefined;
  if (options.remediation) {
    remediation = createRemediationService({
      config: config.remediation,
      services: config.services,
      repo: repos.remediation,
      incident: (id) => repos.incidents.get(id),
      executor: options.remediation.executor,
      groupMembers: options.remediation.groupMembers,
      ...(options.remediation.notifier ? { notifier: options.remediation.notifier } : {}),
      republish: async (id) => {
        await publish?.([id]);
      },
      now: options.remediation.now,
      logger: logger.child({ name: 'remediation' }),
    });
  }
  const cycle = createDetectionCycle({
    config: { ...config, stepSeconds: config.prometheus.step_seconds },
    source: options.source,
    engine,
    ...repos,
    topology,
    routing,
    logger: logger.child({ name: 'detection' }),
    recentDeploy: calendar.recentDeploy,
    suppression: (a) =>
      a.detector === 'absent'
        ? null
        : (calendar.suppression(a.service, a.namespace, Date.parse(a.timestamp))?.reason ?? null),
    ...(stateCheckpoints ? { persist: persistWith(stateCheckpoints, logger.child({ name: 'detector-state' })) } : {}),
    ...(publish ? { publish } : {}),
  });
  return {
    cycle,
    engine,
    repos,
    topology,
    routing,
    units,
    seriesTracked: engine.seriesCount,
    stateCheckpoints,
    calendar,
    recordOpsEvent,
    publish,
    remediation,
  };
}
