import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Slack must be acked within 3 s, and the same event loop runs the detection tick: long work checks
 * `due()` between small steps and, once its slice is spent, `pause()`s so pending I/O (acks, health
 * probes) runs before it goes on. See ARCHITECTURE.md, "Scale and the hot path" (≤ ~100 ms per block).
 */
export interface TimeSlicer {
  /** True once the current slice has used its budget. */
  due(): boolean;
  /** Gives the event loop one turn (its I/O included), then starts a new slice. */
  pause(): Promise<void>;
}

/** A slice short enough that two of them plus a GC pause stay well under 100 ms. */
export const SLICE_MS = 5;

export function createTimeSlicer(sliceMs = SLICE_MS, now: () => number = () => performance.now()): TimeSlicer {
  let sliceStart = now();
  return {
    due: () => now() - sliceStart >= sliceMs,
    async pause() {
      // setImmediate runs after the poll phase, so sockets that became readable are served first.
      await nextTurn();
      sliceStart = now();
    },
  };
}
