/**
 * Scenario benchmark: npm run bench:scenarios -- [dir] [--config vigil.yaml]
 * Replays every scenario folder under `dir` (default ../shared/scenarios, next to the repository)
 * through the production pipeline and scores the pages (incident cards) against truth.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { missingInputMessage } from '../src/benchmark/missing-input-message.js';
import {
  median,
  type ScenarioScore,
  ScenarioTruthSchema,
  scoreScenario,
  summarize,
} from '../src/benchmark/score-scenarios.js';
import { loadConfig } from '../src/config/load-config.js';
import { createSilentLogger } from '../src/logger.js';
import { runReplay } from '../src/replay/run-replay.js';
import { loadScenario } from '../src/sources/load-scenario.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { config: { type: 'string' } } });
// Defaults relative to the repository, not to wherever the command was started.
const repository = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'npm run bench:scenarios -- <dir> [--config FILE]';
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

const pct = (x: number) => (Number.isNaN(x) ? '  n/a' : `${(x * 100).toFixed(0).padStart(4)}%`);
/** Minutes to detect; n/a where no incident counts (a scenario of leaks only: leaks are excepted). */
const minutes = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(1)).padStart(6);
const rows: string[] = [];
const scores: ScenarioScore[] = [];
const started = performance.now();
for (const folder of folders) {
  const dir = join(root, folder);
  const truth = ScenarioTruthSchema.parse(JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')));
  const result = await runReplay({ scenario: await loadScenario(dir), base, logger: createSilentLogger() });
  const pages = result.incidents.filter((i) => i.paged);
  const score = scoreScenario(truth, pages);
  scores.push(score);
  const s = summarize([score]);
  rows.push(
    `${folder.padEnd(16)} ${String(score.detected).padStart(2)}/${score.trueIncidents}  ${pct(s.recall)} ${pct(s.precision)} ` +
      `${s.duplicatesPerIncident.toFixed(2).padStart(6)} ${pct(s.startAccuracy)} ${minutes(median(score.detectMinutes))} ` +
      `${String(score.maintenancePages).padStart(6)} ${String(score.pages).padStart(6)}`,
  );
  result.db.close();
}
const total = summarize(scores);
process.stdout.write(
  `${[
    `scenario         found  recall  prec   dup/inc  start  ttd(min) maint  pages`,
    ...rows,
    `${'TOTAL'.padEnd(16)} ${String(scores.reduce((a, s) => a + s.detected, 0)).padStart(2)}/${scores.reduce((a, s) => a + s.trueIncidents, 0)}  ` +
      `${pct(total.recall)} ${pct(total.precision)} ${total.duplicatesPerIncident.toFixed(2).padStart(6)} ${pct(total.startAccuracy)} ` +
      `${minutes(total.medianDetectMinutes)} ${String(total.maintenancePages).padStart(6)}`,
    `targets: recall ≥ 95% · precision ≥ 90% · dup ≤ 0.05 · start ≥ 80% · median ttd ≤ 3 min (leaks excepted) · 0 maintenance pages`,
    `${folders.length} scenarios in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ].join('\n')}\n`,
);
