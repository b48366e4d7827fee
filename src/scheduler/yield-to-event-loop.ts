import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Long work (a cycle over many series, a recalibration) calls this often; it gives the event loop a
 * turn once `budgetMs` has passed since the last one, so Slack acks and probes are served within
 * about that long (Slack wants an ack within 3 s; https://docs.slack.dev/interactivity/handling-user-interaction),
 * and costs next to nothing otherwise.
 */
export function createYielder(budgetMs = 20): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < budgetMs) return undefined;
    return nextTurn().then(() => {
      since = performance.now();
    });
  };
}
