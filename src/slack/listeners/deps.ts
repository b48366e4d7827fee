import type { Logger } from '../../logger.js';
import type { Repos } from '../../pipeline/create-pipeline.js';
import type { RemediationService } from '../../remediation/create-remediation-service.js';
import type { CycleReport } from '../../storage/cycles-repo.js';
import type { ShadowSetup } from './commands/answer-shadow-command.js';

/** What listeners may use: the store and a clock, never the transport. */
export interface ListenerDeps {
  repos: Repos;
  logger: Logger;
  now: () => Date;
  /** Series the detector currently tracks. */
  seriesTracked: () => number;
  /** Whether the last detection cycle is still running (for /vigil status). */
  cycleRunning: () => boolean;
  /** The last cycle this process ran, kept in memory: its report may not have reached the database. */
  lastCycle: () => CycleReport | undefined;
  /** Updates the incident's card now, after a person changed it. */
  republish: (incidentId: string) => Promise<void>;
  /** Requests, approvals and rejections of actions; undefined when Vigil runs without them. */
  readonly remediation: RemediationService | undefined;
  /** Champion and challenger names for /vigil shadow (absent: champion "default", no challenger). */
  shadow?: ShadowSetup;
}
