/** Messages between the bench (which runs Vigil) and its helper process (slack-side.ts). */

/** A query_range call Vigil made, as sent, to be sent again by a plain client. */
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  /** Requests of one wave were in flight together in Vigil and are replayed together. */
  wave: number;
}

export interface LatencyStats {
  sent: number;
  /** Non-2xx answers, network errors and timeouts (counted at the timeout in the percentiles). */
  failed: number;
  /** Why they failed: `HTTP <status>`, a network error's code (ECONNRESET…) or `timeout`, with counts. */
  failures: Record<string, number>;
  /** Ticks skipped because too many requests were already waiting (the target stopped answering). */
  skipped: number;
  /** Answered after Slack's 3 s (it shows the user an error: api.slack.com/interactivity/slash-commands). */
  late: number;
  p50: number;
  p99: number;
  max: number;
  /**
   * The slowest answers (ms) and when each was sent (ms after the load started), slowest first:
   * what a p99 of a phase's few hundred acks is made of (the process's first requests, a card, a GC).
   */
  slowest: Array<{ ms: number; sentAtMs: number }>;
}

export interface ReplayResult {
  /** Wall time of the whole replay: fetch, read the body as text, JSON.parse it. */
  ms: number;
  requests: number;
  bytes: number;
}

export type ToSlackSide =
  | { type: 'load-start'; phase: string; vigilUrl: string }
  | { type: 'load-stop'; phase: string }
  | { type: 'replay'; phase: string; requests: RecordedRequest[] };

export type FromSlackSide =
  | { type: 'ready'; apiUrl: string; bareUrl: string }
  | { type: 'load-result'; phase: string; vigil: LatencyStats; bare: LatencyStats }
  | { type: 'replay-result'; phase: string; result: ReplayResult }
  | { type: 'error'; message: string };

/** What the parent passes in argv[2] (JSON). */
export interface SlackSideOptions {
  signingSecret: string;
  channels: string[];
  intervalMs: number;
  /** At most this many requests per target and phase: the load is bounded whatever happens. */
  maxPerPhase: number;
  timeoutMs: number;
}
