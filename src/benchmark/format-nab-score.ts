import type { NabResult } from './nab-score.js';

/** The normalised score, or for files without windows (no normalised score) the raw one, marked so. */
export function formatNabScore(result: NabResult): string {
  return result.normalizedScore === null ? `raw ${result.rawScore.toFixed(2)}` : result.normalizedScore.toFixed(2);
}

export function formatMeanScore(mean: number | null): string {
  return mean === null ? 'n/a' : mean.toFixed(2);
}

/** TP, FP and FN cells; TP over the windows when `ofWindows`. */
export function nabCountCells(result: NabResult, ofWindows = false): string[] {
  return [ofWindows ? `${result.tp}/${result.windows}` : String(result.tp), String(result.fp), String(result.fn)];
}

/** Why the categories without windows show a raw score and stay out of the means. */
export function noWindowNote(categories: readonly string[]): string[] {
  if (categories.length === 0) return [];
  return [
    '',
    `${categories.join(', ')}: no windows, so NAB's normalised score is 0/0; shown is the raw score (what its`,
    '  false positives cost). Left out of the category means; its false positives count in every corpus score.',
  ];
}
