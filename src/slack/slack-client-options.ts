import type { FetchFunction, WebClientOptions } from '@slack/web-api';

export interface SlackClientSettings {
  /** Slack's Web API base URL; a local double in tests. */
  apiUrl?: string | undefined;
  /** Web API call timeout. */
  timeoutMs: number;
  /** Web API retries of failed calls; tests use 0 (the default policy retries for ~30 min). */
  retries: number;
  /** The rate-limit gate's fetch (createRateLimitGate), shared by every client. */
  fetch?: FetchFunction;
}

/**
 * Options of every Web API client Vigil makes. Rate-limited calls are rejected at once rather than
 * waited out (the gate refuses the method until its Retry-After has passed): a card that could not
 * be posted is tried on the next cycle, which never blocks.
 */
export function slackClientOptions(settings: SlackClientSettings): WebClientOptions {
  return {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
    timeout: settings.timeoutMs,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: settings.retries, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
  };
}
