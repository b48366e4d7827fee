import cron from 'node-cron';
import type { Logger } from '../logger.js';
import type { ExclusiveRunner } from './create-exclusive-runner.js';

export interface Scheduler {
  stop(): Promise<void>;
}

/** Cron wiring only: a job on its schedule, skipping a tick while the previous run still goes. */
export function startScheduler(
  expression: string,
  runner: ExclusiveRunner<unknown>,
  logger: Logger,
  name = 'detection',
): Scheduler {
  const task = cron.schedule(
    expression,
    async () => {
      const outcome = await runner.run();
      if (!outcome.ran) logger.warn({ job: name }, 'previous run still going; this tick is skipped');
    },
    {
      name: `vigil-${name}`,
      noOverlap: true,
      // node-cron's own warnings (e.g. a tick blocked by overlap) go through pino too.
      logger: {
        info: (message) => logger.debug({ source: 'node-cron' }, message),
        warn: (message) => logger.warn({ source: 'node-cron' }, message),
        error: (message, err) => logger.error({ source: 'node-cron', err: err ?? message }, String(message)),
        debug: (message) => logger.debug({ source: 'node-cron' }, String(message)),
      },
    },
  );
  task.on('execution:failed', (ctx) =>
    logger.error(
      { err: ctx.execution?.error, job: name },
      `scheduled ${name === 'detection' ? 'cycle' : 'job'} failed`,
    ),
  );
  logger.info({ job: name, schedule: expression }, 'job scheduled');
  return {
    async stop() {
      await task.destroy();
    },
  };
}
