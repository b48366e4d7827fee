import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { type DetectionConfig, DetectionConfigSchema } from '../config/config-schema.js';
import { createSeriesDetector } from '../detection/create-series-detector.js';
import { newEpisode, PAGE_SCORE, pagePoint } from '../detection/page-score.js';
import { seriesDetectorOptions } from '../detection/series-detector-options.js';
import { buildNabReport, type NabProfileReport } from './build-nab-report.js';
import type { NabCategoryFile } from './nab-categories.js';

export const DETECTOR_NAME = 'vigil';

export interface NabDataFile {
  /** `<category>/<file>.csv`, the key of the label files. */
  key: string;
  category: string;
  file: string;
  timestamps: number[];
  /** The timestamp column as written, echoed into the results. */
  rawTimestamps: string[];
  values: number[];
}

/** NAB timestamps are "YYYY-MM-DD HH:MM:SS[.ffffff]" without a zone; NAB treats them as UTC. */
export function parseNabTime(text: string): number {
  const ms = Date.parse(`${text.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new Error(`not a NAB timestamp: "${text}"`);
  return ms;
}

export function readNabData(dataDir: string): NabDataFile[] {
  const files: NabDataFile[] = [];
  for (const category of readdirSync(dataDir).sort()) {
    const dir = join(dataDir, category);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.csv'))
      .sort()) {
      const lines = readFileSync(join(dir, file), 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '');
      const header = (lines[0] ?? '').split(',');
      const ti = header.indexOf('timestamp');
      const vi = header.indexOf('value');
      if (ti < 0 || vi < 0) throw new Error(`${category}/${file}: header must have timestamp and value`);
      const rawTimestamps: string[] = [];
      const timestamps: number[] = [];
      const values: number[] = [];
      for (const line of lines.slice(1)) {
        const cells = line.split(',');
        rawTimestamps.push(cells[ti] as string);
        timestamps.push(parseNabTime(cells[ti] as string));
        values.push(Number(cells[vi]));
      }
      files.push({ key: `${category}/${file}`, category, file, timestamps, rawTimestamps, values });
    }
  }
  return files;
}

/** The file's step: the median gap between rows (robust to the odd missing or doubled row). */
function medianStep(timestamps: readonly number[]): number {
  const diffs: number[] = [];
  for (let i = 1; i < timestamps.length && diffs.length < 1000; i += 1) {
    diffs.push((timestamps[i] as number) - (timestamps[i - 1] as number));
  }
  return diffs.length === 0 ? 60_000 : median(diffs);
}

/**
 * Runs the production detector over one file, row by row, as the streaming tick would: every row is
 * scored against the rows before it. Non-numeric values score 0 and are not learned.
 */
export function scoreNabFile(file: NabDataFile, detection: DetectionConfig): number[] {
  const detector = createSeriesDetector(seriesDetectorOptions(detection, medianStep(file.timestamps)));
  const episode = newEpisode();
  return file.values.map((value, i) => {
    if (!Number.isFinite(value)) return 0;
    // The score the tick opens anomalies on (see pageScore): a row at or above PAGE_SCORE opens one.
    const reading = detector.update(value, file.timestamps[i] as number);
    return pagePoint(reading, undefined, episode, detection.episode_gap_points, true);
  });
}

export function writeNabResults(outDir: string, file: NabDataFile, scores: readonly number[]): string {
  const dir = join(outDir, DETECTOR_NAME, file.category);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${DETECTOR_NAME}_${file.file}`);
  const rows = file.values.map((v, i) => `${file.rawTimestamps[i]},${v},${(scores[i] as number).toFixed(10)}`);
  writeFileSync(path, `timestamp,value,anomaly_score\n${rows.join('\n')}\n`);
  return path;
}

export function readNabWindows(labelsPath: string): Map<string, Array<[number, number]>> {
  const raw = JSON.parse(readFileSync(labelsPath, 'utf8')) as Record<string, Array<[string, string]>>;
  return new Map(Object.entries(raw).map(([k, ws]) => [k, ws.map(([a, b]) => [parseNabTime(a), parseNabTime(b)])]));
}

/** A data file with its detector scores and label windows, as the scorer takes it. */
export function labelNabFile(
  file: NabDataFile,
  scores: readonly number[],
  windows: ReadonlyMap<string, Array<[number, number]>>,
): NabCategoryFile {
  return {
    name: file.key,
    category: file.category,
    timestamps: file.timestamps,
    scores,
    windows: windows.get(file.key) ?? [],
  };
}

export interface NabRun {
  files: number;
  rows: number;
  seconds: number;
  /** The line the headline is scored at: where production opens an anomaly. */
  pageScore: number;
  /** Per profile; empty without labels. */
  report: NabProfileReport[];
}

export function runNab(options: { data: string; out: string; labels?: string; detection?: DetectionConfig }): NabRun {
  const detection = options.detection ?? DetectionConfigSchema.parse({});

  const started = performance.now();
  const data = readNabData(options.data);
  const windows = options.labels ? readNabWindows(options.labels) : null;
  const scored: NabCategoryFile[] = [];
  let rows = 0;
  for (const file of data) {
    const scores = scoreNabFile(file, detection);
    writeNabResults(options.out, file, scores);
    rows += scores.length;
    if (windows) scored.push(labelNabFile(file, scores, windows));
  }
  const report = windows ? buildNabReport(scored, PAGE_SCORE) : [];
  return { files: data.length, rows, seconds: (performance.now() - started) / 1000, pageScore: PAGE_SCORE, report };
}
