import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../../src/event-loop/create-keyed-queue.js';

/** A job that records when it starts and ends, and ends when the test says. */
function recorder() {
  const events: string[] = [];
  const releases = new Map<string, () => void>();
  const job =
    (name: string, fail = false) =>
    async () => {
      events.push(`start ${name}`);
      await new Promise<void>((resolve) => releases.set(name, resolve));
      events.push(`end ${name}`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
  const release = async (name: string) => {
    while (!releases.has(name)) await new Promise((r) => setTimeout(r, 1));
    releases.get(name)?.();
  };
  return { events, job, release };
}

describe('createKeyedQueue: one key at a time, in order', () => {
  it('runs the jobs of one key one after another, in the order they were asked for', async () => {
    const queue = createKeyedQueue();
    const { events, job, release } = recorder();
    const first = queue.run('inc-1', job('a'));
    const second = queue.run('inc-1', job('b'));
    await release('a');
    await release('b');
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('a failing job gives its caller the error and does not stop the next', async () => {
    const queue = createKeyedQueue();
    const { events, job, release } = recorder();
    const failing = queue.run('inc-1', job('a', true));
    const next = queue.run('inc-1', job('b'));
    await release('a');
    await expect(failing).rejects.toThrow('a failed');
    await release('b');
    expect(await next).toBe('b');
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('runs different keys side by side', async () => {
    const queue = createKeyedQueue();
    const { events, job, release } = recorder();
    const one = queue.run('inc-1', job('a'));
    const two = queue.run('inc-2', job('b'));
    await release('b');
    expect(await two).toBe('b');
    expect(events).toEqual(['start a', 'start b', 'end b']);
    await release('a');
    expect(await one).toBe('a');
  });
});
