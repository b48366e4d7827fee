/**
 * NAB benchmark: npm run bench:nab -- --data <dir> --out <results-dir> [--labels <combined_windows.json>]
 * Writes the official results layout and, with labels, prints the NAB scores of the three profiles.
 * With --cv (labels required, --out unused) it cross-validates the candidate settings of
 * src/benchmark/nab-candidates.ts, leaving one category out at a time.
 */
import { parseArgs } from 'node:util';
import { formatNabCrossValidation } from '../src/benchmark/format-nab-cross-validation.js';
import { formatNabRun } from '../src/benchmark/format-nab-run.js';
import { missingInputMessage } from '../src/benchmark/missing-input-message.js';
import { runNab } from '../src/benchmark/run-nab.js';
import { runNabCrossValidation } from '../src/benchmark/run-nab-cross-validation.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    labels: { type: 'string' },
    cv: { type: 'boolean', default: false },
  },
});
const USAGE = 'npm run bench:nab -- --data <dir> (--out <results-dir> [--labels <json>] | --labels <json> --cv)';
if (!values.data || (values.cv ? !values.labels : !values.out)) {
  process.stderr.write(`usage: ${USAGE}\n`);
  process.exit(2);
}
// The corpus is a checkout of https://github.com/numenta/NAB (data/ and labels/), kept outside the
// repository: say which path is missing rather than fail inside the reader.
const problem =
  missingInputMessage({ path: values.data, kind: 'folder', what: 'NAB data', usage: USAGE }) ??
  (values.labels
    ? missingInputMessage({ path: values.labels, kind: 'file', what: 'NAB labels', usage: USAGE })
    : undefined);
if (problem) {
  process.stderr.write(`bench:nab: ${problem}\n`);
  process.exit(2);
}
if (values.cv && values.labels) {
  const run = runNabCrossValidation({
    data: values.data,
    labels: values.labels,
    progress: (line) => process.stderr.write(`bench:nab --cv: ${line}\n`),
  });
  process.stdout.write(`${formatNabCrossValidation(run)}\n`);
} else if (values.out) {
  const run = runNab({ data: values.data, out: values.out, ...(values.labels ? { labels: values.labels } : {}) });
  process.stdout.write(`${formatNabRun(run, values.out)}\n`);
}
