import type { Logger } from '../logger.js';

/** A log line a thread sends to the main thread, which writes it through its own logger. */
export interface LogLineMessage {
  type: 'log';
  line: string;
}

/** A pino destination in a worker: every line goes to the main thread as a message. */
export function logLinesTo(post: (message: LogLineMessage) => void): { write(line: string): void } {
  return {
    write(line: string) {
      post({ type: 'log', line });
    },
  };
}

/**
 * Writes a worker's pino line through this thread's logger at the same level, with the same fields
 * (its `name` binding says which part of Vigil wrote it). The worker's logger already redacted it;
 * this logger redacts again. A line that is not a log record is dropped rather than trusted.
 */
export function relayLogLine(logger: Logger, line: string): void {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return;
  }
  if (typeof record !== 'object' || record === null) return;
  const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = record as Record<string, unknown>;
  const label = typeof level === 'number' ? logger.levels.labels[level] : undefined;
  const known = LEVELS.find((l) => l === label);
  if (known === undefined) return;
  logger[known](fields, typeof msg === 'string' ? msg : undefined);
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
