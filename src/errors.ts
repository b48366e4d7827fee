/** Coded errors (`vigil_<area>_<what>`): one global handler can tell them apart without parsing messages. */
export const ErrorCode = {
  ConfigInvalid: 'vigil_config_invalid',
  ConfigMissing: 'vigil_config_missing',
  SecretsMissing: 'vigil_config_secrets_missing',
  PrometheusHttp: 'vigil_prometheus_http',
  /** HTTP 401/403: the backend or a proxy in front of it refused the configured credentials. */
  PrometheusAuth: 'vigil_prometheus_auth',
  PrometheusQuery: 'vigil_prometheus_query',
  PrometheusGarbage: 'vigil_prometheus_garbage',
  PrometheusTimeout: 'vigil_prometheus_timeout',
  ReplayInvalid: 'vigil_replay_invalid',
  SlackPublish: 'vigil_slack_publish',
  SlackStartup: 'vigil_slack_startup',
  /** Slack answered 429 for this method; no call to it goes out before its Retry-After has passed. */
  SlackRateLimited: 'vigil_slack_rate_limited',
  /** Vigil cannot post to or read the channel (private without Vigil, archived, unknown). */
  SlackChannelAccess: 'vigil_slack_channel_access',
  /** A post got no answer (timeout, connection lost): Slack may have the message. */
  SlackPostUnknown: 'vigil_slack_post_unknown',
  BlockKitLimit: 'vigil_slack_block_kit_limit',
  /** A backtest names no configured signal or service, or covers more series than it may hold. */
  BacktestScope: 'vigil_backtest_scope',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class VigilError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
  }
}

export function isVigilError(error: unknown, code?: ErrorCode): error is VigilError {
  return error instanceof VigilError && (code === undefined || error.code === code);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
