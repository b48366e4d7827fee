import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNabReport } from '../../src/benchmark/build-nab-report.js';
import { formatNabRun } from '../../src/benchmark/format-nab-run.js';
import { meanCategoryScore, type NabCategoryFile, tallyByCategory } from '../../src/benchmark/nab-categories.js';
import {
  NAB_PROFILES,
  type NabFile,
  type NabProfile,
  probationaryLength,
  scaledSigmoid,
  scoreCorpus,
  scoreCorpusAt,
  scoreTally,
} from '../../src/benchmark/nab-score.js';
import { parseNabTime, runNab } from '../../src/benchmark/run-nab.js';
import { runNabCrossValidation } from '../../src/benchmark/run-nab-cross-validation.js';

const [standard, lowFp, lowFn] = NAB_PROFILES as [NabProfile, NabProfile, NabProfile];
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

function inCategory(category: string, f: NabFile): NabCategoryFile {
  return { ...f, name: `${category}/${f.name}`, category };
}

describe('NAB scoring at a fixed threshold (the page line, no sweep)', () => {
  // 1000 rows: rows 0-149 are probationary; one window over rows 400-499.
  const windowed = (scores: (i: number) => number) => file('a', 1000, [[400, 499]], scores);

  it('a detection at a window’s left edge is worth a full true positive; only rows at or above the line count', () => {
    const f = windowed((i) => (i === 400 ? 0.5 : i === 450 ? 0.9 : i === 900 ? 0.49 : 0));
    const atLine = scoreCorpusAt([f], standard, 0.5);
    // 0.5 itself is a detection (production pages when score >= PAGE_SCORE); 0.49 at row 900 is not.
    expect(atLine).toMatchObject({ tp: 1, fp: 0, fn: 0, windows: 1, threshold: 0.5 });
    expect(atLine.rawScore).toBeCloseTo(1, 10);
    expect(atLine.normalizedScore).toBeCloseTo(100, 10);
    // Above the left edge's score only the later, less valuable detection remains.
    const later = scoreCorpusAt([f], standard, 0.6);
    expect(later.tp).toBe(1);
    // Row 450 sits 50 rows before the right edge of a 100-row window: p = -0.5.
    expect(later.rawScore).toBeCloseTo(scaledSigmoid(-0.5) / scaledSigmoid(-1), 10);
    expect(later.rawScore).toBeLessThan(0.9);
    // Above every score: the window is missed.
    expect(scoreCorpusAt([f], standard, 0.95)).toMatchObject({ tp: 0, fn: 1, rawScore: -1, normalizedScore: 0 });
  });

  it('a false positive far from any window costs the profile’s whole fpWeight; probationary rows cost nothing', () => {
    // Row 300 is before the file's only window: no previous window, so its sigmoid is -1.
    const f = windowed((i) => (i === 400 || i === 300 || i === 100 ? 1 : 0));
    for (const profile of [standard, lowFp, lowFn]) {
      const r = scoreCorpusAt([f], profile, 0.5);
      expect(r).toMatchObject({ tp: 1, fp: 1, fn: 0 });
      expect(r.rawScore).toBeCloseTo(1 - profile.fpWeight, 10);
      const nullScore = -profile.fnWeight;
      expect(r.normalizedScore).toBeCloseTo((100 * (r.rawScore - nullScore)) / (1 - nullScore), 10);
    }
    expect(scoreCorpusAt([f], lowFp, 0.5).rawScore).toBeLessThan(scoreCorpusAt([f], standard, 0.5).rawScore);
  });

  it('a category without windows has no normalised score: its raw score is its false positives, and the mean skips it', () => {
    const quiet = inCategory(
      'quiet',
      file('q', 1000, [], (i) => (i === 300 || i === 800 ? 1 : 0)),
    );
    const loud = inCategory(
      'loud',
      windowed((i) => (i === 400 ? 1 : 0)),
    );
    const [loudTally, quietTally] = tallyByCategory([quiet, loud], 0.5);
    expect(loudTally?.category).toBe('loud');
    const quietResult = scoreTally(quietTally!.tally, standard, 0.5);
    expect(quietResult).toMatchObject({ windows: 0, fp: 2, tp: 0, fn: 0, normalizedScore: null });
    expect(quietResult.rawScore).toBeCloseTo(-0.22, 10);
    const loudResult = scoreTally(loudTally!.tally, standard, 0.5);
    expect(meanCategoryScore([quietResult, loudResult])).toBeCloseTo(100, 10);
    expect(meanCategoryScore([quietResult])).toBeNull();
    // ...but its false positives count in the corpus score.
    const corpus = scoreCorpusAt([quiet, loud], standard, 0.5);
    expect(corpus.fp).toBe(2);
    expect(corpus.rawScore).toBeCloseTo(1 - 0.22, 10);
  });

  it('shares the sweep’s rules: at the swept threshold it reproduces the swept score', () => {
    const corpus = [
      file('a', 1000, [[400, 499]], (j) => (j === 420 ? 0.9 : j === 800 ? 0.8 : j === 300 ? 0.3 : 0)),
      file(
        'b',
        1000,
        [
          [200, 260],
          [700, 760],
        ],
        (j) => (j === 230 ? 0.7 : j === 600 ? 0.75 : j === 770 ? 0.6 : 0),
      ),
    ];
    for (const profile of NAB_PROFILES) {
      const swept = scoreCorpus(corpus, profile);
      expect(scoreCorpusAt(corpus, profile, swept.threshold)).toEqual(swept);
    }
  });
});

