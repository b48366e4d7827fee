/**
 * The chart thread: a real worker thread running the real renderer (ECharts and resvg), as the bot
 * runs it. The thread that acks Slack never loads ECharts (checked in a fresh Node process).
 */
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentChartInput } from '../../src/charts/render-incident-chart.js';
import { type ChartRenderer, startChartRenderer } from '../../src/charts/start-chart-renderer.js';
import { PNG_SIGNATURE, readPngSize } from '../helpers/decode-png.js';
import { runNode } from '../helpers/run-node.js';
import { threadNiceValues } from '../helpers/thread-nice-values.js';

const START = Date.parse('2026-11-02T02:00:00Z');

function input(width: number): IncidentChartInput {
  const timestamps = Float64Array.from({ length: 181 }, (_, m) => START + m * 60_000);
  // A view into a larger buffer, as a source's columns may be: only its own points are sent.
  const values = new Float64Array(10_000).subarray(500, 681).map((_, m) => (m >= 150 ? 300 : 100));
  return {
    title: 'latency_p99 · payment-api',
    unit: 'none',
    startMs: START,
    endMs: START + 190 * 60_000,
    timestamps,
    values,
    band: Array.from(timestamps, (t) => ({ timestampMs: t, lower: 80, upper: 120 })),
    anomalies: [{ timestampMs: START + 150 * 60_000, value: 300 }],
    onsetMs: START + 150 * 60_000,
    deploys: [],
    width,
    height: 240,
  };
}

describe('startChartRenderer', () => {
  let renderer: ChartRenderer | undefined;
  afterEach(async () => {
    await renderer?.close();
  });

  it('draws PNGs in its thread, one after another and side by side', async () => {
    renderer = startChartRenderer();
    const [a, b] = await Promise.all([renderer.render(input(640)), renderer.render(input(500))]);
    expect(Buffer.isBuffer(a.png)).toBe(true);
    expect(a.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(readPngSize(a.png)).toEqual({ width: 640, height: 240 });
    expect(readPngSize(b.png)).toEqual({ width: 500, height: 240 });
    // The axis holds the line (100 and 300) with headroom.
    expect(a.yMin).toBeLessThan(100);
    expect(a.yMax).toBeGreaterThan(300);
  });

  // Linux, in a process not already started at nice 10 or more (then no thread can go lower).
  it.runIf(process.platform === 'linux' && getPriority() < 10)(
    'draws at a lower priority than the thread that acks Slack (nice 10), in its own thread only',
    async () => {
      const [mainBefore, ...others] = threadNiceValues().map((t) => t.nice);
      const before = others.filter((n) => n === 10).length;
      renderer = startChartRenderer();
      await renderer.render(input(320));
      const [mainAfter, ...othersAfter] = threadNiceValues().map((t) => t.nice);
      expect(othersAfter.filter((n) => n === 10).length).toBe(before + 1);
      // The process's main thread (the first task), which acks Slack in the bot, keeps its priority.
      expect(mainAfter).toBe(mainBefore);
    },
  );

  // The chart thread is the one thread at nice 10 it adds (see above): whether it runs is read off /proc.
  it.runIf(process.platform === 'linux' && getPriority() < 10)(
    'stops its thread when released, once the charts in flight are drawn, and starts one for the next',
    async () => {
      const chartThreads = () => threadNiceValues().filter((t) => t.nice === 10).length;
      const before = chartThreads();
      // An idle time far past the test's: only release can stop the thread here.
      renderer = startChartRenderer({ idleMs: 600_000 });
      const inFlight = renderer.render(input(320));
      renderer.release();
      // Released while drawing: the chart in flight is still drawn.
      expect(readPngSize((await inFlight).png)).toEqual({ width: 320, height: 240 });
      const deadline = Date.now() + 10_000;
      while (chartThreads() > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(chartThreads()).toBe(before);
      // Nothing in flight: released at once, and the next chart gets a thread of its own.
      expect(readPngSize((await renderer.render(input(200))).png)).toEqual({ width: 200, height: 240 });
      expect(chartThreads()).toBe(before + 1);
      renderer.release();
      while (chartThreads() > before && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(chartThreads()).toBe(before);
    },
  );

  it('fails a chart it cannot draw with the reason, and draws the next one', async () => {
    renderer = startChartRenderer();
    // A malformed input, as a bug upstream would make it: the band is not a list.
    const broken = { ...input(640), band: null } as unknown as IncidentChartInput;
    await expect(renderer.render(broken)).rejects.toThrow(/band is not iterable/);
    const chart = await renderer.render(input(640));
    expect(readPngSize(chart.png)).toEqual({ width: 640, height: 240 });
  });

  it('fails a chart that takes too long and starts a new thread for the next one', async () => {
    renderer = startChartRenderer({ timeoutMs: 1 });
    await expect(renderer.render(input(640))).rejects.toThrow(/within 1 ms/);
    await renderer.close();
    renderer = startChartRenderer();
    expect(readPngSize((await renderer.render(input(320))).png)).toEqual({ width: 320, height: 240 });
  });

  it('fails a chart in flight when it is closed', async () => {
    renderer = startChartRenderer();
    const failed = expect(renderer.render(input(640))).rejects.toThrow(/stopped/);
    await renderer.close();
    await failed;
  });

  it('keeps ECharts out of the main module: importing it loads no echarts code', async () => {
    const script = `import('./src/main.ts').then(() => {
      const loaded = Object.keys(require('node:module')._cache).filter((k) => k.includes('/echarts/'));
      console.log(JSON.stringify({ loaded: loaded.length }));
    });`;
    const run = await runNode(['--import', 'tsx', '-e', script], process.cwd());
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim())).toEqual({ loaded: 0 });
  }, 60_000);
});
