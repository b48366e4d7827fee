import { describe, expect, it } from 'vitest';
import { createExclusiveRunner } from '../../src/scheduler/create-exclusive-runner.js';
import { schedulePeriodMs } from '../../src/scheduler/schedule-period-ms.js';
import { startScheduler } from '../../src/scheduler/start-scheduler.js';
import { loggerInto } from '../helpers/logger-into.js';

describe('cycles never overlap', () => {
  it('skips a run requested while the previous one is still going', async () => {
    let release: () => void = () => {};
    let calls = 0;
    const runner = createExclusiveRunner(async () => {
      calls += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return calls;
    });
    const first = runner.run();
    expect(runner.running()).toBe(true);
    expect(await runner.run()).toEqual({ ran: false });
    release();
    expect(await first).toEqual({ ran: true, result: 1 });
    expect(runner.running()).toBe(false);
  });

  it('frees the runner when a run throws', async () => {
    const runner = createExclusiveRunner(async () => {
      throw new Error('boom');
    });
    await expect(runner.run()).rejects.toThrow('boom');
    expect(runner.running()).toBe(false);
  });

  it('on a real cron schedule, a slow cycle is never run twice at once', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const runner = createExclusiveRunner(async () => {
      active += 1;
      runs += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 1500));
      active -= 1;
    });
    const lines: string[] = [];
    const logger = loggerInto(lines);
    // Every second, with a job that takes 1.5 s.
    const scheduler = startScheduler('* * * * * *', runner, logger);
    await new Promise((r) => setTimeout(r, 3500));
    await scheduler.stop();
    while (runner.running()) await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(3);
    expect(maxActive).toBe(1);
  });
});

describe('schedulePeriodMs: how long a healthy schedule can go without running', () => {
  it('is the longest gap between coming runs, seconds field and weekends included', async () => {
    expect(await schedulePeriodMs('*/1 * * * *')).toBe(60_000);
    expect(await schedulePeriodMs('*/5 * * * * *')).toBe(5_000);
    // Weekdays at 09:00: Friday to Monday is the longest gap (an hour more across a DST change).
    const weekdays = await schedulePeriodMs('0 9 * * 1-5');
    expect(weekdays).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(weekdays).toBeLessThanOrEqual(3 * 86_400_000 + 3_600_000);
  });
});
