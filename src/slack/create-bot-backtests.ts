import type { WebClient } from '@slack/web-api';
import { createBacktestJobs } from '../backtest/create-backtest-jobs.js';
import { resolveBacktestScope, runBacktest, storedHistoryOf } from '../backtest/run-backtest.js';
import type { VigilConfig } from '../config/config-schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { configuredPrometheusSource } from '../sources/configured-prometheus-source.js';
import type { Db } from '../storage/open-database.js';
import { createSlackBacktests, type SlackBacktests } from './create-slack-backtests.js';

export interface BotBacktestsOptions {
  config: VigilConfig;
  /** The bot's database on this thread's connection: read for stored incidents and labels only. */
  db: Db;
  secretEnv: Readonly<Record<string, string | undefined>>;
  /** Prometheus is reached with this fetch (tests). */
  fetch?: typeof fetch;
  now: () => Date;
  logger: Logger;
  client: WebClient;
  poster: WebClient;
  /** How often the message shows progress (default BACKTEST_UPDATE_EVERY_MS; tests go faster). */
  updateEveryMs?: number;
}

/**
 * `/vigil backtest` for the running bot: the backtest runs on the thread that acks Slack, in turns
 * (each cycle yields to the event loop), with its own Prometheus client and in-memory pipeline; the
 * bot's own cycle goes on in the detection thread untouched.
 */
export function createBotBacktests(options: BotBacktestsOptions): SlackBacktests {
  const { config, logger } = options;
  const source = configuredPrometheusSource(config, options.secretEnv, options.fetch);
  const stored = storedHistoryOf(options.db);
  const backtestLogger = logger.child({ name: 'backtest' });
  return createSlackBacktests({
    jobs: createBacktestJobs(),
    checkTarget: (target) => {
      try {
        resolveBacktestScope(config, target);
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },
    run: (args, control) =>
      runBacktest({ config, args, source, stored, now: options.now(), logger: backtestLogger, ...control }),
    client: options.client,
    poster: options.poster,
    logger: backtestLogger,
    ...(options.updateEveryMs !== undefined ? { updateEveryMs: options.updateEveryMs } : {}),
  });
}
