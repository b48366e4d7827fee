import type { VigilConfig } from '../config/config-schema.js';
import { challengerDetection, type DetectionConfig } from '../config/detection-schema.js';
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
  /**
   * The champion's per-series thresholds (its recalibration), for a challenger without a min_score
   * of its own: the comparison then isolates the settings it does change.
   */
  championMinScore?: (key: string) => number | undefined;
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
  /** Takes the champion's per-series thresholds again (after its recalibration), if it shares them. */
  syncCalibrations(): void;
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
  const minScoreOf = options.championMinScore;
  const engine = createDetectionEngine({
    detection: options.detection,
    stepSeconds: config.stepSeconds,
    signals: config.signals,
    // A new series takes the champion's threshold from its first point on.
    ...(minScoreOf ? { initialMinScore: minScoreOf } : {}),
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
  // Resolved pages are read again only within the link window (a new story links to them).
  const keepResolvedMs = config.correlation.link_window_seconds * 1000;

  function syncCalibrations(): void {
    if (!minScoreOf) return;
    for (const key of engine.keys()) {
      const minScore = minScoreOf(key);
      if (minScore !== undefined) engine.setMinScore(key, minScore);
    }
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
      if (opened.length > 0)
        logger.info({ challenger: options.name, opened }, 'the challenger would have opened incidents');
      return { seriesScored: detected.seriesScored, opened, errors };
    },
    syncCalibrations,
    seriesTracked: () => engine.seriesCount(),
  };
}

/**
 * The challenger `detection.shadow` configures, or undefined without one (then nothing of this runs
 * on the tick). `champion` gives the champion's per-series thresholds, shared unless the challenger
 * sets its own min_score.
 */
export function challengerOf(
  config: VigilConfig,
  deps: Omit<ChallengerOptions, 'name' | 'detection' | 'config' | 'championMinScore'> & {
    championMinScore: (key: string) => number | undefined;
  },
): Challenger | undefined {
  const settings = challengerDetection(config.detection);
  const shadow = config.detection.shadow;
  if (!settings || !shadow) return undefined;
  const { championMinScore, ...rest } = deps;
  return createChallenger({
    ...rest,
    name: shadow.name,
    detection: settings,
    config: { ...config, stepSeconds: config.prometheus.step_seconds },
    ...('min_score' in shadow ? {} : { championMinScore }),
  });
}
