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
  normalizedScore: number;
  tp: number;
  fp: number;
  fn: number;
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

/**
 * Scores a corpus under one profile: sweeps the threshold down over every distinct anomaly score
 * and keeps the one with the highest summed score, as the official optimiser does.
 */
export function scoreCorpus(files: readonly NabFile[], profile: NabProfile): NabResult {
  const all: ScoredRow[] = [];
  const windowIds: string[] = [];
  for (const file of files) {
    const { rows, windowIds: ids } = rowsOf(file);
    for (const r of rows) all.push(r);
    appendAll(windowIds, ids);
  }
  all.sort((a, b) => b.score - a.score);
  const best = new Map<string, number>();
  let fpSum = 0;
  let fpCount = 0;
  let tpSum = 0;
  const nullScore = -profile.fnWeight * windowIds.length;
  let top = { threshold: 1.1, raw: nullScore, tp: 0, fp: 0 };
  let i = 0;
  while (i < all.length) {
    const threshold = (all[i] as ScoredRow).score;
    // Rows with equal scores cross the threshold together.
    while (i < all.length && (all[i] as ScoredRow).score === threshold) {
      const row = all[i] as ScoredRow;
      if (row.window === null) {
        fpSum += row.unweighted * profile.fpWeight;
        fpCount += 1;
      } else {
        const was = best.get(row.window);
        const value = row.unweighted * profile.tpWeight;
        if (was === undefined) {
          best.set(row.window, value);
          tpSum += value;
        } else if (value > was) {
          best.set(row.window, value);
          tpSum += value - was;
        }
      }
      i += 1;
    }
    const raw = tpSum + fpSum - profile.fnWeight * (windowIds.length - best.size);
    if (raw > top.raw) top = { threshold, raw, tp: best.size, fp: fpCount };
  }
  const perfect = profile.tpWeight * windowIds.length;
  return {
    profile: profile.name,
    threshold: top.threshold,
    rawScore: top.raw,
    normalizedScore: (100 * (top.raw - nullScore)) / (perfect - nullScore),
    tp: top.tp,
    fp: top.fp,
    fn: windowIds.length - top.tp,
    windows: windowIds.length,
  };
}
