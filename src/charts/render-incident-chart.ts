import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { formatValue, type Unit } from '../slack/blocks/format-value.js';

/**
 * ECharts' own type entry points re-export with extensionless paths, which TypeScript's NodeNext
 * resolution cannot follow inside an ESM package (`import * as echarts from 'echarts'` types as
 * nothing). Its bundled declaration file is self-contained, so the CommonJS build is loaded by
 * `require` and typed with that file. The build is the package's minified "common" one, beside its
 * `require` entry: the line and scatter charts, grid, title, mark lines and the SVG renderer among
 * the components it registers, which is all the chart uses. Its 664 KB of source (V8 keeps it for
 * the life of the thread) against 3.4 MB for the full unminified build made the thread's RSS ~8 MB
 * lower while it draws, and ~2 MB lower than the full minified build (1.0 MB).
 */
const requireHere = createRequire(import.meta.url);
const { init } = requireHere(
  join(dirname(requireHere.resolve('echarts')), 'echarts.common.min.js'),
) as typeof import('echarts/types/dist/echarts');

/**
 * The chart's colours, fixed so that a person learns them once and a test can find their pixels.
 * The band is opaque (a pale green) and drawn under the line; the anomaly (red) and the deploy
 * (purple) are drawn over both.
 */
export const CHART_COLOURS = {
  background: '#ffffff',
  line: '#1f6feb',
  band: '#c8ecd4',
  anomaly: '#d1242f',
  deploy: '#8250df',
  text: '#24292f',
  grid: '#d0d7de',
} as const;

/** Pixels of the plot area inside the image: fixed, so a point's position is known without ECharts. */
export const CHART_GRID = { left: 72, right: 24, top: 56, bottom: 32 } as const;

export interface IncidentChartInput {
  title: string;
  unit: Unit;
  /** The x axis, Unix ms. */
  startMs: number;
  endMs: number;
  /** The series' points (Unix ms, values), in time order. */
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
  /** The expected range where it is known (Unix ms); a null ends a stretch of band. */
  band: ReadonlyArray<{ timestampMs: number; lower: number; upper: number } | null>;
  /** The anomalous points, drawn as red dots. */
  anomalies: ReadonlyArray<{ timestampMs: number; value: number }>;
  /** First anomaly of the series: a red dashed line. */
  onsetMs: number | null;
  /** Deploys of the series' service in the window: purple lines. */
  deploys: ReadonlyArray<{ timestampMs: number; label: string }>;
  width?: number;
  height?: number;
}

export interface IncidentChart {
  png: Buffer;
  width: number;
  height: number;
  /** Where a time and a value are drawn (pixel column and row), for tests and alt text. */
  xOf(timestampMs: number): number;
  yOf(value: number): number;
  /** The value axis' range. */
  yMin: number;
  yMax: number;
}

/** A round-ish range that holds the line, the band and the anomalies with a little headroom. */
function valueRange(input: IncidentChartInput): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const take = (v: number) => {
    if (!Number.isFinite(v)) return;
    if (v < min) min = v;
    if (v > max) max = v;
  };
  for (let i = 0; i < input.values.length; i += 1) take(input.values[i] as number);
  for (const b of input.band) {
    if (!b) continue;
    take(b.lower);
    take(b.upper);
  }
  for (const a of input.anomalies) take(a.value);
  if (!Number.isFinite(min)) return { min: 0, max: 1 };
  const span = max - min || Math.abs(max) || 1;
  const lo = min - span * 0.08;
  // A non-negative metric is not drawn below zero for the sake of headroom.
  return { min: min >= 0 && lo < 0 ? 0 : lo, max: max + span * 0.08 };
}

/**
 * The chart's text is DejaVu Sans (Debian's `fonts-dejavu-core`, installed by the image and by
 * scripts/setup.sh). Those two files are read, not the whole system's fonts: scanning and holding
 * every installed font costs memory and time in every chart thread, and makes the picture depend
 * on what else a machine has. Where neither exists (another distribution), resvg looks for system
 * fonts instead; with none at all the chart is drawn without its labels.
 */
export const CHART_FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

