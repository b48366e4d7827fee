/**
 * Preloaded into Vigil's detection thread by tests (StartOptions.detectionThreadPreload): says which
 * thread it runs in, and ends that thread at its next Prometheus request once told to (a stand-in
 * for a crash: a bug, the thread's heap limit). Talks over a BroadcastChannel, as threads can.
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';

export const PROBE_CHANNEL = 'vigil-test-detection-thread-probe';
export type ProbeMessage = { type: 'loaded'; threadId: number } | { type: 'die-at-next-fetch'; code: number };

if (!isMainThread) {
  const channel = new BroadcastChannel(PROBE_CHANNEL);
  channel.unref();
  let dieWith: number | null = null;
  channel.onmessage = (event) => {
    const message = (event as { data: ProbeMessage }).data;
    if (message.type === 'die-at-next-fetch') dieWith = message.code;
  };
  const inner = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    // In a worker, process.exit ends the thread, not the process.
    if (dieWith !== null) process.exit(dieWith);
    return inner(input, init);
  };
  channel.postMessage({ type: 'loaded', threadId } satisfies ProbeMessage);
}
