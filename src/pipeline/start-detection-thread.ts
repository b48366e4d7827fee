import type { Worker } from 'node:worker_threads';
import type { VigilConfig } from '../config/config-schema.js';
import type { DiscoveredEdge } from '../correlation/topology.js';
import type { RecalibrationReport } from '../detection/recalibrate.js';
import type { Logger } from '../logger.js';
import { relayLogLine } from '../threads/forward-worker-logs.js';
import { startModuleWorker } from '../threads/start-module-worker.js';
import type { DetectedCycle } from './create-detection-cycle.js';
import type { DetectionSide } from './create-detection-side.js';
import type { CheckpointReport } from './create-state-checkpoints.js';
import type { CallMessage, DetectionThreadData, FromThread, ToThread } from './detection-thread-protocol.js';

export interface DetectionThreadOptions {
  config: VigilConfig;
  /** The SQLite file: the thread opens its own connection to it (WAL: readers never wait). */
  dbPath: string;
  secretEnv: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  persistState: boolean;
  /** Module URLs the thread imports before it starts (benchmarks instrument its fetch). */
  preload?: string[];
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Call = CallMessage extends infer M ? (M extends CallMessage ? Omit<M, 'id'> : never) : never;

/**
 * The detection side in a worker thread. Scoring 10 000 series, parsing Prometheus' answers and
 * collecting their garbage take the thread's own heap and core: the main thread answers Slack
 * within milliseconds meanwhile (on one thread, a cycle's garbage collections alone held it up to
 * 35 ms). If the thread dies (a bug, its heap limit), the calls in flight fail with the reason and
 * the next call starts a new thread, which restores detector state from its last checkpoints.
 */
export async function startDetectionThread(options: DetectionThreadOptions): Promise<DetectionSide> {
  const { logger } = options;
  const data: DetectionThreadData = {
    config: options.config,
    dbPath: options.dbPath,
    secretEnv: { ...options.secretEnv },
    logLevel: logger.level,
    persistState: options.persistState,
    preload: options.preload ?? [],
  };
  let nextId = 1;
  let seriesTracked = 0;
  let closing = false;
  const pending = new Map<number, Pending>();
  let current: Promise<Worker> | undefined;
  /** The last discovered edge set: a thread started again after a crash is told it before any call. */
  let discoveredEdges: DiscoveredEdge[] | undefined;

  function failPending(reason: string): void {
    for (const p of pending.values()) p.reject(new Error(reason));
    pending.clear();
  }

  /** Starts the thread and resolves once it has restored its state and said it is ready. */
  function spawn(): Promise<Worker> {
    const worker = startModuleWorker(import.meta.url, 'detection-thread', { workerData: data });
    return new Promise<Worker>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromThread) => {
        if (message.type === 'log') relayLogLine(logger, message.line);
        else if (message.type === 'ready') {
          ready = true;
          seriesTracked = message.seriesTracked;
          if (discoveredEdges)
            worker.postMessage({ op: 'setDiscoveredEdges', edges: discoveredEdges } satisfies ToThread);
          resolve(worker);
        } else {
          seriesTracked = message.seriesTracked;
          const call = pending.get(message.id);
          pending.delete(message.id);
          if (message.ok) call?.resolve(message.value);
          else call?.reject(new Error(message.error));
        }
      });
      worker.on('error', (error) => {
        logger.error({ err: error }, 'the detection thread failed; the next cycle starts a new one');
        if (!ready) reject(error);
      });
      worker.on('exit', (code) => {
        current = undefined;
        failPending(`the detection thread stopped (exit code ${code})`);
        if (!ready) reject(new Error(`the detection thread stopped while starting (exit code ${code})`));
      });
    });
  }

  async function call<T>(message: Call): Promise<T> {
    if (closing) throw new Error('the detection thread is closed');
    current ??= spawn();
    const worker = await current;
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      worker.postMessage({ ...message, id } as ToThread);
    });
  }

  current = spawn();
  await current;

  return {
    detect: (now) => call<DetectedCycle>({ op: 'detect', nowMs: now.getTime() }),
    recalibrate: (now) => call<RecalibrationReport>({ op: 'recalibrate', nowMs: now.getTime() }),
    saveForStop: (now) => call<CheckpointReport | null>({ op: 'saveForStop', nowMs: now.getTime() }),
    suppression: (service, namespace, atMs) => call<string | null>({ op: 'suppression', service, namespace, atMs }),
    addOpsEvent(event) {
      // Stored already; a thread started later reads it from the database.
      void current
        ?.then((worker) => worker.postMessage({ op: 'addOpsEvent', event } satisfies ToThread))
        .catch(() => undefined);
    },
    silenceChanged(change) {
      // Stored already; a thread started later reads the live ones from the database.
      void current
        ?.then((worker) => worker.postMessage({ op: 'silenceChanged', change } satisfies ToThread))
        .catch(() => undefined);
    },
    alertsArrived() {
      // Stored already; a thread started later reads them from the database.
      void current
        ?.then((worker) => worker.postMessage({ op: 'alertsArrived' } satisfies ToThread))
        .catch(() => undefined);
    },
    setDiscoveredEdges(edges) {
      discoveredEdges = [...edges];
      const message = { op: 'setDiscoveredEdges', edges: discoveredEdges } satisfies ToThread;
      void current?.then((worker) => worker.postMessage(message)).catch(() => undefined);
    },
    seriesTracked: () => seriesTracked,
    async close() {
      if (closing) return;
      const running = current;
      if (running) {
        await call<null>({ op: 'close' }).catch(() => null);
        const worker = await running.catch(() => undefined);
        closing = true;
        await worker?.terminate();
      }
      closing = true;
    },
  };
}
