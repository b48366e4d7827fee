import cron from 'node-cron';

/**
 * The longest gap between the coming runs of a node-cron expression: how long a healthy schedule
 * can go without running (a minute for `*\/1 * * * *`, three days over a weekend for `0 9 * * 1-5`).
 * Read from node-cron's own matcher, so it agrees with the scheduler about 6-field expressions.
 */
export async function schedulePeriodMs(expression: string, runs = 64): Promise<number> {
  // A task that is created but never started only computes dates; it is destroyed at once.
  const task = cron.createTask(expression, () => undefined);
  try {
    const next = task.getNextRuns(runs).map((d) => d.getTime());
    let longest = 0;
    for (let i = 1; i < next.length; i += 1) longest = Math.max(longest, (next[i] as number) - (next[i - 1] as number));
    return longest;
  } finally {
    await task.destroy();
  }
}
