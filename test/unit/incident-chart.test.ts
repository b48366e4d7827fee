/**
 * The incident chart as pixels: the PNG resvg writes is decoded (test/helpers/decode-png.ts) and
 * the fixed colours of the line, the band and the markers are looked for where the data puts them.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bandAt, buildChartInput } from '../../src/charts/build-chart-input.js';
import {
  CHART_COLOURS,
  CHART_FONT_FILES,
  CHART_GRID,
  type IncidentChartInput,
  renderIncidentChart,
} from '../../src/charts/render-incident-chart.js';
import { colourNear, countColour, decodePng, PNG_SIGNATURE, readPngSize } from '../helpers/decode-png.js';

const START = Date.parse('2026-11-02T02:00:00Z');
const MIN = 60_000;
const at = (minute: number) => START + minute * MIN;

/** Three hours of a quiet series at 100 (band 80–120) that jumps to 300 from minute 150 to 159. */
function input(overrides: Partial<IncidentChartInput> = {}): IncidentChartInput {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let m = 0; m <= 180; m += 1) {
    timestamps.push(at(m));
    values.push(m >= 150 && m < 160 ? 300 : 100);
  }
  return {
    title: 'latency_p99 · payment-api',
    unit: 'none',
    startMs: at(0),
    endMs: at(190),
    timestamps,
    values,
    band: timestamps.map((t) => ({ timestampMs: t, lower: 80, upper: 120 })),
    anomalies: timestamps.slice(150, 160).map((t) => ({ timestampMs: t, value: 300 })),
    onsetMs: at(150),
    deploys: [{ timestampMs: at(140), label: 'deploy v42' }],
    ...overrides,
  };
}

