/**
 * The worker thread that draws incident charts. ECharts (~10 MB of heap and its code) and the SVG
 * half of a render (45–70 ms of JavaScript) live here, not on the thread that acks Slack; the
 * thread is started at the first chart and stopped when charts stop coming (start-chart-renderer.ts).
 */
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { BACKGROUND_NICE, lowerThreadPriority } from '../threads/lower-thread-priority.js';
import type { ChartAnswer, ChartRequest } from './chart-thread-protocol.js';
import { renderIncidentChart } from './render-incident-chart.js';

const port = parentPort;
if (!port) throw new Error('chart-render-thread runs as a worker thread (start-chart-renderer.ts starts it)');
// A chart is a few hundred milliseconds of CPU at the thread's start (ECharts' code, then the render
// and resvg's rasterisation, which runs on this thread too), at the end of the cycle that opened the
// incident, beside a busy detection thread: background work, like detection, so that on a 2-core pod
// the kernel runs the thread that acks Slack first.
lowerThreadPriority(BACKGROUND_NICE);

port.on('message', (request: ChartRequest) => {
  let answer: ChartAnswer;
  try {
    const chart = renderIncidentChart(request.input);
    const { png, width, height, yMin, yMax } = chart;
    answer = { id: request.id, ok: true, png, width, height, yMin, yMax };
  } catch (error) {
    answer = { id: request.id, ok: false, error: errorMessage(error) };
  }
  port.postMessage(answer);
});
