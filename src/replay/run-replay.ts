import type { VigilConfig } from '../config/config-schema.js';
import type { Logger } from '../logger.js';
import type { CycleOutcome } from '../pipeline/create-detection-cycle.js';
import { createPipeline, type Pipeline, type PipelineOptions } from '../pipeline/create-pipeline.js';
import { schedulePeriodMs } from '../scheduler/schedule-period-ms.js';
import type { CardPublisher } from '../slack/card-publisher.js';
import { createReplaySource, metricNamesOf } from '../sources/create-replay-source.js';
import { createTopologyDiscovery, type TopologyRefreshReport } from '../sources/discover-topology.js';
import type { Scenario } from '../sources/load-scenario.js';
import type { PrometheusClient } from '../sources/prometheus-client.js';
import { createServiceOwnership } from '../sources/service-ownership.js';
import { type Db, openDatabase } from '../storage/open-database.js';
import { configForScenario } from './config-for-scenario.js';
import { type ReplayIncident, readReplayIncidents } from './read-replay-incidents.js';
import { runSimulatedTicks } from './run-simulated-ticks.js';
import { sampleSpanOf } from './sample-span.js';

export type { ReplayIncident } from './read-replay-incidents.js';

export interface ReplayOptions {
  scenario: Scenario;
  logger: Logger;
  base?: VigilConfig;
  /** The simulated scheduler's interval. */
  tickSeconds?: number;
  stepSeconds?: number;
  publisher?: CardPublisher;
  /** SQLite path; a private in-memory database by default. */
  dbPath?: string;
  onCycle?: (now: Date, outcome: CycleOutcome, pipeline: Pipeline) => void | Promise<void>;
  /** Runs once the pipeline exists, before the first tick (the demo declares a silence here). */
  beforeTicks?: (pipeline: Pipeline) => Promise<void>;
  /** How actions run and where requests are told (the demo's dry run); without it, cards offer none. */
  remediation?: PipelineOptions['remediation'];
  /**
   * `false`: the config lists no services (see configForScenario): they, their owners (labels on
   * the samples) and their edges (the service graph) are discovered.
   */
  listServices?: boolean;
  /**
   * The Prometheus that answers topology_discovery's query (the samples hold the signals, not the
   * service graph): read when the base config enables topology_discovery.
   */
  serviceGraph?: PrometheusClient;
}

/** What topology_discovery read during a replay. */
export interface ReplayServiceGraph {
  /** Reads of the graph: one before the first tick, then one per refresh period of simulated time. */
  refreshes: number;
  /** The first read (before the first cycle) and the last. */
  first: TopologyRefreshReport;
  last: TopologyRefreshReport;
}

export interface ReplayResult {
  incidents: ReplayIncident[];
  cycles: number;
  samples: number;
  anomalies: number;
  pipeline: Pipeline;
  /** The replay's database, still open: close it when done. */
  db: Db;
  /** null when topology_discovery is off. */
  serviceGraph: ReplayServiceGraph | null;
}

/**
 * Runs the production pipeline over a recorded scenario with a simulated clock that ticks like the
 * scheduler: each tick sees only the samples up to its time.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const { scenario } = options;
  const stepSeconds = options.stepSeconds ?? 60;
  const tickMs = (options.tickSeconds ?? 60) * 1000;
  const config = configForScenario(scenario.topology, metricNamesOf(scenario.samples), {
    ...(options.base ? { base: options.base } : {}),
    stepSeconds,
    ...(options.listServices === false ? { listServices: false } : {}),
  });
  // A production config replayed as is (`vigil replay --config`) may have discovery on: the
  // scenario's own depends_on stand in for the graph then.
  if (config.topology_discovery.enabled && !options.serviceGraph)
    options.logger.warn(
      'topology_discovery is on, but this replay has no service graph to read: configured edges only',
    );
  // Owners from the series' labels, as the bot learns them (no Kubernetes labels in a replay).
  const ownership = createServiceOwnership({
    config: config.ownership,
    maxServices: config.discovery.max_services,
    stepSeconds,
    logger: options.logger,
  });
  const db = openDatabase(options.dbPath ?? ':memory:');
  const pipeline = createPipeline({
    config,
    db,
    detection: { source: createReplaySource(scenario.samples, { ownership }) },
    logger: options.logger,
    ...(options.publisher ? { publisher: options.publisher } : {}),
    ...(options.remediation ? { remediation: options.remediation } : {}),
  });
  // The scenario's deploys and maintenance windows go through the same path as the intake endpoint.
  for (const event of scenario.events) pipeline.recordOpsEvent(event, 'replay');
  await options.beforeTicks?.(pipeline);
  const { first, last } = sampleSpanOf(scenario.samples);
  const firstMs = first + tickMs;
  // The service graph, read by the production discovery through a Prometheus client: once before
  // the first cycle (as the bot does at start), then each period of its schedule in simulated time.
  const discovery =
    config.topology_discovery.enabled && options.serviceGraph
      ? createTopologyDiscovery({
          client: options.serviceGraph,
          config: config.topology_discovery,
          apply: (edges) => pipeline.setDiscoveredEdges(edges),
          logger: options.logger.child({ name: 'topology' }),
        })
      : undefined;
  let serviceGraph: ReplayServiceGraph | null = null;
  let beforeTick: ((nowMs: number) => Promise<boolean>) | undefined;
  if (discovery) {
    const periodMs = await schedulePeriodMs(config.topology_discovery.refresh);
    const report = await discovery.refresh(new Date(firstMs));
    const graph: ReplayServiceGraph = { refreshes: 1, first: report, last: report };
    serviceGraph = graph;
    let lastPeriod = Math.floor(firstMs / periodMs);
    // A cron schedule of period P fires at multiples of P (UTC): at the first tick in each new one.
    beforeTick = async (nowMs) => {
      const period = Math.floor(nowMs / periodMs);
      if (period !== lastPeriod) {
        lastPeriod = period;
        graph.last = await discovery.refresh(new Date(nowMs));
        graph.refreshes += 1;
      }
      return true;
    };
  }
  const ticks = await runSimulatedTicks({
    cycle: pipeline.cycle,
    firstMs,
    lastMs: last + tickMs,
    tickMs,
    ...(beforeTick ? { beforeTick } : {}),
    ...(options.onCycle
      ? { onCycle: (now: Date, outcome: CycleOutcome) => options.onCycle?.(now, outcome, pipeline) }
      : {}),
  });
  const { cycles, anomalies } = ticks;
  const incidents = await readReplayIncidents(db, pipeline.repos.incidents);
  return { incidents, cycles, samples: scenario.samples.length, anomalies, pipeline, db, serviceGraph };
}
