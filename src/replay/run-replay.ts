import type { VigilConfig } from '../config/config-schema.js';
import type { Logger } from '../logger.js';
import type { CycleOutcome } from '../pipeline/create-detection-cycle.js';
import { createPipeline, type Pipeline, type PipelineOptions } from '../pipeline/create-pipeline.js';
import type { CardPublisher } from '../slack/card-publisher.js';
import { createReplaySource, metricNamesOf } from '../sources/create-replay-source.js';
import type { Scenario } from '../sources/load-scenario.js';
import { type Db, openDatabase } from '../storage/open-database.js';
import { configForScenario } from './config-for-scenario.js';
import { type ReplayIncident, readReplayIncidents } from './read-replay-incidents.js';
import { runSimulatedTicks } from './run-simulated-ticks.js';

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
}

export interface ReplayResult {
  incidents: ReplayIncident[];
  cycles: number;
  samples: number;
  anomalies: number;
  pipeline: Pipeline;
  /** The replay's database, still open: close it when done. */
  db: Db;
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
  });
  const db = openDatabase(options.dbPath ?? ':memory:');
  const pipeline = createPipeline({
    config,
    db,
    detection: { source: createReplaySource(scenario.samples) },
    logger: options.logger,
    ...(options.publisher ? { publisher: options.publisher } : {}),
    ...(options.remediation ? { remediation: options.remediation } : {}),
  });
  // The scenario's deploys and maintenance windows go through the same path as the intake endpoint.
  for (const event of scenario.events) pipeline.recordOpsEvent(event, 'replay');
  await options.beforeTicks?.(pipeline);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of scenario.samples) {
    const t = Date.parse(s.timestamp);
    if (t < first) first = t;
    if (t > last) last = t;
  }
  if (!Number.isFinite(first)) throw new Error('the scenario has no valid samples');
  const ticks = await runSimulatedTicks({
    cycle: pipeline.cycle,
    firstMs: first + tickMs,
    lastMs: last + tickMs,
    tickMs,
    ...(options.onCycle
      ? { onCycle: (now: Date, outcome: CycleOutcome) => options.onCycle?.(now, outcome, pipeline) }
      : {}),
  });
  const { cycles, anomalies } = ticks;
  const incidents = await readReplayIncidents(db, pipeline.repos.incidents);
  return { incidents, cycles, samples: scenario.samples.length, anomalies, pipeline, db };
}
