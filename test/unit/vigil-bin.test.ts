/**
 * The `vigil` command as a user runs it: `node bin/vigil.js …` in a child process. First in this
 * checkout, whether or not dist/ was built (a fresh clone has none), then in copies of the package
 * where dist/ is missing, older or newer than src/, and where tsx is not installed.
 */
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type NodeRun, runNode } from '../helpers/run-node.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'vigil-bin-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `node <packageDir>/bin/vigil.js args` with only PATH and HOME from this environment (no Slack secrets). */
function vigil(args: string[], env: Record<string, string> = {}, packageDir = root): Promise<NodeRun> {
  return runNode([join(packageDir, 'bin', 'vigil.js'), ...args], dir, { HOME: process.env.HOME ?? dir, ...env });
}

describe('bin/vigil.js in this checkout', () => {
  it('--version prints the version in package.json', async () => {
    expect(await vigil(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help lists every command', async () => {
    const run = await vigil(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['run', 'check-config', 'replay <dir>', 'demo', 'migrate', '--version']) {
      expect(run.stdout).toContain(`  ${command}`);
    }
  });

  it('replay without a folder says what is missing and exits 2', async () => {
    const run = await vigil(['replay']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'vigil: replay needs a scenario folder: vigil replay <dir> [--out FILE] [--config FILE]\n',
    });
  });

  it('migrate creates the schema at VIGIL_DB', async () => {
    const path = join(dir, 'migrate.db');
    const run = await vigil(['migrate'], { VIGIL_DB: path });
    expect(run).toEqual({ code: 0, stdout: 'migrations applied\n', stderr: '' });
    const db = new Database(path, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    db.close();
    expect(tables).toEqual(expect.arrayContaining(['incidents', 'anomalies', 'feedback']));
  });

  it('check-config validates the example and the Slack secrets its mode needs', async () => {
    const config = join(root, 'vigil.example.yaml');
    const missing = await vigil(['check-config'], { VIGIL_CONFIG: config, SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(missing.code).toBe(78);
    expect(missing.stdout).toContain('is valid: 5 services');
    expect(missing.stderr).toContain('Slack socket mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN — missing:');
    expect(missing.stderr).toContain('  - SLACK_APP_TOKEN: required in Socket Mode');

    const set = await vigil(['check-config'], {
      VIGIL_CONFIG: config,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
    });
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('environment: Slack socket mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN — all set.');
  });
});

describe('bin/vigil.js chooses between dist/ and src/', () => {
  /** A stand-in for the compiled CLI that says it ran. */
  const FAKE_DIST = [
    'export async function main(argv) {',
    "  process.stdout.write('dist ' + argv.join(' ') + '\\n');",
    '  return 0;',
    '}',
  ].join('\n');
  const longAgo = new Date('2000-01-01T00:00:00Z');

  /** A copy of the package: bin/ and package.json, plus src/, a dist/ and node_modules (a link) on request. */
  function makePackage(name: string, parts: { src?: boolean; dist?: boolean; nodeModules?: boolean }): string {
    const packageDir = join(dir, name);
    mkdirSync(join(packageDir, 'bin'), { recursive: true });
    copyFileSync(join(root, 'bin', 'vigil.js'), join(packageDir, 'bin', 'vigil.js'));
    copyFileSync(join(root, 'package.json'), join(packageDir, 'package.json'));
    if (parts.src) cpSync(join(root, 'src'), join(packageDir, 'src'), { recursive: true });
    if (parts.dist) {
      mkdirSync(join(packageDir, 'dist'));
      writeFileSync(join(packageDir, 'dist', 'cli.js'), FAKE_DIST);
    }
    if (parts.nodeModules) symlinkSync(join(root, 'node_modules'), join(packageDir, 'node_modules'), 'dir');
    return packageDir;
  }

  it('runs src/ through tsx when dist/ was never built (a fresh clone after npm ci)', async () => {
    const packageDir = makePackage('clone', { src: true, nodeModules: true });
    expect(await vigil(['--version'], {}, packageDir)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('runs dist/ unless a source file is newer, and dist/ alone where there are no sources (the image)', async () => {
    const built = makePackage('built', { src: true, dist: true, nodeModules: true });
    const afterTheSources = new Date(Date.now() + 60_000);
    utimesSync(join(built, 'dist', 'cli.js'), afterTheSources, afterTheSources);
    expect((await vigil(['--version'], {}, built)).stdout).toBe('dist --version\n');

    // An edit (or a git pull) after the build: dist/ no longer matches the sources.
    utimesSync(join(built, 'dist', 'cli.js'), longAgo, longAgo);
    utimesSync(join(built, 'src', 'logger.ts'), new Date(), new Date());
    expect(await vigil(['--version'], {}, built)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });

    const image = makePackage('image', { dist: true });
    expect(await vigil(['--version'], {}, image)).toEqual({ code: 0, stdout: 'dist --version\n', stderr: '' });
  });

  it('says how to build when neither dist/ nor tsx is there', async () => {
    const packageDir = makePackage('no-tools', { src: true });
    const run = await vigil(['--version'], {}, packageDir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('vigil: dist/cli.js is missing and tsx is not installed: run `npm ci && npm run build`\n');
  });
});
