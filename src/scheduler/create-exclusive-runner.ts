/**
 * Wraps a job so that a new run never starts while the previous one is still going: a slow
 * Prometheus must not pile cycles on top of each other. A skipped run is reported, not queued.
 */
export interface ExclusiveRunner<T> {
  run(): Promise<{ ran: true; result: T } | { ran: false }>;
  running(): boolean;
}

export function createExclusiveRunner<T>(job: () => Promise<T>): ExclusiveRunner<T> {
  let busy = false;
  return {
    running: () => busy,
    async run() {
      if (busy) return { ran: false };
      busy = true;
      try {
        return { ran: true, result: await job() };
      } finally {
        busy = false;
      }
    },
  };
}
