import type { VigilConfig } from '../config/config-schema.js';
import type { Incident } from '../contracts/index.js';
import type { Logger } from '../logger.js';
import type { CycleOutcome } from '../pipeline/create-detection-cycle.js';
import { createPipeline, type Pipeline } from '../pipeline/create-pipeline.js';
import type { CardPublisher } from '../slack/card-publisher.js';
import { createReplaySource, metricNamesOf } from '../sources/create-replay-source.js';
import type { Scenario } from '../sources/load-scenario.js';
import { type Db, openDatabase } from '../storage/open-database.js';
import { configForScenario } from './config-for-scenario.js';

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
  onCycle?: (now: Date, outcome: CycleOutcome) => void;
}

export interface ReplayIncident {
  id: string;
  created_at: string;
  services: string[];
  probable_starting_service: string;
  confidence: number;
  reason: string;
  severity: Incident['severity'];
  status: Incident['status'];
  team: string;
  channel: string;
  anomaly_count: number;
  resolved_at: string | null;
  /** Got a card: neither suppressed (maintenance, deploy grace) nor below the evidence bar. */
  paged: boolean;
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
  });
  // The scenario's deploys and maintenance windows go through the same path as the intake endpoint.
  for (const event of scenario.events) pipeline.recordOpsEvent(event, 'replay');
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of scenario.samples) {
    const t = Date.parse(s.timestamp);
    if (t < first) first = t;
    if (t > last) last = t;
  }
  if (!Number.isFinite(first)) throw new Error('the scenario has no valid samples');
  let cycles = 0;
  let anomalies = 0;
  for (let t = first + tickMs; t <= last + tickMs; t += tickMs) {
    const now = new Date(t);
    const outcome = await pipeline.cycle.run(now);
    cycles += 1;
    anomalies += outcome.anomalies;
    options.onCycle?.(now, outcome);
  }
  const incidents = db
    .prepare('SELECT id FROM incidents ORDER BY created_at, id')
    .all()
    .map((row) => pipeline.repos.incidents.get((row as { id: string }).id) as Incident)
    .map(
      (i): ReplayIncident => ({
        id: i.id,
        // What a person saw: when the card was due (the first anomaly may be minutes earlier).
        created_at: i.opened_at ?? i.created_at,
        services: i.services,
        probable_starting_service: i.hypothesis.probable_starting_service,
        confidence: i.hypothesis.confidence,
        reason: i.hypothesis.reason,
        severity: i.severity,
        status: i.status,
        team: i.team,
        channel: i.channel,
        anomaly_count: i.anomaly_ids.length,
        resolved_at: i.resolved_at,
        paged: !i.pending && i.opened_at !== null,
      }),
    );
  return { incidents, cycles, samples: scenario.samples.length, anomalies, pipeline, db };
}
