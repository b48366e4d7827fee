import type { KnownBlock, WebClient } from '@slack/web-api';
import type { BacktestJob, BacktestJobs, CancelResult } from '../backtest/create-backtest-jobs.js';
import type { BacktestArgs } from '../backtest/parse-backtest-args.js';
import type { BacktestOutcome } from '../backtest/run-backtest.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SlackMessage } from './blocks/block-kit-limits.js';
import {
  backtestLabel,
  buildBacktestCancelledMessage,
  buildBacktestFailedMessage,
  buildBacktestProgressMessage,
  buildBacktestReportMessage,
  percent,
} from './blocks/build-backtest-message.js';
import { buildUsageReply } from './blocks/build-command-replies.js';
import { escapeMrkdwn, mention } from './blocks/mrkdwn.js';

/** Progress edits at most this often: chat.update is Tier 3 (~50/min), and people read no faster. */
export const BACKTEST_UPDATE_EVERY_MS = 3000;

export interface BacktestControl {
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
}

export interface SlackBacktestsOptions {
  jobs: BacktestJobs;
  /** Runs the backtest (runBacktest over the bot's config, Prometheus and store). */
  run: (args: BacktestArgs, control: BacktestControl) => Promise<BacktestOutcome>;
  /** Why `target` cannot be backtested (not a configured signal or service), or null. */
  checkTarget: (target: string) => string | null;
  /** Edits the message (idempotent, may retry). */
  client: Pick<WebClient, 'chat'>;
  /** Posts it: no retries, a late answer must not post it twice (see createPostingClient). */
  poster: Pick<WebClient, 'chat'>;
  logger: Logger;
  updateEveryMs?: number;
  now?: () => number;
}

/** `/vigil backtest` in Slack: a message in the channel that shows progress, then the report. */
export interface SlackBacktests {
  /** Starts the backtest in the background; returns the ephemeral answer to whoever asked. */
  start(input: { args: BacktestArgs; user: string; channel: string }): Promise<SlackMessage>;
  /** The Cancel button: stops the running job if it is the one the button names. */
  cancel(jobId: string, user: string): CancelResult;
  /** Resolves once no backtest runs and the last one's message is final (tests). */
  idle(): Promise<void>;
  /** At a graceful stop: cancels the running backtest and waits for its message to say so. */
  stop(): Promise<void>;
}

const reply = (text: string): SlackMessage => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

export function createSlackBacktests(options: SlackBacktestsOptions): SlackBacktests {
  const { jobs, logger } = options;
  const every = options.updateEveryMs ?? BACKTEST_UPDATE_EVERY_MS;
  const now = options.now ?? (() => Date.now());
  let driving: Promise<void> = Promise.resolve();

  async function update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    try {
      await options.client.chat.update({
        channel,
        ts,
        text: message.text,
        // Built within Block Kit limits by build-backtest-message.ts.
        blocks: message.blocks as KnownBlock[],
      });
    } catch (error) {
      // A deleted message or Slack being down loses the progress shown, not the run.
      logger.warn({ err: error, channel, ts }, 'updating the backtest message failed');
    }
  }

  /** Runs the job, edits its message with progress (throttled), then with how it ended. */
  async function drive(job: BacktestJob, channel: string, ts: string): Promise<void> {
    let live = true;
    let lastSent = now();
    let sending: Promise<void> = Promise.resolve();
    const onProgress = (fraction: number) => {
      job.fraction = fraction;
      if (!live || now() - lastSent < every) return;
      lastSent = now();
      const message = buildBacktestProgressMessage(job.id, job.args, fraction, job.startedBy);
      // In order, one at a time; none once the run is over (its final edit must be the last).
      sending = sending.then(() => (live ? update(channel, ts, message) : undefined));
    };
    let final: SlackMessage;
    try {
      const outcome = await options.run(job.args, { signal: job.controller.signal, onProgress });
      final =
        outcome.status === 'done'
          ? buildBacktestReportMessage(outcome.report, job.startedBy)
          : buildBacktestCancelledMessage(job.args, outcome.fraction, job.cancelledBy ?? 'unknown');
      logger.info(
        { job: job.id, target: job.args.target, days: job.args.days, status: outcome.status },
        'backtest finished',
      );
    } catch (error) {
      final = buildBacktestFailedMessage(job.args, job.fraction, errorMessage(error));
      logger.error({ err: error, job: job.id, target: job.args.target }, 'backtest failed');
    } finally {
      live = false;
      jobs.finish(job.id);
    }
    await sending;
    await update(channel, ts, final);
  }

  return {
    async start({ args, user, channel }) {
      const problem = options.checkTarget(args.target);
      if (problem) return buildUsageReply(problem);
      const begun = jobs.begin(args, user);
      if (!begun.ok) {
        const r = begun.running;
        return reply(
          `:hourglass: A backtest is already running (${escapeMrkdwn(backtestLabel(r.args))}, ${percent(r.fraction)}, ` +
            `started by ${mention(r.startedBy)}). One runs at a time: wait for it, or cancel it from its message.`,
        );
      }
      const { job } = begun;
      let posted: { channel?: string; ts?: string };
      try {
        const first = buildBacktestProgressMessage(job.id, args, 0, user);
        posted = await options.poster.chat.postMessage({
          channel,
          text: first.text,
          blocks: first.blocks as KnownBlock[],
        });
      } catch (error) {
        jobs.finish(job.id);
        logger.warn({ err: error, channel }, 'posting the backtest message failed; not started');
        const slackError = (error as { data?: { error?: string } }).data?.error ?? errorMessage(error);
        return reply(
          `:warning: The backtest did not start: Vigil cannot post its progress in this channel ` +
            `(${escapeMrkdwn(slackError)}). Invite it here (\`/invite @Vigil\`) or run the backtest in a channel it is in.`,
        );
      }
      const where = posted.channel ?? channel;
      const ts = posted.ts ?? '';
      driving = drive(job, where, ts);
      return reply(`Backtest of ${escapeMrkdwn(backtestLabel(args))} started: its progress is in the message below.`);
    },
    cancel: (jobId, user) => {
      const result = jobs.cancel(jobId, user);
      if (result.ok) logger.info({ job: jobId, user }, 'backtest cancel requested');
      return result;
    },
    idle: () => driving,
    async stop() {
      const job = jobs.current();
      if (job) jobs.cancel(job.id, 'Vigil (stopping)');
      await driving;
    },
  };
}
