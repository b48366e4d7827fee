/**
 * Leave-one-category-out cross-validation of detection settings on NAB. Choosing settings by their
 * score on the files they are judged on flatters them; here each category is scored with the
 * candidate that did best on the other categories, so its labels never pick its own settings.
 */
import { meanCategoryScore, type NabCategoryFile, type NabCategoryTally, tallyByCategory } from './nab-categories.js';
import { addTallies, NAB_PROFILES, type NabProfile, type NabResult, type NabTally, scoreTally } from './nab-score.js';

export interface NabCandidateScores {
  name: string;
  /** The corpus as this candidate scored it: the same files in the same order for every candidate. */
  files: readonly NabCategoryFile[];
}

export interface NabFold {
  /** The category left out of the choice and then scored with it. */
  category: string;
  files: number;
  windows: number;
  /** Index of the candidate that scored best on the other categories. */
  chosen: number;
  /** The left-out category with the chosen candidate, one result per profile. */
  leftOut: NabResult[];
}

export interface NabCandidateFit {
  /** The candidate on all files, one result per profile. */
  corpus: NabResult[];
  /** Mean category score per profile (categories with windows only). */
  meanOfCategories: Array<number | null>;
}

export interface NabCrossValidation {
  threshold: number;
  /** Profile names, the order of every per-profile array here. */
  profiles: string[];
  /** The profile folds choose by. */
  selectedBy: string;
  candidates: string[];
  folds: NabFold[];
  /** Per profile: the mean left-out score of the categories with windows. */
  meanLeftOut: Array<number | null>;
  /** Per profile: every category with its fold's choice, scored together as one corpus. */
  pooledLeftOut: NabResult[];
  /** Per candidate: its score on all files, i.e. fitted on every label. */
  allFiles: NabCandidateFit[];
  /** The candidate that fitting on all files would pick. */
  allFilesChoice: number;
  /** Per candidate: how many folds chose it. */
  votes: number[];
  /** The candidate most folds chose; on a tie the earlier one, so the defaults (candidate 0) win ties. */
  recommended: number;
}

/** Index of the largest value; the first on a tie. */
function firstBest(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

function checkSameCorpus(runs: readonly NabCandidateScores[]): void {
  const first = runs[0];
  if (!first) throw new Error('cross-validation needs at least one candidate');
  const names = first.files.map((f) => `${f.category}:${f.name}`).join('\n');
  for (const run of runs) {
    if (run.files.map((f) => `${f.category}:${f.name}`).join('\n') !== names)
      throw new Error(`candidate "${run.name}" scored other files than "${first.name}"`);
  }
}

/**
 * Leaves each category out in turn: chooses the candidate with the best `selectBy` score at the fixed
 * `threshold` on the other categories' files, then scores the left-out category with it.
 */
export function crossValidateNab(
  runs: readonly NabCandidateScores[],
  threshold: number,
  selectBy: NabProfile = NAB_PROFILES[0] as NabProfile,
): NabCrossValidation {
  checkSameCorpus(runs);
  // Tallies are additive and profile-free: one per candidate and category serves every fold and profile.
  const tallies: NabCategoryTally[][] = runs.map((run) => tallyByCategory(run.files, threshold));
  const categories = tallies[0] as NabCategoryTally[];
  const tallyOf = (candidate: number, category: number) =>
    ((tallies[candidate] as NabCategoryTally[])[category] as NabCategoryTally).tally;
  const sumOver = (candidate: number, included: readonly number[]): NabTally =>
    addTallies(included.map((c) => tallyOf(candidate, c)));
  // Every candidate is judged on the same files, so the raw score orders them as the normalised does
  // (and still does when those files have no windows).
  const bestOn = (included: readonly number[]) =>
    firstBest(runs.map((_, k) => scoreTally(sumOver(k, included), selectBy, threshold).rawScore));
  const scoreIn = (tally: NabTally) => NAB_PROFILES.map((p) => scoreTally(tally, p, threshold));

  const every = categories.map((_, c) => c);
  const folds: NabFold[] = categories.map(({ category, files, tally }, c) => {
    const chosen = bestOn(every.filter((other) => other !== c));
    return { category, files, windows: tally.windows, chosen, leftOut: scoreIn(tallyOf(chosen, c)) };
  });
  const votes = runs.map((_, k) => folds.filter((f) => f.chosen === k).length);
  const allFiles = runs.map((_, k) => ({
    corpus: scoreIn(sumOver(k, every)),
    meanOfCategories: NAB_PROFILES.map((_p, pi) =>
      meanCategoryScore(every.map((c) => scoreIn(tallyOf(k, c))[pi] as NabResult)),
    ),
  }));
  return {
    threshold,
    profiles: NAB_PROFILES.map((p) => p.name),
    selectedBy: selectBy.name,
    candidates: runs.map((r) => r.name),
    folds,
    meanLeftOut: NAB_PROFILES.map((_p, pi) => meanCategoryScore(folds.map((f) => f.leftOut[pi] as NabResult))),
    pooledLeftOut: scoreIn(addTallies(folds.map((f, c) => tallyOf(f.chosen, c)))),
    allFiles,
    allFilesChoice: bestOn(every),
    votes,
    recommended: firstBest(votes),
  };
}
