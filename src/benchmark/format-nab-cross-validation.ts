import { appendAll } from '../collections/append-all.js';
import { formatMeanScore, formatNabScore, nabCountCells, noWindowNote } from './format-nab-score.js';
import { formatTextTable } from './format-text-table.js';
import { describeOverrides } from './nab-candidates.js';
import type { NabResult } from './nab-score.js';
import type { NabCrossValidationRun } from './run-nab-cross-validation.js';

/**
 * The `bench:nab -- --cv` report: every candidate fitted on all files (optimistic), the folds, then
 * the cross-validated score beside the all-files ones, so the gap between them is in plain sight.
 */
export function formatNabCrossValidation(run: NabCrossValidationRun): string {
  const cv = run.result;
  const name = (k: number) => cv.candidates[k] ?? `#${k}`;
  const folds = cv.folds.length;
  const withWindows = cv.folds.filter((f) => f.windows > 0).length;
  const selected = cv.profiles.indexOf(cv.selectedBy);
  const lines = [
    `${cv.candidates.length} candidates × ${run.files} files (${run.rows} rows) scored in ${run.seconds.toFixed(1)} s; ` +
      `every score at PAGE_SCORE ${cv.threshold}, the line production pages on`,
    '',
    'Candidates on all files (fitted on every label, so optimistic)',
  ];
  appendAll(
    lines,
    formatTextTable(
      [
        ['#', 'candidate', ...cv.profiles, `mean ${cv.selectedBy}`, 'folds', 'overrides'],
        ...run.candidates.map((candidate, k) => {
          const fit = cv.allFiles[k];
          return [
            String(k),
            candidate.name,
            ...(fit?.corpus ?? []).map(formatNabScore),
            formatMeanScore(fit?.meanOfCategories[selected] ?? null),
            `${cv.votes[k] ?? 0}/${folds}`,
            describeOverrides(candidate),
          ];
        }),
      ],
      ['right', 'left', ...cv.profiles.map(() => 'right' as const), 'right', 'right', 'left'],
    ),
  );
  lines.push(
    '',
    `Leave one category out: each category scored with the candidate best on the other ${folds - 1} (${cv.selectedBy})`,
  );
  appendAll(
    lines,
    formatTextTable(
      [
        ['left out', 'windows', 'chosen', ...cv.profiles, 'TP', 'FP', 'FN'],
        ...cv.folds.map((f) => [
          f.category,
          String(f.windows),
          name(f.chosen),
          ...f.leftOut.map(formatNabScore),
          ...nabCountCells(f.leftOut[selected] as NabResult),
        ]),
        [`mean of ${withWindows} with windows`, '', '', ...cv.meanLeftOut.map(formatMeanScore)],
        [
          'all categories pooled',
          '',
          '',
          ...cv.pooledLeftOut.map(formatNabScore),
          ...nabCountCells(cv.pooledLeftOut[selected] as NabResult),
        ],
      ],
      ['left', 'right', 'left', ...cv.profiles.map(() => 'right' as const), 'right', 'right', 'right'],
    ),
  );
  appendAll(lines, noWindowNote(cv.folds.filter((f) => f.windows === 0).map((f) => f.category)));
  const defaults = cv.allFiles[0];
  const fitted = cv.allFiles[cv.allFilesChoice];
  lines.push('', `Cross-validated against fitted on all files (${cv.selectedBy}, at PAGE_SCORE ${cv.threshold})`);
  appendAll(
    lines,
    formatTextTable(
      [
        ['', 'mean of categories', 'all files pooled'],
        [
          "cross-validated: each category with its fold's choice",
          formatMeanScore(cv.meanLeftOut[selected] ?? null),
          formatNabScore(cv.pooledLeftOut[selected] as NabResult),
        ],
        [
          `${name(0)} everywhere (nothing fitted)`,
          formatMeanScore(defaults?.meanOfCategories[selected] ?? null),
          defaults ? formatNabScore(defaults.corpus[selected] as NabResult) : 'n/a',
        ],
        [
          `all-files fit: ${name(cv.allFilesChoice)} everywhere (chosen with every label)`,
          formatMeanScore(fitted?.meanOfCategories[selected] ?? null),
          fitted ? formatNabScore(fitted.corpus[selected] as NabResult) : 'n/a',
        ],
      ],
      ['left', 'right', 'right'],
    ),
  );
  lines.push(
    '',
    cv.recommended === 0
      ? `Recommendation: keep the defaults (chosen in ${cv.votes[0]} of ${folds} folds)`
      : `Recommendation for the defaults: ${name(cv.recommended)} (chosen in ${cv.votes[cv.recommended]} of ${folds} folds)`,
  );
  return lines.join('\n');
}
