import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths pino must never print: tokens and secrets wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  'headers.authorization',
  '*.headers.authorization',
  // Paths are case-sensitive; a headers object built by hand may spell it either way.
  'headers.Authorization',
  '*.headers.Authorization',
  'env.SLACK_BOT_TOKEN',
  'env.SLACK_APP_TOKEN',
  'env.SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'VIGIL_EVENTS_TOKEN',
  'env.VIGIL_EVENTS_TOKEN',
  'VIGIL_ALERTMANAGER_TOKEN',
  'env.VIGIL_ALERTMANAGER_TOKEN',
  'authorization',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; tests pass a stream to assert on them. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    { name: 'vigil', level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that drops everything, for tools whose output is the product (replay, demo). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