describe('renderIncidentChart', () => {
  it('writes a PNG of the asked size (signature and IHDR)', async () => {
    const chart = renderIncidentChart(input());
    expect(chart.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(readPngSize(chart.png)).toEqual({ width: 800, height: 320 });
    const small = renderIncidentChart(input({ width: 640, height: 240 }));
    expect(readPngSize(small.png)).toEqual({ width: 640, height: 240 });
  });

  it('draws the line, the band around it, the anomalous points and the deploy where the data puts them', async () => {
    const chart = renderIncidentChart(input());
    const image = decodePng(chart.png);
    const quiet = chart.xOf(at(60));
    // The line at its value, the band inside its range, nothing above the band at a quiet time.
    expect(colourNear(image, quiet, chart.yOf(100), CHART_COLOURS.line)).toBe(true);
    expect(colourNear(image, quiet, chart.yOf(88), CHART_COLOURS.band, 0)).toBe(true);
    expect(colourNear(image, quiet, chart.yOf(112), CHART_COLOURS.band, 0)).toBe(true);
    expect(colourNear(image, quiet, chart.yOf(180), CHART_COLOURS.band, 3)).toBe(false);
    expect(colourNear(image, quiet, chart.yOf(180), CHART_COLOURS.background, 0, 0)).toBe(true);
    // The anomalous points in red at their time and value.
    expect(colourNear(image, chart.xOf(at(155)), chart.yOf(300), CHART_COLOURS.anomaly, 2)).toBe(true);
    // No red far from the anomaly: the first two hours of the plot are free of it.
    const left = { x0: CHART_GRID.left, x1: chart.xOf(at(120)), y0: CHART_GRID.top, y1: 320 - CHART_GRID.bottom };
    expect(countColour(image, left, CHART_COLOURS.anomaly)).toBe(0);
    expect(countColour(image, left, CHART_COLOURS.band)).toBeGreaterThan(1000);
    // The deploy: a purple vertical line at its time, between the band and the anomaly's height.
    expect(colourNear(image, chart.xOf(at(140)), chart.yOf(200), CHART_COLOURS.deploy, 1)).toBe(true);
    expect(countColour(image, left, CHART_COLOURS.deploy)).toBe(0);
  });

  it('writes its title in DejaVu Sans, read from the font files scripts/setup.sh and the image install', () => {
    expect(CHART_FONT_FILES.filter((file) => existsSync(file))).not.toEqual([]);
    const withTitle = decodePng(renderIncidentChart(input()).png);
    const untitled = decodePng(renderIncidentChart(input({ title: '' })).png);
    // Above the plot: the title's letters are text-coloured pixels that the untitled chart lacks.
    const abovePlot = { x0: 0, x1: 800, y0: 0, y1: CHART_GRID.top - 8 };
    // (1 331 and 572 when written: the subtitle stays.) Without a font neither has any.
    const titled = countColour(withTitle, abovePlot, CHART_COLOURS.text, 60);
    expect(titled - countColour(untitled, abovePlot, CHART_COLOURS.text, 60)).toBeGreaterThan(300);
  });

  it('draws no deploy marker and no onset when there are none', async () => {
    const chart = renderIncidentChart(input({ deploys: [], anomalies: [], onsetMs: null }));
    const image = decodePng(chart.png);
    const plot = { x0: CHART_GRID.left, x1: 800 - CHART_GRID.right, y0: CHART_GRID.top, y1: 320 - CHART_GRID.bottom };
    expect(countColour(image, plot, CHART_COLOURS.deploy)).toBe(0);
    expect(countColour(image, plot, CHART_COLOURS.anomaly)).toBe(0);
    expect(countColour(image, plot, CHART_COLOURS.line)).toBeGreaterThan(500);
  });
});

describe('buildChartInput', () => {
  const anomaly = (minute: number, lower: number, upper: number, value = 300) => ({
    ts: new Date(at(minute)).toISOString(),
    value,
    lower_bound: lower,
    upper_bound: upper,
  });

  it('holds the band at the onset back to the window start, and each later band until the next anomaly', () => {
    const timestamps = [at(0), at(100), at(150), at(151), at(152), at(153)];
    const band = bandAt(timestamps, [anomaly(150, 80, 120), anomaly(152, 90, 130)]);
    expect(band.map((b) => b && [b.lower, b.upper])).toEqual([
      [80, 120],
      [80, 120],
      [80, 120],
      [80, 120],
      [90, 130],
      [90, 130],
    ]);
    expect(bandAt(timestamps, [])).toEqual([]);
  });

  it('marks the onset and keeps only anomalies and deploys inside the window', () => {
    const chart = buildChartInput({
      title: 't',
      unit: 'seconds',
      startMs: at(0),
      endMs: at(180),
      timestamps: [at(0), at(150)],
      values: [1, 2],
      anomalies: [anomaly(-30, 0, 1), anomaly(150, 0, 1, 2)],
      deploys: [
        { timestampMs: at(-5), label: 'deploy old' },
        { timestampMs: at(140), label: 'deploy v2' },
      ],
    });
    expect(chart.onsetMs).toBe(at(150));
    expect(chart.anomalies).toEqual([{ timestampMs: at(150), value: 2 }]);
    expect(chart.deploys.map((d) => d.label)).toEqual(['deploy v2']);
  });

  it('draws a negative lower bound of a series that never goes below zero as zero', () => {
    const base = { title: 't', unit: 'seconds' as const, startMs: at(0), endMs: at(10), deploys: [] };
    const positive = buildChartInput({
      ...base,
      timestamps: [at(0), at(1)],
      values: [0.2, 0.9],
      anomalies: [anomaly(1, -0.4, 0.5, 0.9)],
    });
    expect(positive.band.map((b) => b?.lower)).toEqual([0, 0]);
    const signed = buildChartInput({
      ...base,
      timestamps: [at(0), at(1)],
      values: [-0.2, 0.9],
      anomalies: [anomaly(1, -0.4, 0.5, 0.9)],
    });
    expect(signed.band.map((b) => b?.lower)).toEqual([-0.4, -0.4]);
  });
});
