import { describe, expect, it } from 'vitest';
import { crossValidateNab, type NabCandidateScores } from '../../src/benchmark/cross-validate-nab.js';
import { formatNabCrossValidation } from '../../src/benchmark/format-nab-cross-validation.js';
import { candidateDetection, describeOverrides, NAB_CANDIDATES } from '../../src/benchmark/nab-candidates.js';
import type { NabCategoryFile } from '../../src/benchmark/nab-categories.js';
import { scaledSigmoid } from '../../src/benchmark/nab-score.js';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';

const STEP = 300_000;
const ROWS = 1000;
// One window per labelled file, rows 400-499 (rows 0-149 are probationary).
const WINDOW: [number, number] = [400 * STEP, 499 * STEP];
const LINE = 0.5;

/** A category's one file; `detections` are the rows scoring 1 (everything else scores 0). */
function categoryFile(category: string, labelled: boolean, detections: readonly number[]): NabCategoryFile {
  const timestamps = Array.from({ length: ROWS }, (_, i) => i * STEP);
  return {
    name: `${category}/f.csv`,
    category,
    timestamps,
    scores: timestamps.map((_, i) => (detections.includes(i) ? 1 : 0)),
    windows: labelled ? [WINDOW] : [],
  };
}

/** Rows far after the window, each a false positive worth -fpWeight. */
const falseAlarms = (n: number) => Array.from({ length: n }, (_, i) => 900 + i);

function candidate(name: string, detectionsByCategory: Record<string, readonly number[]>): NabCandidateScores {
  return {
    name,
    files: Object.entries(detectionsByCategory).map(([category, rows]) =>
      categoryFile(category, category !== 'quiet', rows),
    ),
  };
}

const foldOf = (cv: ReturnType<typeof crossValidateNab>, category: string) => {
  const fold = cv.folds.find((f) => f.category === category);
  if (!fold) throw new Error(`no fold for ${category}`);
  return fold;
};

