import { join } from 'node:path';
import { appendAll } from '../collections/append-all.js';
import type { NabProfileReport } from './build-nab-report.js';
import { formatMeanScore, formatNabScore, nabCountCells, noWindowNote } from './format-nab-score.js';
import { formatTextTable } from './format-text-table.js';
import { DETECTOR_NAME, type NabRun } from './run-nab.js';

/**
 * The bench:nab report. The page-line score comes first because it is what production does; the
 * swept score is fitted to the labels it is judged on, so it reads high and only serves to compare
 * with the published scoreboard, which is swept too.
 */
export function formatNabRun(run: NabRun, out: string): string {
  const lines = [
    `${run.files} files, ${run.rows} rows scored in ${run.seconds.toFixed(2)} s → ${join(out, DETECTOR_NAME)}/`,
  ];
  if (run.report.length === 0) return lines.join('\n');
  lines.push(
    '',
    `HEADLINE: NAB score at PAGE_SCORE ${run.pageScore}, the line production pages on (no threshold fitted to labels)`,
  );
  appendAll(
    lines,
    formatTextTable(
      [
        ['profile', 'score', 'TP', 'FP', 'FN'],
        ...run.report.map((p) => [p.profile, formatNabScore(p.fixed), ...nabCountCells(p.fixed, true)]),
      ],
      ['left', 'right', 'right', 'right', 'right'],
    ),
  );
  lines.push('', 'Swept threshold, for comparison with the published scoreboard (fitted to these labels)');
  appendAll(
    lines,
    formatTextTable(
      [
        ['profile', 'score', 'TP', 'FP', 'FN', 'threshold'],
        ...run.report.map((p) => [
          p.profile,
          formatNabScore(p.swept),
          ...nabCountCells(p.swept, true),
          p.swept.threshold.toFixed(6),
        ]),
      ],
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  lines.push('', `By category: fixed at PAGE_SCORE ${run.pageScore} | swept at the profile's threshold above`);
  for (const [i, profile] of run.report.entries()) {
    if (i > 0) lines.push('');
    appendAll(lines, categoryTable(profile));
  }
  const noWindows = (run.report[0]?.categories ?? []).filter((c) => c.fixed.windows === 0).map((c) => c.category);
  appendAll(lines, noWindowNote(noWindows));
  return lines.join('\n');
}

function categoryTable(profile: NabProfileReport): string[] {
  const withWindows = profile.categories.filter((c) => c.fixed.windows > 0).length;
  return formatTextTable(
    [
      [profile.profile, 'files', 'windows', '|', 'fixed', 'TP', 'FP', 'FN', '|', 'swept', 'TP', 'FP', 'FN'],
      ...profile.categories.map((c) => [
        c.category,
        String(c.files),
        String(c.fixed.windows),
        '|',
        formatNabScore(c.fixed),
        ...nabCountCells(c.fixed),
        '|',
        formatNabScore(c.swept),
        ...nabCountCells(c.swept),
      ]),
      [
        `mean of ${withWindows} with windows`,
        '',
        '',
        '|',
        formatMeanScore(profile.meanFixed),
        '',
        '',
        '',
        '|',
        formatMeanScore(profile.meanSwept),
      ],
    ],
    ['left', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right'],
  );
}
