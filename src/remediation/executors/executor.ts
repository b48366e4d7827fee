import { networkErrorReason } from '../../http/network-error-reason.js';
import type { RenderedParams } from '../render-action.js';

export interface ExecutionContext {
  /** Sent as the Idempotency-Key of webhooks, so the receiving side can drop a duplicate too. */
  requestId: string;
  /** Who approved it (or "vigil:auto"), for the target's own records (silence createdBy). */
  approvedBy: string;
}

/** How one kind of action is described, previewed without effect, and run. */
export interface Executor<P extends RenderedParams = RenderedParams> {
  /**
   * Exactly what will be sent and where, computed locally: never calls the target. Stable (times
   * appear as placeholders), so a card showing it does not change from one render to the next.
   */
  describe(params: P): string;
  /** What the target says the change would do, without making it; the description where no such thing exists. */
  preview(params: P): Promise<string>;
  /** Runs it; resolves with one line saying what happened, rejects with an error worth showing a human. */
  execute(params: P, context: ExecutionContext): Promise<string>;
}

/** Errors a target answers: short enough for a Slack thread, no stack trace. */
export class ExecutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionError';
  }
}

export function shortBody(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** fetch's own messages say "This operation was aborted": say what the operator can act on. */
export function describeFetchError(error: unknown, what: string, timeoutMs: number): ExecutionError {
  if (error instanceof ExecutionError) return error;
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ExecutionError(`${what} did not answer within ${timeoutMs} ms`);
  }
  return new ExecutionError(`${what} could not be reached: ${networkErrorReason(error)}`);
}
