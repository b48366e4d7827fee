import type { UnexpectedErrorOrigin } from './http/create-metrics.js';
import type { Logger } from './logger.js';

/** The part of `process` the guard listens on (tests pass their own emitter). */
export interface ProcessEvents {
  on(event: UnexpectedErrorOrigin, listener: (error: unknown) => void): unknown;
  off(event: UnexpectedErrorOrigin, listener: (error: unknown) => void): unknown;
}

/**
 * The last line of defence of the running bot: an error nothing caught (a rejected promise nobody
 * awaited, a throw in an event callback) is logged with its stack and counted in
 * vigil_unexpected_errors_total instead of ending the process, so one bad request or one bug in a
 * callback does not stop detection for every team. Each such error is a bug to fix: alert on the
 * counter. Returns the function that removes the guard.
 */
export function guardProcess(
  target: ProcessEvents,
  logger: Logger,
  count: (origin: UnexpectedErrorOrigin) => void,
): () => void {
  const onRejection = (error: unknown) => {
    logger.error({ err: error, origin: 'unhandledRejection' }, 'unhandled promise rejection; the process goes on');
    count('unhandledRejection');
  };
  const onException = (error: unknown) => {
    logger.error({ err: error, origin: 'uncaughtException' }, 'uncaught exception; the process goes on');
    count('uncaughtException');
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}
