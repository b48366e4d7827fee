/**
 * NAB benchmark: npm run bench:nab -- --data <dir> --out <results-dir> [--labels <combined_windows.json>]
 * Writes the official results layout and, with labels, prints the NAB scores of the three profiles.
 */
import { parseArgs } from 'node:util';
import { formatNabRun, runNab } from '../src/benchmark/run-nab.js';

const { values } = parseArgs({
  options: { data: { type: 'string' }, out: { type: 'string' }, labels: { type: 'string' } },
});
if (!values.data || !values.out) {
  process.stderr.write('usage: npm run bench:nab -- --data <dir> --out <results-dir> [--labels <json>]\n');
  process.exit(2);
}
const run = runNab({ data: values.data, out: values.out, ...(values.labels ? { labels: values.labels } : {}) });
process.stdout.write(`${formatNabRun(run, values.out)}\n`);
