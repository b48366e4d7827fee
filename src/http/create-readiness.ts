import type { CycleReport } from '../storage/cycles-repo.js';
import type { WriteProbe } from '../storage/probe-writable.js';

/**
 * How many schedule periods may pass without a successful cycle before the bot says it is not
 * ready: one slow or failed tick is normal (Prometheus restarting), three in a row is a stuck bot.
 */
export const STALE_AFTER_PERIODS = 3;

export interface ReadinessOptions {
  /** The cycles' clock: staleness is measured on the same time the cycles run on. */
  now: () => Date;
  /** The longest gap between two scheduled cycles (schedulePeriodMs). */
  periodMs: number;
  probeDatabase: () => WriteProbe;
}

export interface Readiness {
  /** Slack is connected and the scheduler runs (or stopped again). */
  setStarted(started: boolean): void;
  /** Called with every cycle's report; a cycle that was not `failed` counts as successful. */
  observeCycle(report: Pick<CycleReport, 'status'>): void;
  check(): { ready: boolean; reason: string };
}

function duration(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

/**
 * /ready tells the truth: not ready while starting, when the database cannot be written, or when
 * the last successful cycle is older than STALE_AFTER_PERIODS periods (counted from start-up before
 * the first one), so Kubernetes and the alerting on the bot's own metrics see a stuck bot.
 */
export function createReadiness(options: ReadinessOptions): Readiness {
  const { now, periodMs } = options;
  const startedAt = now().getTime();
  const allowedMs = STALE_AFTER_PERIODS * periodMs;
  let started = false;
  let lastSuccessAt: number | undefined;
  return {
    setStarted(value) {
      started = value;
    },
    observeCycle(report) {
      if (report.status !== 'failed') lastSuccessAt = now().getTime();
    },
    check() {
      if (!started) return { ready: false, reason: 'starting' };
      const database = options.probeDatabase();
      if (!database.ok) return { ready: false, reason: `database not writable: ${database.error}` };
      const age = now().getTime() - (lastSuccessAt ?? startedAt);
      if (age > allowedMs) {
        return {
          ready: false,
          reason:
            lastSuccessAt === undefined
              ? `stale: no successful cycle since start-up ${duration(age)} ago`
              : `stale: last successful cycle ${duration(age)} ago`,
        };
      }
      return { ready: true, reason: 'ready' };
    },
  };
}