describe('leave-one-category-out cross-validation', () => {
  // "only-a" catches a's window, which the defaults miss, but raises 5 false alarms in b and in c.
  // Over all files that pays (+2 on a, -0.55 on b and on c); without a's labels it only costs.
  const defaults = candidate('defaults', { a: [], b: [400], c: [400] });
  const onlyA = candidate('only-a', { a: [400], b: [400, ...falseAlarms(5)], c: [400, ...falseAlarms(5)] });
  const cv = crossValidateNab([defaults, onlyA], LINE);

  it('a candidate that only helps one category is not chosen for that category by its own labels', () => {
    expect(cv.allFilesChoice).toBe(1);
    expect(foldOf(cv, 'a').chosen).toBe(0);
    // a is scored as the defaults score it: its window missed.
    expect(foldOf(cv, 'a').leftOut[0]).toMatchObject({ tp: 0, fn: 1, normalizedScore: 0 });
    // b and c are chosen for on the other categories, a among them, and pay for only-a's false alarms.
    expect(foldOf(cv, 'b').chosen).toBe(1);
    expect(foldOf(cv, 'b').leftOut[0]).toMatchObject({ tp: 1, fp: 5 });
    expect(foldOf(cv, 'b').leftOut[0]?.rawScore).toBeCloseTo(1 - 5 * 0.11, 10);
  });

  it('reports the gap between the cross-validated score and the all-files fit', () => {
    const fit = cv.allFiles[cv.allFilesChoice]!;
    expect(fit.corpus[0]?.rawScore).toBeCloseTo(1 + 2 * (1 - 0.55), 10);
    expect(cv.pooledLeftOut[0]?.rawScore).toBeCloseTo(-1 + 2 * (1 - 0.55), 10);
    expect(cv.meanLeftOut[0]).toBeLessThan(fit.meanOfCategories[0]!);
    // Per profile: reward_low_FP_rate charges the same false alarms twice as much.
    expect(foldOf(cv, 'b').leftOut[1]?.rawScore).toBeCloseTo(1 - 5 * 0.22, 10);
    expect(cv.votes).toEqual([1, 2]);
    expect(cv.recommended).toBe(1);
  });

  it('prints each fold’s choice, the cross-validated score beside the all-files fit, and the recommendation', () => {
    const text = formatNabCrossValidation({
      files: 3,
      rows: 3000,
      seconds: 1,
      candidates: [
        { name: 'defaults', overrides: {} },
        { name: 'only-a', overrides: { min_score: 0.5 } },
      ],
      result: cv,
    });
    expect(text).toMatch(/^\s+a\s+1\s+defaults\s+0\.00/m);
    expect(text).toMatch(/^\s+b\s+1\s+only-a\s/m);
    expect(text).toMatch(/^\s+1\s+only-a\s.*\s2\/3\s+min_score=0\.5$/m);
    expect(text).toContain('all-files fit: only-a everywhere');
    expect(text).toMatch(/Recommendation for the defaults: only-a \(chosen in 2 of 3 folds\)$/);
  });

  it('a category’s own scores never change the choice made for it', () => {
    // b decides a's fold: "later" catches b's window late, "early" at once. On a itself the ranking
    // is reversed between the two corpora, which flips the all-files fit but not a's fold.
    const run = (earlyOnA: number[], lateOnA: number[]) =>
      crossValidateNab(
        [candidate('late', { a: lateOnA, b: [480] }), candidate('early', { a: earlyOnA, b: [400] })],
        LINE,
      );
    const earlyBadOnA = run([...falseAlarms(40)], [400]);
    const earlyGoodOnA = run([400], [...falseAlarms(40)]);
    expect(earlyBadOnA.allFilesChoice).toBe(0);
    expect(earlyGoodOnA.allFilesChoice).toBe(1);
    expect(foldOf(earlyBadOnA, 'a').chosen).toBe(1);
    expect(foldOf(earlyGoodOnA, 'a').chosen).toBe(1);
    expect(foldOf(earlyBadOnA, 'a').leftOut[0]?.fp).toBe(40);
  });

  it('a category without windows stays out of the mean, shows its false positives, and counts when choosing for others', () => {
    // "eager" detects every window 50 rows earlier than the defaults but raises 10 false alarms in quiet.
    const lateGain = 1 - scaledSigmoid(-0.5) / scaledSigmoid(-1);
    const corpus = crossValidateNab(
      [
        candidate('defaults', { a: [450], b: [450], c: [450], quiet: [] }),
        candidate('eager', { a: [400], b: [400], c: [400], quiet: falseAlarms(10) }),
      ],
      LINE,
    );
    expect(3 * lateGain).toBeLessThan(10 * 0.11);
    // With quiet in the choice the false alarms outweigh the earlier detections...
    expect(corpus.allFilesChoice).toBe(0);
    expect(foldOf(corpus, 'a').chosen).toBe(0);
    // ...and without it eager wins, so quiet's own fold shows what eager costs there.
    const quiet = foldOf(corpus, 'quiet');
    expect(quiet.chosen).toBe(1);
    expect(quiet.windows).toBe(0);
    expect(quiet.leftOut[0]).toMatchObject({ fp: 10, normalizedScore: null });
    expect(quiet.leftOut[0]?.rawScore).toBeCloseTo(-1.1, 10);
    const labelled = ['a', 'b', 'c'].map((c) => foldOf(corpus, c).leftOut[0]?.normalizedScore ?? Number.NaN);
    expect(corpus.meanLeftOut[0]).toBeCloseTo(labelled.reduce((x, y) => x + y, 0) / 3, 10);
    expect(corpus.pooledLeftOut[0]?.fp).toBe(10);
  });

  it('breaks ties towards the earlier candidate, so the defaults win when nothing is better', () => {
    const same = candidate('same-as-defaults', { a: [400], b: [400] });
    const tie = crossValidateNab([candidate('defaults', { a: [400], b: [400] }), same], LINE);
    expect(tie.folds.map((f) => f.chosen)).toEqual([0, 0]);
    expect(tie.recommended).toBe(0);
    // One fold each: the earlier of the two is recommended.
    const split = crossValidateNab(
      [
        candidate('defaults', { a: [], b: [] }),
        candidate('helps-a', { a: [400], b: [] }),
        candidate('helps-b', { a: [], b: [400] }),
      ],
      LINE,
    );
    expect(split.folds.map((f) => f.chosen)).toEqual([2, 1]);
    expect(split.recommended).toBe(1);
  });

  it('refuses candidates scored on different files', () => {
    expect(() => crossValidateNab([candidate('x', { a: [], b: [] }), candidate('y', { a: [], c: [] })], LINE)).toThrow(
      'candidate "y" scored other files than "x"',
    );
  });
});

describe('the NAB candidate settings', () => {
  it('start with the production defaults and are few, named once and valid', () => {
    expect(NAB_CANDIDATES[0]).toEqual({ name: 'defaults', overrides: {} });
    expect(candidateDetection(NAB_CANDIDATES[0]!)).toEqual(DetectionConfigSchema.parse({}));
    expect(NAB_CANDIDATES.length).toBeGreaterThanOrEqual(4);
    // Each costs one pass over the corpus (a fraction of a second): a dozen stays quick.
    expect(NAB_CANDIDATES.length).toBeLessThanOrEqual(12);
    expect(new Set(NAB_CANDIDATES.map((c) => c.name)).size).toBe(NAB_CANDIDATES.length);
    for (const c of NAB_CANDIDATES.slice(1)) {
      expect(candidateDetection(c)).not.toEqual(DetectionConfigSchema.parse({}));
    }
  });

  it('override only what they name', () => {
    const base = DetectionConfigSchema.parse({});
    const detection = candidateDetection({ name: 'x', overrides: { min_score: 0.99 } });
    expect(detection).toEqual({ ...base, min_score: 0.99 });
    expect(describeOverrides({ name: 'x', overrides: { min_score: 0.99, seasonal: false } })).toBe(
      'min_score=0.99 seasonal=false',
    );
  });

  it('a candidate the config schema refuses is named in the error', () => {
    expect(() => candidateDetection({ name: 'tiny-window', overrides: { window_points: 10 } })).toThrow(
      'NAB candidate "tiny-window" is not a valid detection config: min_points',
    );
  });
});
