/**
 * Runs jobs one after another per key, in the order they were asked for; different keys run side
 * by side. Republishing a card reads the store when it runs: two reactions a moment apart must not
 * send their two cards in the wrong order and leave the older counts in Slack.
 */
export interface KeyedQueue {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, job) {
      const previous = tails.get(key) ?? Promise.resolve();
      // A failed job does not stop the next one; its caller gets its error.
      const result = previous.then(job, job);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
