import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../threads/start-module-worker.js';
import type { ChartAnswer, ChartRequest } from './chart-thread-protocol.js';
import type { IncidentChart, IncidentChartInput } from './render-incident-chart.js';

export type RenderedChart = Pick<IncidentChart, 'png' | 'width' | 'height' | 'yMin' | 'yMax'>;

export interface ChartRenderer {
  /** Draws the chart in the chart thread; rejects with the reason (or after `timeoutMs`). */
  render(input: IncidentChartInput): Promise<RenderedChart>;
  /**
   * The charts asked for together are drawn (publish-incidents: those of one cycle's new cards, one
   * after another): the thread stops as soon as none is in flight, rather than `idleMs` later.
   */
  release(): void;
  /** Stops the thread; a render in flight fails. */
  close(): Promise<void>;
}

export interface ChartRendererOptions {
  /** A render that takes longer fails and the thread is replaced (a stuck render holds nothing else). */
  timeoutMs?: number;
  /**
   * The thread stops after this long without a chart, giving its memory back (charts are rare), if
   * release has not stopped it first.
   */
  idleMs?: number;
}

interface Call {
  resolve: (chart: RenderedChart) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Draws charts in a worker thread started at the first chart (most ticks page nothing, and the
 * thread's isolate, ECharts and resvg cost ~20 MB of RSS), so the thread that acks Slack neither
 * holds ECharts nor spends the render's tens of milliseconds of JavaScript. An idle thread does not
 * keep the process alive and stops after `idleMs`; if it dies, the calls in flight fail with the
 * reason and the next chart starts a new one.
 */
export function startChartRenderer(options: ChartRendererOptions = {}): ChartRenderer {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const idleMs = options.idleMs ?? 10_000;
  const pending = new Map<number, Call>();
  let worker: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;
  /** release was called while charts were in flight: stop when the last one is answered. */
  let released = false;

  function settle(id: number): Call | undefined {
    const call = pending.get(id);
    if (!call) return undefined;
    pending.delete(id);
    clearTimeout(call.timer);
    if (pending.size === 0) whenIdle();
    return call;
  }

  /** Nothing in flight: the thread may not hold the process open, and stops if no chart comes. */
  function whenIdle(): void {
    if (released) {
      released = false;
      void stop();
      return;
    }
    worker?.unref();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void stop(), idleMs);
    idleTimer.unref();
  }

  function failAll(reason: string): void {
    for (const id of [...pending.keys()]) settle(id)?.reject(new Error(reason));
  }

  async function stop(): Promise<void> {
    clearTimeout(idleTimer);
    const stopping = worker;
    worker = undefined;
    failAll('the chart thread stopped');
    await stopping?.terminate();
  }

  function threadOf(): Worker {
    if (worker) return worker;
    const started = startModuleWorker(import.meta.url, 'chart-render-thread', {
      // A chart is a few hundred points: a runaway render stops here, not at the pod's limit. A
      // small young generation: a render's garbage is a few MB, and V8's default nursery would
      // hold tens of MB of it between collections.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
    });
    started.on('message', (answer: ChartAnswer) => {
      const call = settle(answer.id);
      if (!call) return;
      if (!answer.ok) call.reject(new Error(answer.error));
      else {
        // Structured clone turns the Buffer into a Uint8Array: Slack's upload wants a Buffer.
        const png = Buffer.from(answer.png.buffer, answer.png.byteOffset, answer.png.byteLength);
        call.resolve({ png, width: answer.width, height: answer.height, yMin: answer.yMin, yMax: answer.yMax });
      }
    });
    const lost = (reason: string) => {
      if (worker !== started) return;
      worker = undefined;
      failAll(reason);
    };
    started.on('error', (error) => lost(`the chart thread failed: ${error.message}`));
    started.on('exit', (code) => lost(`the chart thread exited (code ${code})`));
    worker = started;
    return started;
  }

  return {
    render(input) {
      const thread = threadOf();
      clearTimeout(idleTimer);
      released = false;
      thread.ref();
      const id = nextId++;
      return new Promise<RenderedChart>((resolve, reject) => {
        const timer = setTimeout(() => {
          settle(id)?.reject(new Error(`the chart was not drawn within ${timeoutMs} ms`));
          if (worker === thread) void stop();
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        // Copies of the points: a view into a larger column would send its whole buffer.
        const points = { timestamps: Float64Array.from(input.timestamps), values: Float64Array.from(input.values) };
        thread.postMessage({ id, input: { ...input, ...points } } satisfies ChartRequest);
      });
    },
    release() {
      // The thread (an isolate with ECharts, resvg's buffers: ~12-25 MB) would otherwise stay for
      // idleMs beside whatever comes next: the next cycle, a recalibration.
      if (pending.size > 0) released = true;
      else if (worker) void stop();
    },
    close: stop,
  };
}
