import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The nice value of Vigil's background threads (detection, charts): 10 yields clearly to the main
 * thread, which acks Slack, and never starves them (they still get a core the main thread leaves).
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
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    // Never raise it: a process started under `nice` already may be lower than asked.
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return null;
  }
}
