import { type ChartAttacher, createChartAttacher } from '../charts/create-chart-attacher.js';
import { type ChartRenderer, startChartRenderer } from '../charts/start-chart-renderer.js';
import type { VigilConfig } from '../config/config-schema.js';
import type { OpsEvent } from '../contracts/index.js';
import { createTopology, type DiscoveredEdge, type Topology } from '../correlation/topology.js';
import { errorMessage } from '../errors.js';
import type { Routing } from '../incidents/build-incident.js';
import type { Logger } from '../logger.js';
import {
  createRemediationService,
  type RemediationNotifier,
  type RemediationService,
} from '../remediation/create-remediation-service.js';
import type { Executor } from '../remediation/executors/executor.js';
import { createSilenceBook, type SilenceBook } from '../silences/create-silence-book.js';
import type { SlackMessage } from '../slack/blocks/block-kit-limits.js';
import type { Unit } from '../slack/blocks/format-value.js';
import type { CardPublisher } from '../slack/card-publisher.js';
import type { SampleSource } from '../sources/sample-source.js';
import type { Db } from '../storage/open-database.js';
import { createSeriesAnomaliesRepo } from '../storage/series-anomalies-repo.js';
import { type DetectedCycle, type DetectionCycle, finishCycle } from './create-detection-cycle.js';
import { createDetectionSide, type DetectionSide } from './create-detection-side.js';
import { createRepos, type Repos, routingOf } from './create-repos.js';
import { cardFor, type PublishResult, publishIncidents } from './publish-incidents.js';
import { warmCardPath } from './warm-card-path.js';

export { createRepos, type Repos, routingOf } from './create-repos.js';

export interface Pipeline {
  cycle: DetectionCycle;
  /** The engine, its state and the detecting half of each cycle: here or in a thread of its own. */
  detection: DetectionSide;
  repos: Repos;
  topology: Topology;
  routing: Routing;
  units: ReadonlyMap<string, Unit>;
  /** Series the detector currently keeps state for. */
  seriesTracked: () => number;
  /** Brings Slack in line with these incidents now (after a person changed one); absent headless. */
  publish: ((incidentIds: string[]) => Promise<PublishResult>) | undefined;
  /** Stores a deploy or maintenance event and applies it at once (intake endpoint, replays). */
  recordOpsEvent: (event: OpsEvent, source: string) => boolean;
  /** Remediation requests and approvals; absent headless (no executor given). */
  remediation: RemediationService | undefined;
  /** Silences and maintenance from Slack: stored, then applied by detection at once. */
  silences: SilenceBook;
  /** The incident's card as it is posted now (for /vigil show), from the same builder. */
  cardOf: (incidentId: string) => Promise<SlackMessage | undefined>;
  /**
   * Publishes a sample incident into a scratch store (nothing reaches Slack), so that the first real
   * card does not compile its code while Slack's requests wait (see warm-card-path.ts). At start-up.
   */
  warmCards(now: Date): Promise<void>;
  /** Replaces the edges read from the service graph, here and where detection runs (topology_discovery). */
  setDiscoveredEdges: (edges: readonly DiscoveredEdge[]) => void;
  /** Stops what the pipeline started: the detection side (or its thread) and the chart thread. */
  close: () => Promise<void>;
}

export interface PipelineOptions {
  config: VigilConfig;
  db: Db;
  /**
   * Where detection runs: a source to run it here on `db` (replays, tests), or a side already
   * started elsewhere (the bot's detection thread, on its own connection to the same file).
   */
  detection: { source: SampleSource; persistState?: boolean } | { started: DetectionSide };
  logger: Logger;
  /** Where cards go; without one, incidents are only stored (headless replay). */
  publisher?: CardPublisher;
  /** The clock silences are dated and expire by (default: the remediation clock, else the wall clock). */
  now?: () => Date;
  /**
   * Where the cards' charts read their series when detection runs in another thread (the bot: its
   * own Prometheus client on this thread); otherwise the detection's source is used.
   */
  chartSource?: SampleSource;
  /** How actions run and where requests are told; without it, cards offer no actions. */
  remediation?: {
    executor: Executor;
    notifier?: RemediationNotifier;
    groupMembers: (groupId: string) => Promise<ReadonlySet<string>>;
    now: () => Date;
  };
}