function chartFonts(): NonNullable<ResvgRenderOptions['font']> {
  const fontFiles = CHART_FONT_FILES.filter((file) => existsSync(file));
  return fontFiles.length > 0
    ? { loadSystemFonts: false, fontFiles, defaultFontFamily: 'DejaVu Sans' }
    : { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' };
}

/**
 * Draws the anomalous metric against its expected band as a PNG: ECharts' server-side SVG renderer
 * (no DOM, no canvas), rasterised by resvg (a Rust binary shipped in the npm package). Synchronous
 * and tens of milliseconds long: it runs in the chart thread (chart-render-thread.ts), whose only
 * job it is, never on the thread that acks Slack. Rasterising there, rather than with resvg's
 * `renderAsync` on libuv's pool, keeps the pool free for the process's file and DNS work and keeps
 * the render's native memory in one thread (each pool thread that rasterised kept megabytes).
 */
export function renderIncidentChart(input: IncidentChartInput): IncidentChart {
  const width = input.width ?? 800;
  const height = input.height ?? 320;
  const { min: yMin, max: yMax } = valueRange(input);
  const line: Array<[number, number]> = [];
  for (let i = 0; i < input.timestamps.length; i += 1) {
    const v = input.values[i] as number;
    if (Number.isFinite(v)) line.push([input.timestamps[i] as number, v]);
  }
  // The band is two stacked series: an invisible lower edge, and the width above it filled.
  const lower = input.band.map((b) => (b ? [b.timestampMs, b.lower] : [null, null]));
  const spread = input.band.map((b) => (b ? [b.timestampMs, b.upper - b.lower] : [null, null]));
  const marks: Array<{
    xAxis: number;
    lineStyle: { color: string; type: 'dashed' | 'solid'; width: number };
    label: object;
  }> = [];
  if (input.onsetMs !== null)
    marks.push({
      xAxis: input.onsetMs,
      lineStyle: { color: CHART_COLOURS.anomaly, type: 'dashed', width: 2 },
      label: { show: true, formatter: 'onset', color: CHART_COLOURS.anomaly, position: 'insideStartTop' },
    });
  for (const d of input.deploys)
    marks.push({
      xAxis: d.timestampMs,
      lineStyle: { color: CHART_COLOURS.deploy, type: 'solid', width: 3 },
      label: { show: true, formatter: d.label, color: CHART_COLOURS.deploy, position: 'insideEndTop' },
    });
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption({
      animation: false,
      backgroundColor: CHART_COLOURS.background,
      textStyle: { fontFamily: 'DejaVu Sans, sans-serif', color: CHART_COLOURS.text },
      title: {
        text: input.title,
        subtext: 'blue: value · green: expected range · red: anomalous points · purple: deploy · times in UTC',
        left: 8,
        top: 4,
        itemGap: 4,
        textStyle: { fontSize: 14, color: CHART_COLOURS.text },
        subtextStyle: { fontSize: 11, color: CHART_COLOURS.text },
      },
      grid: { ...CHART_GRID, containLabel: false },
      xAxis: {
        type: 'time',
        min: input.startMs,
        max: input.endMs,
        // The process' time zone is not the reader's: times are UTC, as on the card.
        axisLabel: {
          color: CHART_COLOURS.text,
          hideOverlap: true,
          formatter: (ms: number) => new Date(ms).toISOString().slice(11, 16),
        },
        axisLine: { lineStyle: { color: CHART_COLOURS.grid } },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        min: yMin,
        max: yMax,
        axisLabel: {
          color: CHART_COLOURS.text,
          // The axis' ends are the padded range, not round numbers: no label there.
          showMinLabel: false,
          showMaxLabel: false,
          formatter: (v: number) => formatValue(v, input.unit),
        },
        splitLine: { lineStyle: { color: CHART_COLOURS.grid, type: 'dotted' } },
      },
      series: [
        {
          name: 'band-lower',
          type: 'line',
          data: lower,
          stack: 'band',
          stackStrategy: 'all',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          connectNulls: false,
          silent: true,
        },
        {
          name: 'expected range',
          type: 'line',
          data: spread,
          stack: 'band',
          stackStrategy: 'all',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color: CHART_COLOURS.band, opacity: 1 },
          connectNulls: false,
          silent: true,
        },
        {
          name: 'value',
          type: 'line',
          data: line,
          symbol: 'none',
          lineStyle: { color: CHART_COLOURS.line, width: 2 },
          markLine: { symbol: 'none', silent: true, data: marks },
          z: 3,
        },
        {
          name: 'anomalies',
          type: 'scatter',
          data: input.anomalies.map((a) => [a.timestampMs, a.value]),
          symbolSize: 9,
          itemStyle: { color: CHART_COLOURS.anomaly, opacity: 1 },
          z: 4,
        },
      ],
    });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const image = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: CHART_COLOURS.background,
    font: chartFonts(),
  }).render();
  const plotWidth = width - CHART_GRID.left - CHART_GRID.right;
  const plotHeight = height - CHART_GRID.top - CHART_GRID.bottom;
  return {
    png: image.asPng(),
    width,
    height,
    yMin,
    yMax,
    xOf: (ms) => CHART_GRID.left + ((ms - input.startMs) / (input.endMs - input.startMs)) * plotWidth,
    yOf: (v) => CHART_GRID.top + (1 - (v - yMin) / (yMax - yMin)) * plotHeight,
  };
}
