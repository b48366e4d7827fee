import { meanCategoryScore, type NabCategoryFile, tallyByCategory } from './nab-categories.js';
import { addTallies, NAB_PROFILES, type NabResult, scoreCorpus, scoreTally } from './nab-score.js';

export interface NabCategoryReport {
  category: string;
  files: number;
  fixed: NabResult;
  /** The category at its profile's corpus-wide swept threshold: its share of the swept score. */
  swept: NabResult;
}

export interface NabProfileReport {
  profile: string;
  /** The corpus at the page line, where production opens an anomaly: the headline. */
  fixed: NabResult;
  /** The corpus at the threshold swept to the best score on these labels, as the published scoreboard is. */
  swept: NabResult;
  categories: NabCategoryReport[];
  /** Means over the categories with windows (see meanCategoryScore). */
  meanFixed: number | null;
  meanSwept: number | null;
}

/** The three profiles' scores of a labelled corpus, at the page line and swept, in total and by category. */
export function buildNabReport(files: readonly NabCategoryFile[], pageScore: number): NabProfileReport[] {
  // Tallies carry no profile weights, so the page line's are counted once for the three profiles.
  const atPageScore = tallyByCategory(files, pageScore);
  return NAB_PROFILES.map((profile) => {
    const swept = scoreCorpus(files, profile);
    const atSwept = new Map(tallyByCategory(files, swept.threshold).map((c) => [c.category, c.tally]));
    const categories = atPageScore.map(({ category, files: count, tally }) => {
      const sweptTally = atSwept.get(category);
      if (!sweptTally) throw new Error(`${category}: no tally at the swept threshold`);
      return {
        category,
        files: count,
        fixed: scoreTally(tally, profile, pageScore),
        swept: scoreTally(sweptTally, profile, swept.threshold),
      };
    });
    return {
      profile: profile.name,
      fixed: scoreTally(addTallies(atPageScore.map((c) => c.tally)), profile, pageScore),
      swept,
      categories,
      meanFixed: meanCategoryScore(categories.map((c) => c.fixed)),
      meanSwept: meanCategoryScore(categories.map((c) => c.swept)),
    };
  });
}
