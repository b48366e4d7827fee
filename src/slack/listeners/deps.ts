import type { Topology } from '../../correlation/topology.js';
import type { ExplainConfig } from '../../feedback/explain-series.js';
import type { FeedbackEmoji } from '../../feedback/reaction-labels.js';
import type { Logger } from '../../logger.js';
import type { Repos } from '../../pipeline/create-pipeline.js';
import type { RemediationService } from '../../remediation/create-remediation-service.js';
import type { SilenceBook } from '../../silences/create-silence-book.js';
import type { CycleReport } from '../../storage/cycles-repo.js';
import type { SlackMessage } from '../blocks/block-kit-limits.js';
import type { SlackBacktests } from '../create-slack-backtests.js';
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
  /** What `/vigil explain` needs to read a series' threshold and saved state; absent: it says so. */
  explain?: ExplainConfig;
  /** Reactions that are feedback labels (config feedback.useful_emoji / noisy_emoji); default 👍/👎. */
  readonly feedbackEmoji?: FeedbackEmoji;
  /** The configured teams, for `/vigil stats --team`; without them any team name is taken. */
  readonly teams?: readonly string[];
  /** `/vigil backtest` and its Cancel button; absent when Vigil runs without them. */
  readonly backtests?: SlackBacktests | undefined;
  /** `/vigil silence`, `maintenance`, `unsilence` and the Remove button; absent: they say so. */
  readonly silences?: SilenceBook | undefined;
  /** Configured services: silence targets are checked against them (none: any name is taken). */
  readonly services?: ReadonlyArray<{ name: string; namespace: string }>;
  /** The incident's card as posted now, for `/vigil show`; absent: show says so. */
  readonly cardOf?: ((incidentId: string) => Promise<SlackMessage | undefined>) | undefined;
  /** Who is in which team (config teams.<name>.members), for the Home tab. */
  readonly teamMembers?: ReadonlyMap<string, readonly string[]>;
  /** Champion and challenger names for /vigil shadow (absent: champion "default", no challenger). */
  shadow?: ShadowSetup;
  /** The call graph, configured and discovered, for /vigil topology (absent: configured edges unknown). */
  readonly topology?: Topology | undefined;
  /** The service graph read (topology_discovery.source), or null when discovery is off. */
  readonly topologySource?: string | null;
}
