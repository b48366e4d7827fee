/**
 * Imported first in Vigil's detection thread (StartOptions.detectionThreadPreload): replaces that
 * thread's global fetch with recordFetch's and sends each request it records to the bench's thread
 * over a BroadcastChannel (a function cannot be handed to a thread), and measures that thread's own
 * longest event-loop block and heap for each phase. See threadProbe.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { recordFetch } from './record-fetch.js';
import type { RecordedRequest } from './slack-side-protocol.js';

const CHANNEL = 'vigil-bench-tick-detection-thread';

/** What the detection thread measured over a phase. */
export interface ThreadPhase {
  longestBlockMs: number;
  /** The thread's V8 heap (used) at the end of the phase, MB. */
  heapUsedMb: number;
  heapTotalMb: number;
  /** The thread's array buffers (detector state, answers' columns, blobs), MB. */
  arrayBuffersMb: number;
}

type ThreadMessage =
  | { type: 'request'; request: RecordedRequest }
  | { type: 'phase-start' }
  | { type: 'phase-stop' }
  | ({ type: 'phase' } & ThreadPhase);

const MB = 1024 * 1024;

/** In the bench's thread: the requests the preload recorded, and the thread's own phase costs. */
export function threadProbe(): {
  take(): Promise<RecordedRequest[]>;
  startPhase(): void;
  stopPhase(): Promise<ThreadPhase>;
  close(): void;
} {
  const channel = new BroadcastChannel(CHANNEL);
  let recorded: RecordedRequest[] = [];
  let phase: ((p: ThreadPhase) => void) | undefined;
  channel.onmessage = (event) => {
    const message = (event as { data: ThreadMessage }).data;
    if (message.type === 'request') recorded.push(message.request);
    else if (message.type === 'phase') phase?.(message);
  };
  // The channel must not keep the bench alive once it is done.
  channel.unref();
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return {
    async take() {
      // Messages posted just before the phase ended are delivered on a later turn.
      await settle();
      const taken = recorded;
      recorded = [];
      return taken;
    },
    startPhase: () => channel.postMessage({ type: 'phase-start' } satisfies ThreadMessage),
    stopPhase() {
      return new Promise<ThreadPhase>((resolve) => {
        phase = resolve;
        channel.postMessage({ type: 'phase-stop' } satisfies ThreadMessage);
      });
    },
    close: () => channel.close(),
  };
}

// As the preload, in the detection thread: record its fetches, measure its phases.
if (!isMainThread) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  const inner = globalThis.fetch;
  globalThis.fetch = recordFetch(inner, (request) =>
    channel.postMessage({ type: 'request', request } satisfies ThreadMessage),
  ).fetch;
  // resolution 10 ms, and one for every phase, as probe-phase.ts in the bench's thread.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  channel.onmessage = (event) => {
    const message = (event as { data: ThreadMessage }).data;
    if (message.type === 'phase-start') {
      delay.disable();
      delay.reset();
      delay.enable();
    } else if (message.type === 'phase-stop') {
      delay.disable();
      const memory = process.memoryUsage();
      channel.postMessage({
        type: 'phase',
        longestBlockMs: delay.max / 1e6,
        heapUsedMb: memory.heapUsed / MB,
        heapTotalMb: memory.heapTotal / MB,
        arrayBuffersMb: memory.arrayBuffers / MB,
      } satisfies ThreadMessage);
    }
  };
}
