/**
 * The Numenta Anomaly Benchmark scoring, reimplemented from the official scorer (numenta/NAB,
 * nab/sweeper.py): windows centred on labelled anomalies, a scaled sigmoid that rewards early
 * detection, probationary rows unscored, and one threshold per profile for the whole corpus.
 */
import { appendAll } from '../collections/append-all.js';

export interface NabProfile {
  name: string;
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export const NAB_PROFILES: readonly NabProfile[] = [
  { name: 'standard', tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  { name: 'reward_low_FP_rate', tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  { name: 'reward_low_FN_rate', tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
];

export interface NabFile {
  name: string;
  /** Unix ms per row, in order. */
  timestamps: readonly number[];
  scores: readonly number[];
  /** [start, end] in unix ms, as in combined_windows.json. */
  windows: ReadonlyArray<readonly [number, number]>;
}

export interface NabResult {
  profile: string;
  threshold: number;
  rawScore: number;
  /**
   * NAB's 100 * (raw - null) / (perfect - null); null for files without windows, where the null and
   * the perfect detector both score 0 and the ratio is 0/0. Their false positives are in rawScore.
   */
  normalizedScore: number | null;
  tp: number;
  fp: number;
  fn: number;
  windows: number;
}

/**
 * What the detections at one threshold add up to, before any profile's weights. Profile-free, so one
 * tally serves the three profiles; additive over files, so a set of files is the sum of its files.
 */
export interface NabTally {
  /** Summed value of each detected window's earliest detection (about 1 at the left edge, 0 at the right). */
  tpValue: number;
  /** Summed sigmoid of the false positives: -1 far from any window, closer to 0 just after one. */
  fpValue: number;
  tp: number;
  fp: number;
  windows: number;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** NAB's scaledSigmoid: ~1 at the left edge of a window, 0 at its right edge, -1 far past it. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 * sigmoid(-5 * relativePosition) - 1;
}

export function probationaryLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

interface ScoredRow {
  score: number;
  /** Window id (file:index) or null outside windows. */
  window: string | null;
  /** Value of a detection at this row before profile weights: TP share or FP sigmoid. */
  unweighted: number;
}

function rowsOf(file: NabFile): { rows: ScoredRow[]; windowIds: string[] } {
  const { timestamps, scores } = file;
  if (timestamps.length !== scores.length)
    throw new Error(`${file.name}: ${scores.length} scores for ${timestamps.length} rows`);
  const indexOf = (ts: number) => {
    const i = timestamps.indexOf(ts);
    if (i < 0) throw new Error(`${file.name}: window edge ${new Date(ts).toISOString()} is not a row timestamp`);
    return i;
  };
  const windows = file.windows.map(([start, end], k) => ({
    id: `${file.name}#${k}`,
    left: indexOf(start),
    right: indexOf(end),
  }));
  const probation = probationaryLength(timestamps.length);
  const rows: ScoredRow[] = [];
  let w = 0;
  let prev: { right: number; width: number } | null = null;
  for (let i = 0; i < timestamps.length; i += 1) {
    const current = windows[w];
    const inside = current !== undefined && i >= current.left && i <= current.right;
    let unweighted: number;
    if (inside) {
      const width = current.right - current.left + 1;
      unweighted = scaledSigmoid(-(current.right - i + 1) / width) / scaledSigmoid(-1);
    } else if (prev === null) {
      unweighted = -1;
    } else {
      unweighted = scaledSigmoid(Math.abs(prev.right - i) / (prev.width - 1));
    }
    if (i >= probation)
      rows.push({ score: scores[i] as number, window: inside ? (current as { id: string }).id : null, unweighted });
    if (inside && i === current.right) {
      prev = { right: current.right, width: current.right - current.left + 1 };
      w += 1;
    }
  }
  return { rows, windowIds: windows.map((x) => x.id) };
}

/** A detector that never fires: every window is a false negative. */
function emptyTally(windows: number): NabTally {
  return { tpValue: 0, fpValue: 0, tp: 0, fp: 0, windows };
}

/**
 * Counts one detection. Inside a window only the earliest detection counts, and the earliest is the
 * one worth most (the sigmoid falls across the window), so keeping the best value per window is the
 * same whichever order the rows arrive in: by time here, by falling score in the sweep.
 */
function countDetection(tally: NabTally, bestInWindow: Map<string, number>, row: ScoredRow): void {
  if (row.window === null) {
    tally.fpValue += row.unweighted;
    tally.fp += 1;
    return;
  }
  const was = bestInWindow.get(row.window);
  if (was === undefined) {
    bestInWindow.set(row.window, row.unweighted);
    tally.tpValue += row.unweighted;
    tally.tp += 1;
  } else if (row.unweighted > was) {
    bestInWindow.set(row.window, row.unweighted);
    tally.tpValue += row.unweighted - was;
  }
}

function rawScore(tally: NabTally, profile: NabProfile): number {
  return (
    profile.tpWeight * tally.tpValue + profile.fpWeight * tally.fpValue - profile.fnWeight * (tally.windows - tally.tp)
  );
}

/** Sums tallies of disjoint sets of files (their windows are distinct, so nothing is counted twice). */
export function addTallies(tallies: readonly NabTally[]): NabTally {
  const sum = emptyTally(0);
  for (const t of tallies) {
    sum.tpValue += t.tpValue;
    sum.fpValue += t.fpValue;
    sum.tp += t.tp;
    sum.fp += t.fp;
    sum.windows += t.windows;
  }
  return sum;
}

/** The NAB score of a tally under one profile. */
export function scoreTally(tally: NabTally, profile: NabProfile, threshold: number): NabResult {
  const raw = rawScore(tally, profile);
  const nullScore = -profile.fnWeight * tally.windows;
  const perfect = profile.tpWeight * tally.windows;
  return {
    profile: profile.name,
    threshold,
    rawScore: raw,
    normalizedScore: tally.windows === 0 ? null : (100 * (raw - nullScore)) / (perfect - nullScore),
    tp: tally.tp,
    fp: tally.fp,
    fn: tally.windows - tally.tp,
    windows: tally.windows,
  };
}

/** The detections of one file at a fixed threshold: every scored row with score >= threshold. */
export function tallyAtThreshold(file: NabFile, threshold: number): NabTally {
  const { rows, windowIds } = rowsOf(file);
  const tally = emptyTally(windowIds.length);
  const best = new Map<string, number>();
  for (const row of rows) if (row.score >= threshold) countDetection(tally, best, row);
  return tally;
}

/**
 * Scores a corpus under one profile at a threshold fixed in advance, as production pages: no sweep,
 * so the score says what the detector does at that line, not at the best line for these labels.
 */
export function scoreCorpusAt(files: readonly NabFile[], profile: NabProfile, threshold: number): NabResult {
  return scoreTally(addTallies(files.map((f) => tallyAtThreshold(f, threshold))), profile, threshold);
}

/** Above every anomaly score in [0, 1]: the sweep's starting point, where nothing is detected. */
const ABOVE_EVERY_SCORE = 1.1;

/**
 * Scores a corpus under one profile: sweeps the threshold down over every distinct anomaly score
 * and keeps the one with the highest summed score, as the official optimiser does.
 */
export function scoreCorpus(files: readonly NabFile[], profile: NabProfile): NabResult {
  const all: ScoredRow[] = [];
  let windows = 0;
  for (const file of files) {
    const { rows, windowIds } = rowsOf(file);
    appendAll(all, rows);
    windows += windowIds.length;
  }
  all.sort((a, b) => b.score - a.score);
  const tally = emptyTally(windows);
  const best = new Map<string, number>();
  let top = { threshold: ABOVE_EVERY_SCORE, tally: { ...tally }, raw: rawScore(tally, profile) };
  let i = 0;
  while (i < all.length) {
    const threshold = (all[i] as ScoredRow).score;
    // Rows with equal scores cross the threshold together.
    while (i < all.length && (all[i] as ScoredRow).score === threshold) {
      countDetection(tally, best, all[i] as ScoredRow);
      i += 1;
    }
    const raw = rawScore(tally, profile);
    if (raw > top.raw) top = { threshold, tally: { ...tally }, raw };
  }
  return scoreTally(top.tally, profile, top.threshold);
}
