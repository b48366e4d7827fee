import { randomUUID } from 'node:crypto';
import type { BacktestArgs } from './parse-backtest-args.js';

/** The backtest running now: who asked, how far it got, and how to stop it. */
export interface BacktestJob {
  id: string;
  args: BacktestArgs;
  startedBy: string;
  /** Share of the period replayed, 0..1. */
  fraction: number;
  cancelledBy: string | null;
  controller: AbortController;
}

export type CancelResult = { ok: true; job: BacktestJob } | { ok: false; message: string };

/**
 * One backtest at a time, for the whole bot: each holds a detection engine and a week of a scope's
 * history in chunks, and shares the machine with the bot's own cycle. A second request is told
 * which one runs; a cancel names the job it means, so a stale button cannot stop a newer run.
 */
export interface BacktestJobs {
  current(): BacktestJob | undefined;
  /** Starts a job unless one runs (then that one is returned instead). */
  begin(args: BacktestArgs, startedBy: string): { ok: true; job: BacktestJob } | { ok: false; running: BacktestJob };
  /** The job is over (done, cancelled or failed): the next may start. */
  finish(id: string): void;
  /** Asks the job to stop at its next tick or chunk; only the running job with this id. */
  cancel(id: string, user: string): CancelResult;
}

export function createBacktestJobs(newId: () => string = () => `bt-${randomUUID().slice(0, 8)}`): BacktestJobs {
  let running: BacktestJob | undefined;
  return {
    current: () => running,
    begin(args, startedBy) {
      if (running) return { ok: false, running };
      running = { id: newId(), args, startedBy, fraction: 0, cancelledBy: null, controller: new AbortController() };
      return { ok: true, job: running };
    },
    finish(id) {
      if (running?.id === id) running = undefined;
    },
    cancel(id, user) {
      if (!running || running.id !== id) return { ok: false, message: 'That backtest is no longer running.' };
      if (!running.cancelledBy) {
        running.cancelledBy = user;
        running.controller.abort();
      }
      return { ok: true, job: running };
    },
  };
}