describe('the bench:nab report', () => {
  const corpus = [
    inCategory(
      'quiet',
      file('q', 1000, [], (i) => (i === 300 ? 0.6 : 0)),
    ),
    inCategory(
      'spiky',
      file('s', 1000, [[400, 499]], (i) => (i === 410 ? 0.95 : i === 800 ? 0.7 : 0)),
    ),
    inCategory(
      'subtle',
      file('t', 1000, [[400, 499]], (i) => (i === 420 ? 0.4 : 0)),
    ),
  ];
  const report = buildNabReport(corpus, 0.5);

  it('scores every profile at the page line and swept, and splits both by category', () => {
    expect(report.map((p) => p.profile)).toEqual(NAB_PROFILES.map((p) => p.name));
    const std = report[0]!;
    // At 0.5: spiky's window and both false positives (0.6, 0.7); subtle's 0.4 misses.
    expect(std.fixed).toMatchObject({ threshold: 0.5, tp: 1, fp: 2, fn: 1 });
    // Swept: the line drops to 0.4 to catch subtle, taking the false positives with it.
    expect(std.swept).toMatchObject({ threshold: 0.4, tp: 2, fp: 2, fn: 0 });
    expect(std.categories.map((c) => c.category)).toEqual(['quiet', 'spiky', 'subtle']);
    const subtle = std.categories[2]!;
    expect(subtle.fixed).toMatchObject({ tp: 0, fn: 1, normalizedScore: 0 });
    expect(subtle.swept).toMatchObject({ tp: 1, fn: 0 });
    for (const which of ['fixed', 'swept'] as const) {
      const sum = std.categories.reduce((a, c) => a + c[which].rawScore, 0);
      expect(sum).toBeCloseTo(std[which].rawScore, 10);
    }
    expect(std.categories[0]!.fixed.normalizedScore).toBeNull();
    expect(std.meanFixed).toBeCloseTo(((std.categories[1]!.fixed.normalizedScore ?? NaN) + 0) / 2, 10);
  });

  it('prints the page-line headline first, then the swept score, then the categories', () => {
    const text = formatNabRun({ files: 3, rows: 3000, seconds: 1, pageScore: 0.5, report }, '/tmp/out');
    const lines = text.split('\n');
    const headline = lines.findIndex((l) => l.startsWith('HEADLINE: NAB score at PAGE_SCORE 0.5'));
    const swept = lines.findIndex((l) => l.includes('for comparison with the published scoreboard'));
    expect(headline).toBeGreaterThan(0);
    expect(swept).toBeGreaterThan(headline);
    // The headline's standard row is the fixed score, not the swept one.
    const std = report[0]!;
    expect(lines[headline + 2]).toMatch(
      new RegExp(`^\\s+standard\\s+${std.fixed.normalizedScore!.toFixed(2)}\\s+1/2\\s+2\\s+1$`),
    );
    expect(text).toMatch(/quiet\s+1\s+0\s+\|\s+raw -0\.11/);
    expect(text).toContain('quiet: no windows');
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
    const standardResult = run.report.find((p) => p.profile === 'standard')?.swept;
    expect(standardResult?.tp).toBe(1);
    expect(standardResult?.normalizedScore).toBeGreaterThan(90);
  });

  it('--cv scores the folder once per candidate, and its defaults agree with the plain run', () => {
    const progress: string[] = [];
    const cv = runNabCrossValidation({
      data: join(dir, 'data'),
      labels: join(dir, 'labels.json'),
      candidates: [
        { name: 'defaults', overrides: {} },
        {
          name: 'deaf',
          overrides: {
            zscore_threshold: 1e9,
            mad_threshold: 1e9,
            level_shift_threshold: 1e9,
            seasonal_threshold: 1e9,
            record_margin: 1e9,
          },
        },
      ],
      progress: (line) => progress.push(line),
    });
    expect(progress).toHaveLength(2);
    expect(progress[1]).toMatch(/^candidate 2\/2 deaf: 1 files in /);
    const plain = runNab({ data: join(dir, 'data'), out: join(dir, 'results'), labels: join(dir, 'labels.json') });
    const defaults = cv.result.allFiles[0]!.corpus;
    expect(defaults).toEqual(plain.report.map((p) => p.fixed));
    // One category: its fold has nothing to choose on, so the defaults are kept.
    expect(cv.result.folds).toMatchObject([{ category: 'synthetic', chosen: 0 }]);
    expect(cv.result.allFiles[1]!.corpus[0]).not.toEqual(defaults[0]);
  });

  it('parses NAB timestamps as UTC', () => {
    expect(parseNabTime('2014-04-10 07:15:00.000000')).toBe(Date.parse('2014-04-10T07:15:00Z'));
    expect(() => parseNabTime('yesterday')).toThrow('not a NAB timestamp');
  });
});
