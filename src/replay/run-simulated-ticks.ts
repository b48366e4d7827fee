import type { CycleOutcome, DetectionCycle } from '../pipeline/create-detection-cycle.js';

export interface SimulatedTicksOptions {
  cycle: DetectionCycle;
  /** Unix ms of the first and the last tick (inclusive). */
  firstMs: number;
  lastMs: number;
  tickMs: number;
  /**
   * Runs before each tick (a backtest loads the history the tick will read); returning false stops
   * the run there (cancelled).
   */
  beforeTick?: (nowMs: number) => Promise<boolean> | boolean;
  /** After each tick; awaited, so that what it starts (the demo's remediation) happens at that time. */
  onCycle?: (now: Date, outcome: CycleOutcome) => void | Promise<void>;
}

export interface SimulatedTicksResult {
  cycles: number;
  anomalies: number;
  /** False when beforeTick stopped the run. */
  finished: boolean;
}

/**
 * The scheduler with a simulated clock: runs the production cycle at each tick from firstMs to
 * lastMs, each seeing only what its source serves up to its time. Replays and backtests share it.
 */
export async function runSimulatedTicks(options: SimulatedTicksOptions): Promise<SimulatedTicksResult> {
  let cycles = 0;
  let anomalies = 0;
  for (let t = options.firstMs; t <= options.lastMs; t += options.tickMs) {
    if (options.beforeTick && !(await options.beforeTick(t))) return { cycles, anomalies, finished: false };
    const now = new Date(t);
    const outcome = await options.cycle.run(now);
    cycles += 1;
    anomalies += outcome.anomalies;
    await options.onCycle?.(now, outcome);
  }
  return { cycles, anomalies, finished: true };
}