/** Charts for the cards, when the publisher can put images in a thread and there is a source to read. */
function chartAttacherOf(options: PipelineOptions, repos: Repos, renderer: ChartRenderer): ChartAttacher | undefined {
  const source = options.chartSource ?? ('source' in options.detection ? options.detection.source : undefined);
  if (!options.publisher?.attachImage || !source) return undefined;
  return createChartAttacher({
    renderer,
    source,
    signals: options.config.signals,
    stepSeconds: options.config.prometheus.step_seconds,
    anomalies: repos.anomalies,
    seriesAnomalies: createSeriesAnomaliesRepo(options.db),
    opsEvents: repos.opsEvents,
    publisher: options.publisher,
    logger: options.logger.child({ name: 'chart' }),
  });
}

/** Wires the pure stages to a source, the store and a publisher: the same for the bot and a replay. */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { config, logger } = options;
  const repos = createRepos(options.db);
  const topology = createTopology(config.services);
  const routing = routingOf(config, 'source' in options.detection ? options.detection.source : undefined);
  const units = new Map(config.signals.map((s) => [s.name, s.unit] as const));
  const runbooks = new Map(config.services.map((s) => [s.name, s.runbooks]));
  const detection =
    'started' in options.detection
      ? options.detection.started
      : createDetectionSide({
          config,
          repos,
          source: options.detection.source,
          topology,
          routing,
          logger,
          ...(options.detection.persistState ? { persistState: true } : {}),
        });
  const publisher = options.publisher;
  const recordOpsEvent = (event: OpsEvent, source: string) => {
    const added = repos.opsEvents.add(event, source, new Date().toISOString());
    if (added) detection.addOpsEvent(event);
    return added;
  };
  // Started at the first chart, not here: most runs draw none.
  const renderer = startChartRenderer();
  const chart = chartAttacherOf(options, repos, renderer);
  let remediation: RemediationService | undefined;
  // What a card is built with besides the store, the same for the posted card, /vigil show and the
  // start-up warm-up. Read when asked: remediation is created after the publisher that uses it.
  const cardSettings = () => ({
    runbooksOf: (service: string) => runbooks.get(service) ?? [],
    units,
    feedbackEmoji: config.feedback,
    ...(remediation ? { remediationCard: remediation } : {}),
  });
  const publish = publisher
    ? (ids: string[]) =>
        publishIncidents(ids, {
          ...repos,
          publisher,
          ...cardSettings(),
          logger: logger.child({ name: 'publish' }),
          ...(chart ? { chart } : {}),
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
  const finishDeps = {
    config,
    incidents: repos.incidents,
    cycles: repos.cycles,
    logger: logger.child({ name: 'detection' }),
    ...(publish ? { publish } : {}),
  };
  // The detection thread may die in the middle of a cycle (see start-detection-thread.ts): the cycle
  // is then recorded as failed, with why, like one whose every query failed.
  const detectOrFail = async (now: Date): Promise<DetectedCycle> => {
    const startedAtMs = performance.timeOrigin + performance.now();
    try {
      return await detection.detect(now);
    } catch (error) {
      logger.error({ err: error }, 'detection failed; this cycle scored nothing');
      return {
        startedAtMs,
        seriesScored: 0,
        samples: 0,
        failedSignals: config.signals.length,
        errors: [`detection: ${errorMessage(error)}`],
        changes: { opened: [], updated: [], resolved: [], recorded: [] },
        anomaliesByDetector: {},
        invalidAnomalies: 0,
        rejectedSamples: 0,
      };
    }
  };
  const silences = createSilenceBook({
    repo: repos.silences,
    tell: (change) => detection.silenceChanged(change),
    now: options.now ?? options.remediation?.now ?? (() => new Date()),
    logger: logger.child({ name: 'silences' }),
  });
  const cardOf = async (incidentId: string) => {
    const incident = repos.incidents.get(incidentId);
    if (!incident) return undefined;
    return cardFor(incident, { ...repos, ...cardSettings() });
  };
  const warmCards = (now: Date) => warmCardPath({ ...cardSettings(), logger }, now);
  const cycle: DetectionCycle = { run: async (now) => finishCycle(await detectOrFail(now), finishDeps) };
  return {
    cycle,
    detection,
    repos,
    topology,
    routing,
    units,
    seriesTracked: () => detection.seriesTracked(),
    recordOpsEvent,
    publish,
    remediation,
    silences,
    cardOf,
    warmCards,
    setDiscoveredEdges(edges) {
      topology.replaceDiscovered(edges);
      // In this thread the detection side holds this same topology; in its own, it is told.
      if ('started' in options.detection) detection.setDiscoveredEdges(edges);
    },
    async close() {
      await renderer.close();
      await detection.close();
    },
  };
}
