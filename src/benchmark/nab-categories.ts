/**
 * NAB's corpus split by category (the folder a file sits in): the breakdown of a corpus score, and
 * the units left out in turn by the cross-validation.
 */
import { addTallies, type NabFile, type NabResult, type NabTally, tallyAtThreshold } from './nab-score.js';

export interface NabCategoryFile extends NabFile {
  /** The file's folder under data/, e.g. `realKnownCause`. */
  category: string;
}

export interface NabCategoryTally {
  category: string;
  files: number;
  tally: NabTally;
}

/** Each category's detections at one threshold, in category order. */
export function tallyByCategory(files: readonly NabCategoryFile[], threshold: number): NabCategoryTally[] {
  const byCategory = new Map<string, NabTally[]>();
  for (const file of files) {
    const tallies = byCategory.get(file.category) ?? [];
    tallies.push(tallyAtThreshold(file, threshold));
    byCategory.set(file.category, tallies);
  }
  return [...byCategory.keys()].sort().map((category) => {
    const tallies = byCategory.get(category) ?? [];
    return { category, files: tallies.length, tally: addTallies(tallies) };
  });
}

/**
 * The mean normalised score of the categories that have windows. A category without windows (NAB's
 * artificialNoAnomaly) has no normalised score (0/0) and is left out of the mean; its false positives
 * still count in any corpus score it is part of. Null when no category has windows.
 */
export function meanCategoryScore(results: readonly NabResult[]): number | null {
  const scores = results.flatMap((r) => (r.normalizedScore === null ? [] : [r.normalizedScore]));
  return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
}
