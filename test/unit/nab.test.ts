import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NAB_PROFILES,
  type NabFile,
  probationaryLength,
  scaledSigmoid,
  scoreCorpus,
} from '../../src/benchmark/nab-score.js';
import { parseNabTime, runNab } from '../../src/benchmark/run-nab.js';

const standard = NAB_PROFILES[0]!;
const STEP = 300_000;

function file(name: string, rows: number, windows: Array<[number, number]>, scores: (i: number) => number): NabFile {
  const timestamps = Array.from({ length: rows }, (_, i) => i * STEP);
  return {
    name,
    timestamps,
    scores: timestamps.map((_, i) => scores(i)),
    windows: windows.map(([a, b]) => [a * STEP, b * STEP] as [number, number]),
  };
}

describe('NAB scoring (the official scorer, reimplemented)', () => {
  it('scaled sigmoid: ~1 at a window’s left edge, 0 at its right edge, -1 far past it', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866, 4);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.5)).toBe(-1);
    expect(probationaryLength(1000)).toBe(150);
    expect(probationaryLength(10_000)).toBe(750);
  });

  it('a perfect detector scores 100, the null detector 0, under every profile', () => {
    const perfect = [
      file('a', 1000, [[400, 450]], (i) => (i === 400 ? 1 : 0)),
      file('b', 1000, [[700, 760]], (i) => (i === 700 ? 1 : 0)),
    ];
    const silent = perfect.map((f) => ({ ...f, scores: f.scores.map(() => 0) }));
    for (const p of NAB_PROFILES) {
      expect(scoreCorpus(perfect, p).normalizedScore).toBeCloseTo(100, 6);
      expect(scoreCorpus(silent, p).normalizedScore).toBeCloseTo(0, 6);
    }
  });

  it('rewards early detection and counts only the earliest detection in a window', () => {
    const at = (i: number) => [file('a', 1000, [[400, 499]], (j) => (j === i ? 1 : 0))];
    const early = scoreCorpus(at(400), standard);
    const late = scoreCorpus(at(490), standard);
    expect(early.rawScore).toBeGreaterThan(late.rawScore);
    expect(late.tp).toBe(1);
    const twice = scoreCorpus([file('a', 1000, [[400, 499]], (j) => (j === 400 || j === 450 ? 1 : 0))], standard);
    expect(twice.rawScore).toBeCloseTo(early.rawScore, 10);
  });

  it('charges false positives, less so right after a window; ignores the probationary period', () => {
    const detect = (i: number) => file('a', 1000, [[400, 499]], (j) => (j === 450 || j === i ? 1 : 0));
    const far = scoreCorpus([detect(900)], standard);
    const near = scoreCorpus([detect(502)], standard);
    const probation = scoreCorpus([detect(100)], standard);
    expect(far.fp).toBe(1);
    expect(near.rawScore).toBeGreaterThan(far.rawScore);
    expect(probation.fp).toBe(0);
    // One far FP costs exactly the profile's fpWeight.
    const clean = scoreCorpus([detect(450)], standard);
    expect(clean.rawScore - far.rawScore).toBeCloseTo(0.11, 10);
  });

  it('picks one threshold for the whole corpus', () => {
    // File b's true detection scores lower than file a's false one: no threshold gets both right.
    const corpus = [
      file('a', 1000, [[400, 499]], (j) => (j === 420 ? 0.9 : j === 800 ? 0.8 : 0)),
      file('b', 1000, [[400, 499]], (j) => (j === 420 ? 0.7 : 0)),
    ];
    const r = scoreCorpus(corpus, standard);
    expect(r.threshold).toBe(0.7);
    expect(r).toMatchObject({ tp: 2, fp: 1, fn: 0 });
  });
});

describe('bench:nab on any folder in the NAB layout', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-nab-'));
    const data = join(dir, 'data', 'synthetic');
    mkdirSync(data, { recursive: true });
    const rows = ['timestamp,value'];
    let seed = 1;
    const labels: Record<string, Array<[string, string]>> = {};
    for (let i = 0; i < 3000; i += 1) {
      seed = (seed * 16807) % 2147483647;
      const ts = new Date(Date.parse('2024-01-01T00:00:00Z') + i * STEP).toISOString().replace('T', ' ').slice(0, 19);
      // A level that jumps by 20 noise widths at row 2000.
      rows.push(`${ts},${(i >= 2000 ? 40 : 20) + seed / 2147483647}`);
    }
    writeFileSync(join(data, 'jump.csv'), `${rows.join('\n')}\n`);
    const at = (i: number) => `${rows[i + 1]?.split(',')[0]}.000000`;
    labels['synthetic/jump.csv'] = [[at(1900), at(2100)]];
    writeFileSync(join(dir, 'labels.json'), JSON.stringify(labels));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the official results layout and finds the jump', () => {
    const out = join(dir, 'results');
    const run = runNab({ data: join(dir, 'data'), out, labels: join(dir, 'labels.json') });
    expect(run.files).toBe(1);
    const csv = readFileSync(join(out, 'vigil', 'synthetic', 'vigil_jump.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('timestamp,value,anomaly_score');
    expect(csv).toHaveLength(3001);
    expect(csv[1]?.split(',')[0]).toBe('2024-01-01 00:00:00');
    const scores = csv.slice(1).map((l) => Number(l.split(',')[2]));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    // The highest score after the probationary period is at the jump (within the few rows the
    // level-shift test needs to be sure).
    const probation = probationaryLength(3000);
    const after = scores.slice(probation);
    const top = after.indexOf(Math.max(...after)) + probation;
    expect(top).toBeGreaterThanOrEqual(2000);
    expect(top).toBeLessThanOrEqual(2004);
    const standardResult = run.results.find((r) => r.profile === 'standard');
    expect(standardResult?.tp).toBe(1);
    expect(standardResult?.normalizedScore).toBeGreaterThan(90);
  });

  it('parses NAB timestamps as UTC', () => {
    expect(parseNabTime('2014-04-10 07:15:00.000000')).toBe(Date.parse('2014-04-10T07:15:00Z'));
    expect(() => parseNabTime('yesterday')).toThrow('not a NAB timestamp');
  });
});
