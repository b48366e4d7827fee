/**
 * Thread priorities on Linux, for real: this process's own threads, read from /proc and lowered
 * with setpriority (lowering needs no privilege).
 */
import { readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, lowerOtherThreadsPriority } from '../../src/threads/lower-thread-priority.js';
import { threadNiceValues } from '../helpers/thread-nice-values.js';

describe('the helper threads yield to the thread that acks Slack', () => {
  // Linux, in a process not already started at nice 10 or more (then no thread can go lower).
  it.runIf(process.platform === 'linux' && getPriority() < BACKGROUND_NICE)(
    "lowers every other thread of the process, libuv's threadpool included, never the calling one, never raising one",
    async () => {
      const self = Number(readlinkSync('/proc/thread-self').split('/').pop());
      const before = threadNiceValues().find((t) => t.tid === self)?.nice;
      const lowered = await lowerOtherThreadsPriority(BACKGROUND_NICE);
      const after = threadNiceValues();
      expect(after.find((t) => t.tid === self)?.nice).toBe(before);
      const others = after.filter((t) => t.tid !== self);
      // V8's platform workers and libuv's threadpool (4 threads unless UV_THREADPOOL_SIZE says less) at least.
      expect(others.length).toBeGreaterThanOrEqual(5);
      for (const t of others) expect(t.nice).toBeGreaterThanOrEqual(BACKGROUND_NICE);
      expect(lowered).toBeLessThanOrEqual(others.length);
      // Already there: nothing to lower again, and a higher priority is never given back.
      expect(await lowerOtherThreadsPriority(BACKGROUND_NICE)).toBe(0);
      expect(await lowerOtherThreadsPriority(BACKGROUND_NICE - 5)).toBe(0);
      for (const t of threadNiceValues().filter((x) => x.tid !== self))
        expect(t.nice).toBeGreaterThanOrEqual(BACKGROUND_NICE);
    },
  );
});
