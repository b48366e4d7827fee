import type { DetectionConfig, VigilConfig } from '../config/config-schema.js';
import type { AnomalyEvent } from '../contracts/index.js';
import type { Topology } from '../correlation/topology.js';
import { createDetectionEngine } from '../detection/create-detection-engine.js';
import { errorMessage } from '../errors.js';
import type { Routing } from '../incidents/build-incident.js';
import type { Logger } from '../logger.js';
import { createCycleDetection } from '../pipeline/create-detection-cycle.js';
import type { SampleBatch, SampleSource } from '../sources/sample-source.js';
import type { ShadowRepo, WouldBeIncident } from '../storage/shadow-repo.js';
import { createShadowIncidentStore } from './create-shadow-incident-store.js';

export interface ChallengerOptions {
  name: string;
  /** The challenger's settings: the champion's with its overrides (challengerDetection). */
  detection: DetectionConfig;
  config: Pick<VigilConfig, 'signals' | 'correlation'> & { stepSeconds: number };
  repo: ShadowRepo;
  topology: Topology;
  routing: Routing;
  logger: Logger;
  recentDeploy?: (service: string, namespace: string, atMs: number) => string | null;
  suppression?: (anomaly: AnomalyEvent) => string | null;
}

export interface ChallengerTurn {
  seriesScored: number;
  opened: string[];
  errors: string[];
}

export interface Challenger {
  /** The champion's source, each answer kept for the challenger's turn: one query, two scorers. */
  tee(source: SampleSource): SampleSource;
  /**
   * Scores what the champion fetched for this cycle, folds it into would-be incidents with the real
   * correlation and paging rules, and records those it would have opened. Never posts; never throws.
   */
  detect(now: Date): Promise<ChallengerTurn>;
  /** Gives the challenger's series these per-series thresholds (the champion's recalibration). */
  syncCalibrations(minScoreOf: (key: string) => number | undefined): void;
  seriesTracked(): number;
}

const EMPTY: SampleBatch = { series: [], rejected: 0 };

/**
 * A shadow (challenger) detector: the real detection engine with other settings and the real
 * detection cycle (createCycleDetection) over the champion's answers, on an in-memory incident store
 * of its own. Its detector state lives in memory only (it warms up again from the champion's first
 * fetch after a restart); the incidents it would have opened go to shadow_incidents.
 */
export function createChallenger(options: ChallengerOptions): Challenger {
  const { config, logger } = options;
  const engine = createDetectionEngine({
    detection: options.detection,
    stepSeconds: config.stepSeconds,
    signals: config.signals,
  });
  const store = createShadowIncidentStore();
  /** The champion's answers of this cycle by signal (promises: the champion awaits them too). */
  let answers = new Map<string, Promise<SampleBatch>>();
  const source: SampleSource = { fetch: async (signal) => answers.get(signal.name) ?? EMPTY };
  const cycle = createCycleDetection({
    config: {
      signals: config.signals,
      detection: options.detection,
      correlation: config.correlation,
      stepSeconds: config.stepSeconds,
    },
    source,
    engine,
    anomalies: store,
    incidents: store,
    topology: options.topology,
    routing: options.routing,
    logger,
    ...(options.recentDeploy ? { recentDeploy: options.recentDeploy } : {}),
    ...(options.suppression ? { suppression: options.suppression } : {}),
  });
  let minScoreOf: ((key: string) => number | undefined) | undefined;
  let calibratedSeries = 0;
  // Resolved pages are read again only within the link window (a new story links to them).
  const keepResolvedMs = config.correlation.link_window_seconds * 1000;

  function syncCalibrations(of: (key: string) => number | undefined): void {
    minScoreOf = of;
    for (const key of engine.keys()) {
      const minScore = of(key);
      if (minScore !== undefined) engine.setMinScore(key, minScore);
    }
    calibratedSeries = engine.seriesCount();
  }

  /** Would-be incidents the cycle opened or changed, as shadow_incidents keeps them. */
  function wouldBe(ids: readonly string[]): WouldBeIncident[] {
    const out: WouldBeIncident[] = [];
    for (const id of new Set(ids)) {
      const incident = store.get(id);
      const details = store.details(id);
      // Only pages: a story below the evidence bar or suppressed would not have paged either.
      if (!incident || !details || incident.pending || incident.opened_at === null) continue;
      out.push({
        id,
        challenger: options.name,
        namespace: incident.namespace,
        opened_at: incident.opened_at,
        onset_at: incident.created_at,
        last_anomaly_at: incident.last_anomaly_at,
        resolved_at: incident.resolved_at,
        services: incident.services,
        ...details,
      });
    }
    return out;
  }

  return {
    tee(champion) {
      return {
        fetch(signal, range) {
          const answer = champion.fetch(signal, range);
          answers.set(signal.name, answer);
          return answer;
        },
      };
    },
    async detect(now) {
      const detected = await cycle.detect(now);
      // The answers are the champion's next cycle's to fill: nothing of this one is kept.
      answers = new Map();
      const errors = [...detected.errors];
      const { opened, updated, resolved } = detected.changes;
      try {
        const at = now.toISOString();
        options.repo.saveWouldBe(wouldBe([...opened, ...updated]), at);
        options.repo.markResolved(resolved, at);
      } catch (error) {
        errors.push(`shadow incidents: ${errorMessage(error)}`);
        logger.error({ err: error }, 'recording what the challenger would have opened failed');
      }
      store.prune(now.getTime(), keepResolvedMs);
      // New series take the champion's thresholds from their first cycle on.
      if (minScoreOf && engine.seriesCount() !== calibratedSeries) syncCalibrations(minScoreOf);
      if (opened.length > 0)
        logger.info({ challenger: options.name, opened }, 'the challenger would have opened incidents');
      return { seriesScored: detected.seriesScored, opened, errors };
    },
    syncCalibrations,
    seriesTracked: () => engine.seriesCount(),
  };
}
