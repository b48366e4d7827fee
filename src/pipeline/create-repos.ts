import type { VigilConfig } from '../config/config-schema.js';
import type { Routing } from '../incidents/build-incident.js';
import type { SampleSource } from '../sources/sample-source.js';
import { type AlertsRepo, createAlertsRepo } from '../storage/alerts-repo.js';
import { type AnomaliesRepo, createAnomaliesRepo } from '../storage/anomalies-repo.js';
import { type CyclesRepo, createCyclesRepo } from '../storage/cycles-repo.js';
import { createDetectorStateRepo, type DetectorStateRepo } from '../storage/detector-state-repo.js';
import { createFeedbackCalibrationRepo, type FeedbackCalibrationRepo } from '../storage/feedback-calibration-repo.js';
import { createFeedbackRepo, type FeedbackRepo } from '../storage/feedback-repo.js';
import { createHomeRepo, type HomeRepo } from '../storage/home-repo.js';
import { createIncidentsRepo, type IncidentsRepo } from '../storage/incidents-repo.js';
import type { Db } from '../storage/open-database.js';
import { createOpsEventsRepo, type OpsEventsRepo } from '../storage/ops-events-repo.js';
import { createRemediationRepo, type RemediationRepo } from '../storage/remediation-repo.js';
import { createScorecardRepo, type ScorecardRepo } from '../storage/scorecard-repo.js';
import { createSeriesLookupRepo, type SeriesLookupRepo } from '../storage/series-lookup-repo.js';
import { createShadowRepo, type ShadowRepo } from '../storage/shadow-repo.js';
import { createSilencesRepo, type SilencesRepo } from '../storage/silences-repo.js';

/*
 * The repositories and the routing, apart from the pipeline: the detection thread needs them, and
 * must not load what only the thread answering Slack uses (cards, charts, remediation).
 */

export interface Repos {
  anomalies: AnomaliesRepo;
  incidents: IncidentsRepo;
  feedback: FeedbackRepo;
  /** What people's labels did to each series' threshold (recalibration writes, /vigil explain reads). */
  feedbackCalibration: FeedbackCalibrationRepo;
  cycles: CyclesRepo;
  detectorState: DetectorStateRepo;
  opsEvents: OpsEventsRepo;
  remediation: RemediationRepo;
  /** One series by key (for /vigil explain): primary keys and index ranges only. */
  seriesLookup: SeriesLookupRepo;
  scorecard: ScorecardRepo;
  /** What a shadow challenger would have opened, and champion changes (src/shadow/). */
  shadow: ShadowRepo;
  alerts: AlertsRepo;
  /** Silences and maintenance declared from Slack (src/silences/). */
  silences: SilencesRepo;
  /** Open incidents by team, for the App Home tab. */
  home: HomeRepo;
}

export function createRepos(db: Db): Repos {
  return {
    anomalies: createAnomaliesRepo(db),
    incidents: createIncidentsRepo(db),
    feedback: createFeedbackRepo(db),
    feedbackCalibration: createFeedbackCalibrationRepo(db),
    cycles: createCyclesRepo(db),
    detectorState: createDetectorStateRepo(db),
    opsEvents: createOpsEventsRepo(db),
    remediation: createRemediationRepo(db),
    seriesLookup: createSeriesLookupRepo(db),
    scorecard: createScorecardRepo(db),
    shadow: createShadowRepo(db),
    alerts: createAlertsRepo(db),
    silences: createSilencesRepo(db),
    home: createHomeRepo(db),
  };
}

/** Where each team's cards go, and the rest; `source` may name owners of services not configured. */
export function routingOf(config: Pick<VigilConfig, 'teams' | 'slack'>, source?: SampleSource): Routing {
  return {
    teamChannels: new Map(Object.entries(config.teams).map(([team, t]) => [team, t.channel])),
    defaultChannel: config.slack.default_channel,
    ...(source?.teamOf ? { teamOf: (service: string) => source.teamOf?.(service) } : {}),
  };
}
