/**
 * The benchmarks' entry points when their corpus is absent: run as `npm run bench:*` would run them
 * (bench/*.ts in a child process, through tsx), they must say which folder or file is missing and how
 * to pass one, and exit 2, instead of a stack trace.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type NodeRun, runNode } from '../helpers/run-node.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `node --import tsx <script> args` from `cwd`. */
function runBench(script: string, args: string[], cwd = root): Promise<NodeRun> {
  return runNode(['--import', 'tsx', script, ...args], cwd, { HOME: process.env.HOME ?? dir });
}

describe('bench:scenarios', () => {
  it('names a missing scenario folder and how to pass one', async () => {
    const missing = join(dir, 'no-scenarios');
    expect(await runBench('bench/scenarios.ts', [missing])).toEqual({
      code: 2,
      stdout: '',
      stderr: `bench:scenarios: no scenario folder at ${missing}. Pass one: npm run bench:scenarios -- <dir> [--config FILE] [--discovered]\n`,
    });
  });

  it('says when its default, ../shared/scenarios next to the repository, is absent', async () => {
    // A copy of the repository's bench/ (and package.json: ESM) in a folder with no ../shared next to it.
    const repository = join(dir, 'lonely', 'vigil');
    mkdirSync(join(repository, 'bench'), { recursive: true });
    for (const file of ['scenarios.ts', 'scenarios.vigil.yaml']) {
      copyFileSync(join(root, 'bench', file), join(repository, 'bench', file));
    }
    copyFileSync(join(root, 'package.json'), join(repository, 'package.json'));
    symlinkSync(join(root, 'src'), join(repository, 'src'), 'dir');
    // --discovered's modules, and the test helper that starts Prometheus for it.
    symlinkSync(join(root, 'bench', 'discovered'), join(repository, 'bench', 'discovered'), 'dir');
    symlinkSync(join(root, 'test'), join(repository, 'test'), 'dir');
    symlinkSync(join(root, 'node_modules'), join(repository, 'node_modules'), 'dir');

    const run = await runBench('bench/scenarios.ts', [], repository);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `bench:scenarios: no scenario folder at ${join(dir, 'lonely', 'shared', 'scenarios')} ` +
        '(the default, ../shared/scenarios next to the repository). ' +
        'Pass one: npm run bench:scenarios -- <dir> [--config FILE] [--discovered]\n',
    });
  });
});

describe('bench:nab', () => {
  const usage = 'npm run bench:nab -- --data <dir> (--out <results-dir> [--labels <json>] | --labels <json> --cv)';

  it('names a missing data folder and how to pass one', async () => {
    const missing = join(dir, 'nab', 'data');
    expect(await runBench('bench/nab.ts', ['--data', missing, '--out', join(dir, 'out')])).toEqual({
      code: 2,
      stdout: '',
      stderr: `bench:nab: no NAB data folder at ${missing}. Pass one: ${usage}\n`,
    });
  });

  it('names a missing labels file before scoring anything', async () => {
    const data = join(dir, 'empty-data');
    mkdirSync(data);
    const labels = join(dir, 'nab', 'labels', 'combined_windows.json');
    const run = await runBench('bench/nab.ts', ['--data', data, '--out', join(dir, 'out'), '--labels', labels]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `bench:nab: no NAB labels file at ${labels}. Pass one: ${usage}\n`,
    });
  });

  it('cross-validation needs labels', async () => {
    const run = await runBench('bench/nab.ts', ['--data', join(dir, 'empty-data'), '--cv']);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `usage: ${usage}\n` });
  });
});
