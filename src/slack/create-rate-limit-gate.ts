import type { FetchFunction } from '@slack/web-api';

export interface RateLimitGate {
  /**
   * The `fetch` every Web API client is built with (WebClientOptions.fetch). Slack's limits are per
   * method (https://docs.slack.dev/apis/web-api/rate-limits): after a 429 on a method, calls to that
   * method are answered here, without reaching Slack, until its Retry-After has passed.
   */
  fetch: FetchFunction;
  /** When calls to `method` may go to Slack again, or null when they may now. */
  blockedUntil(method: string): Date | null;
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`; null for other URLs (response_url). */
function methodOf(url: string | URL): string | null {
  const match = /\/api\/([A-Za-z0-9_.]+)$/.exec(new URL(String(url)).pathname);
  return match?.[1] ?? null;
}

/** Retry-After in seconds (Slack sends an integer), as WebClient reads it. */
function retryAfterSeconds(header: string | null): number | null {
  const seconds = header === null ? Number.NaN : Number.parseInt(header, 10);
  return Number.isNaN(seconds) ? null : seconds;
}

/**
 * Honours Retry-After across every client built with it (Bolt makes one per token, Vigil one more
 * for posts). A refused call gets the answer Slack itself would give, a 429 with the seconds left,
 * so WebClient rejects it at once with its own rate-limited error (rejectRateLimitedCalls: true):
 * no cycle ever waits, and no retry policy sends it early.
 */
export function createRateLimitGate(options: { fetch?: FetchFunction; now?: () => Date } = {}): RateLimitGate {
  const fetchFn: FetchFunction = options.fetch ?? (globalThis.fetch as FetchFunction);
  const now = options.now ?? (() => new Date());
  const until = new Map<string, number>();
  const blockedUntil = (method: string): Date | null => {
    const at = until.get(method);
    if (at === undefined) return null;
    if (at <= now().getTime()) {
      until.delete(method);
      return null;
    }
    return new Date(at);
  };
  return {
    blockedUntil,
    async fetch(url, init) {
      const method = methodOf(url);
      const blocked = method ? blockedUntil(method) : null;
      if (blocked) {
        const seconds = Math.max(1, Math.ceil((blocked.getTime() - now().getTime()) / 1000));
        return new Response(JSON.stringify({ ok: false, error: 'ratelimited' }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': String(seconds) },
        });
      }
      const response = await fetchFn(url, init);
      if (method && response.status === 429) {
        const seconds = retryAfterSeconds(response.headers.get('retry-after'));
        if (seconds !== null) until.set(method, now().getTime() + seconds * 1000);
      }
      return response;
    },
  };
}
