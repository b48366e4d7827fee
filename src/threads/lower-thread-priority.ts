import { readdirSync, readlinkSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';

/**
 * The nice value of Vigil's background threads (detection, charts, Node's and V8's helpers): 10
 * yields clearly to the main thread, which acks Slack, and never starves them (they still get a
 * core the main thread leaves).
 */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the scheduling priority of the calling thread only (Linux: a nice value is per thread, and
 * /proc/thread-self names the thread's id). The detection thread is background work: when the
 * cores are busy (a first cycle, Prometheus answering, a recalibration), the kernel then runs the
 * main thread, which acks Slack, first. Elsewhere, or where it is refused, nothing changes.
 * Returns the thread's nice value afterwards, or null when it could not be set.
 */
export function lowerThreadPriority(nice: number): number | null {
  try {
    const tid = callingThreadId();
    if (tid === null) return null;
    lowerTo(tid, nice);
    return getPriority(tid);
  } catch {
    return null;
  }
}

/**
 * Lowers every thread of the process but the calling one (the main thread, which acks Slack) to
 * `nice`: at start-up those are Node's helpers, V8's platform workers (concurrent marking and
 * sweeping, background compilation, for every isolate of the process, the detection thread's
 * included), its delayed-task thread and libuv's threadpool (files, DNS, zlib), which this starts
 * first (libuv starts all its threads at the first job). They ran at the process's own priority
 * beside a main thread that waits on none of them to ack: in bench:tick at 10 000 series (2 cores,
 * alternating runs) the ack p99 during a recalibration (~2 800 acks) was 7.7-8.7 ms with them
 * lowered against 9.3-15.0 ms without. Threads started later (the detection and chart threads)
 * lower themselves.
 * Returns how many threads were lowered (0 where /proc is not there or it is refused).
 */
export async function lowerOtherThreadsPriority(nice: number): Promise<number> {
  try {
    // A file call runs on libuv's threadpool, which starts all its threads at its first job: they
    // then exist to be lowered here.
    await access('/');
    const self = callingThreadId();
    if (self === null) return 0;
    let lowered = 0;
    for (const entry of readdirSync('/proc/self/task')) {
      const tid = Number(entry);
      if (tid === self || !Number.isInteger(tid)) continue;
      try {
        if (lowerTo(tid, nice)) lowered += 1;
      } catch {
        // The thread ended meanwhile, or the system refused: it keeps its priority.
      }
    }
    return lowered;
  } catch {
    return 0;
  }
}

/** The calling thread's id (Linux: /proc/thread-self names it), or null elsewhere. */
function callingThreadId(): number | null {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  return Number.isInteger(tid) && tid > 0 ? tid : null;
}

/** Sets thread `tid` to `nice` unless it is there or lower already; true when it changed. */
function lowerTo(tid: number, nice: number): boolean {
  // Never raise it: a process started under `nice` already may be lower than asked.
  if (getPriority(tid) >= nice) return false;
  setPriority(tid, nice);
  return true;
}
