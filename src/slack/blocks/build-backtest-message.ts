import { formatBacktestReport } from '../../backtest/format-backtest-report.js';
import type { BacktestArgs } from '../../backtest/parse-backtest-args.js';
import type { BacktestReport } from '../../backtest/run-backtest.js';
import { ActionId, BlockId } from '../action-ids.js';
import type { Block, SlackMessage } from './block-kit-limits.js';
import { escapeMrkdwn, mention, truncate } from './mrkdwn.js';

/** "checkout-api over 7 days" */
export function backtestLabel(args: BacktestArgs): string {
  return `${args.target} over ${args.days} day${args.days === 1 ? '' : 's'}`;
}

/** 0.4 → "40 %" (down: 99.9 % is not done). */
export function percent(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)} %`;
}

const section = (text: string, blockId?: string): Block => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text: truncate(text, 3000) },
});

const startedBy = (user: string): Block => ({
  type: 'context',
  elements: [
    {
      type: 'mrkdwn',
      text: `Started by ${mention(user)} · replays Prometheus history through a fresh detector; pages nobody, stores nothing`,
    },
  ],
});

/** While it runs: how far, and a Cancel button carrying the job id. */
export function buildBacktestProgressMessage(jobId: string, args: BacktestArgs, fraction: number, user: string) {
  const text = `:hourglass_flowing_sand: backtest of ${escapeMrkdwn(backtestLabel(args))}: ${percent(fraction)}`;
  const message: SlackMessage = {
    text,
    blocks: [
      section(text, BlockId.backtestProgress),
      startedBy(user),
      {
        type: 'actions',
        block_id: BlockId.backtestActions,
        elements: [
          {
            type: 'button',
            action_id: ActionId.backtestCancel,
            text: { type: 'plain_text', text: 'Cancel' },
            style: 'danger',
            value: jobId,
          },
        ],
      },
    ],
  };
  return message;
}

/** The finished report: the verdict first, then the pages and what was not reproduced. */
export function buildBacktestReportMessage(report: BacktestReport, user: string): SlackMessage {
  const [headline = '', verdict = '', ...rest] = formatBacktestReport(report).map(escapeMrkdwn);
  const blocks: Block[] = [section(`:white_check_mark: ${headline}\n*${verdict}*`, BlockId.backtestProgress)];
  // Sections hold 3000 characters: the listed lines go in as many as they need.
  let chunk: string[] = [];
  let length = 0;
  for (const line of rest) {
    if (length + line.length + 1 > 2900 && chunk.length > 0) {
      blocks.push(section(chunk.join('\n')));
      chunk = [];
      length = 0;
    }
    chunk.push(line);
    length += line.length + 1;
  }
  if (chunk.length > 0) blocks.push(section(chunk.join('\n')));
  blocks.push(startedBy(user));
  return { text: `${headline} ${verdict}`, blocks };
}

export function buildBacktestCancelledMessage(args: BacktestArgs, fraction: number, by: string): SlackMessage {
  const text = `:no_entry_sign: backtest of ${escapeMrkdwn(backtestLabel(args))} cancelled at ${percent(fraction)} by ${mention(by)}`;
  return { text, blocks: [section(text, BlockId.backtestProgress)] };
}

export function buildBacktestFailedMessage(args: BacktestArgs, fraction: number, reason: string): SlackMessage {
  const text =
    `:x: backtest of ${escapeMrkdwn(backtestLabel(args))} failed at ${percent(fraction)}: ` +
    escapeMrkdwn(truncate(reason, 500));
  return { text, blocks: [section(text, BlockId.backtestProgress)] };
}
