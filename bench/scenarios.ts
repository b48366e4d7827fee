/**
 * Scenario benchmark: npm run bench:scenarios -- [dir] [--config vigil.yaml] [--discovered]
 * Replays every scenario folder under `dir` (default ../shared/scenarios, next to the repository)
 * through the production pipeline and scores the pages (incident cards) against truth.json, beside
 * the simple rule of issue 14 (src/benchmark/simple-rule.ts) scored the same way.
 * --discovered: no `services:` in the config; the call graph only as service-graph counters in a
 * real Prometheus read by topology_discovery, owners only as a `team` label on the series
 * (bench/discovered/replay-discovered.ts). Needs prometheus and promtool (scripts/setup.sh).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ColumnAlign, formatTextTable } from '../src/benchmark/format-text-table.js';
import { missingInputMessage } from '../src/benchmark/missing-input-message.js';
import { type ScenarioScore, ScenarioTruthSchema, scoreScenario, summarize } from '../src/benchmark/score-scenarios.js';
import { runSimpleRule } from '../src/benchmark/simple-rule.js';
import { loadConfig } from '../src/config/load-config.js';
import { createSilentLogger } from '../src/logger.js';
import { type ReplayResult, runReplay } from '../src/replay/run-replay.js';
import { loadScenario } from '../src/sources/load-scenario.js';
import { replayDiscovered } from './discovered/replay-discovered.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { config: { type: 'string' }, discovered: { type: 'boolean', default: false } },
});
// Defaults relative to the repository, not to wherever the command was started.
const repository = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'npm run bench:scenarios -- <dir> [--config FILE] [--discovered]';
const root = positionals[0] ?? join(repository, '..', 'shared', 'scenarios');
const configPath = values.config ?? join(repository, 'bench', 'scenarios.vigil.yaml');
const problem =
  missingInputMessage({
    path: root,
    kind: 'folder',
    what: 'scenario',
    ...(positionals[0] ? {} : { origin: 'the default, ../shared/scenarios next to the repository' }),
    usage: USAGE,
  }) ?? missingInputMessage({ path: configPath, kind: 'file', what: 'config', usage: USAGE });
if (problem) {
  process.stderr.write(`bench:scenarios: ${problem}\n`);
  process.exit(2);
}
const base = loadConfig({ VIGIL_CONFIG: configPath }).config;
const folders = readdirSync(root)
  .filter((d) => existsSync(join(root, d, 'truth.json')))
  .sort();

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(0)}%`);
/** Minutes to detect; n/a where no incident counts (a scenario of leaks only: leaks are excepted). */
const minutes = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(1));
const DAY_MS = 86_400_000;
const STEP_MS = 60_000;
/** Days of data from the samples' time span; the last sample covers its own minute. */
function daysOf(samples: readonly { timestamp: string }[]): number {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    const t = Date.parse(s.timestamp);
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  return last < first ? 0 : (last - first + STEP_MS) / DAY_MS;
}
interface Tally {
  scores: ScenarioScore[];
  days: number;
}
const vigil: Tally = { scores: [], days: 0 };
const simple: Tally = { scores: [], days: 0 };
/** One row of the table: the same columns for Vigil and for the simple rule, per scenario or in total. */
function row(name: string, rule: string, scores: readonly ScenarioScore[], days: number): string[] {
  const s = summarize(scores);
  const sum = (f: (x: ScenarioScore) => number) => scores.reduce((a, x) => a + f(x), 0);
  const falsePages = sum((x) => x.pages - x.matchedPages);
  return [
    name,
    rule,
    `${sum((x) => x.detected)}/${sum((x) => x.trueIncidents)}`,
    pct(s.recall),
    pct(s.precision),
    s.duplicatesPerIncident.toFixed(2),
    pct(s.startAccuracy),
    minutes(s.medianDetectMinutes),
    String(s.maintenancePages),
    String(sum((x) => x.pages)),
    days === 0 ? 'n/a' : (falsePages / days).toFixed(1),
  ];
}
const rows: string[][] = [
  ['scenario', 'rule', 'found', 'recall', 'prec', 'dup/inc', 'start', 'ttd(min)', 'maint', 'pages', 'false/day'],
];
const started = performance.now();
/** --discovered: per scenario, the edges the service graph gave against those topology.json lists. */
const edgeLines: string[] = [];
for (const folder of folders) {
  const dir = join(root, folder);
  const truth = ScenarioTruthSchema.parse(JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')));
  const scenario = await loadScenario(dir);
  const days = daysOf(scenario.samples);
  let result: ReplayResult;
  if (values.discovered) {
    const run = await replayDiscovered({ scenario, base, logger: createSilentLogger() });
    result = run.result;
    const differs = [...run.missing.map((e) => `missing ${e}`), ...run.extra.map((e) => `extra ${e}`)].join(', ');
    edgeLines.push(
      `${folder}: ${run.discoveredEdges} edges discovered before the first cycle / ${run.configuredEdges} configured` +
        `${differs ? ` (${differs})` : ''}; ${result.serviceGraph?.last.edges ?? 0} at the last of ${result.serviceGraph?.refreshes ?? 0} reads`,
    );
  } else {
    result = await runReplay({ scenario, base, logger: createSilentLogger() });
  }
  const vigilScore = scoreScenario(
    truth,
    result.incidents.filter((i) => i.paged),
  );
  result.db.close();
  // Same samples, same scorer: the baseline the issue asks Vigil to beat on every column.
  const simpleScore = scoreScenario(truth, runSimpleRule(scenario));
  vigil.scores.push(vigilScore);
  simple.scores.push(simpleScore);
  vigil.days += days;
  simple.days += days;
  rows.push(row(folder, 'vigil', [vigilScore], days), row('', 'simple', [simpleScore], days));
}
rows.push(row('TOTAL', 'vigil', vigil.scores, vigil.days), row('', 'simple', simple.scores, simple.days));
const align: ColumnAlign[] = [
  'left',
  'left',
  'right',
  'right',
  'right',
  'right',
  'right',
  'right',
  'right',
  'right',
  'right',
];
process.stdout.write(
  `${[
    ...(values.discovered
      ? [
          'mode: discovered (no services:, edges from traces_service_graph_request_total, owners from a team label)',
          ...edgeLines,
        ]
      : []),
    ...formatTextTable(rows, align, ''),
    `false/day: pages matching no true incident per platform-day (days from the samples' time span; ${vigil.days.toFixed(1)} days in all)`,
    `simple: page on ≥ 2× the previous hour's median held 5 min, latency/errors ignored under 20 req/s (src/benchmark/simple-rule.ts)`,
    `targets: recall ≥ 95% · precision ≥ 90% · ≤ 1 false page per platform-day · dup ≤ 0.05 · start ≥ 85% · median ttd ≤ 3 min (leaks excepted) · 0 maintenance pages`,
    `${folders.length} scenarios in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ].join('\n')}\n`,
);
