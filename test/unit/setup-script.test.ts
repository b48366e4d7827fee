/**
 * scripts/setup.sh, the first half of the README's commands and of CI, run by the real bash with
 * the system at its edges faked: PATH holds only stand-ins for id, sudo, apt-get, npm, node and the
 * tools the script looks for, each recording how it was called. apt-get "installs" a package by
 * adding stand-ins for its commands, as the real one would.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/setup.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil-setup-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The commands each Debian package provides, for the apt-get stand-in. */
const PACKAGE_COMMANDS: Record<string, string[]> = {
  'build-essential': ['g++', 'make'],
  python3: ['python3'],
  prometheus: ['prometheus', 'promtool'],
  'prometheus-alertmanager': ['prometheus-alertmanager'],
  openssl: ['openssl'],
};
const ALL_TOOLS = Object.values(PACKAGE_COMMANDS).flat();

interface Machine {
  uid: number;
  sudo: boolean;
  /** Commands already installed. */
  tools: string[];
}

interface Setup {
  code: number | null;
  stderr: string;
  /** One line per call of a stand-in: its name and arguments. */
  calls: string[];
}

let machines = 0;

function writeStub(bin: string, name: string, body: string): void {
  const path = join(bin, name);
  writeFileSync(path, `#!/usr/bin/bash\necho "${name} $*" >> "$CALLS"\n${body}\n`);
  chmodSync(path, 0o755);
}

/** Runs `bash scripts/setup.sh args` on a machine with only the given commands on PATH. */
function runSetup(machine: Machine, args: string[] = []): Promise<Setup> {
  machines += 1;
  const bin = join(dir, `machine-${machines}`);
  mkdirSync(bin);
  // Real tools the script itself uses.
  for (const tool of ['chmod', 'dirname', 'env', 'sed']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  writeStub(bin, 'id', `echo ${machine.uid}`);
  const installs = Object.entries(PACKAGE_COMMANDS)
    .map(([pkg, commands]) => `${pkg}) ${commands.map((c) => `stub ${c}`).join('; ')};;`)
    .join('\n');
  writeStub(
    bin,
    'apt-get',
    [
      // apt-get needs root; the stand-in checks the uid the (real) sudo would have given it.
      `[ "$SUDO_DONE" = 1 ] || [ "$(id -u)" = 0 ] || { echo "apt-get: permission denied" >&2; exit 100; }`,
      `stub() { printf '#!/usr/bin/bash\\necho "%s $*" >> "$CALLS"\\n' "$1" > "${bin}/$1"; chmod +x "${bin}/$1"; }`,
      'for pkg in "$@"; do case "$pkg" in',
      installs,
      'esac; done',
    ].join('\n'),
  );
  if (machine.sudo) writeStub(bin, 'sudo', 'SUDO_DONE=1 exec "$@"');
  writeStub(bin, 'npm', '');
  writeStub(bin, 'node', '');
  for (const tool of machine.tools) writeStub(bin, tool, '');
  const calls = join(bin, 'calls.log');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/bash', [script, ...args], {
      env: { PATH: bin, CALLS: calls },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stderr,
        calls: existsSync(calls) ? readFileSync(calls, 'utf8').trimEnd().split('\n') : [],
      }),
    );
  });
}

const APT_UPDATE = 'apt-get update -qq';
const aptInstall = (...packages: string[]) => `apt-get install -y -qq --no-install-recommends ${packages.join(' ')}`;
const NPM_CI = 'npm ci --no-audit --no-fund';

/** The calls that matter: package installs and npm, in order (not id, node or the version prints). */
function installSteps(calls: string[]): string[] {
  return calls.filter((c) => /^(sudo|apt-get|npm) /.test(c));
}

describe('scripts/setup.sh', () => {
  it('as a user with sudo, installs what is missing through sudo, then runs npm ci', async () => {
    const setup = await runSetup({ uid: 1000, sudo: true, tools: [] });
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    const packages = ['build-essential', 'python3', 'prometheus', 'prometheus-alertmanager', 'openssl'];
    expect(installSteps(setup.calls)).toEqual([
      `sudo env DEBIAN_FRONTEND=noninteractive ${APT_UPDATE}`,
      APT_UPDATE,
      `sudo env DEBIAN_FRONTEND=noninteractive ${aptInstall(...packages)}`,
      aptInstall(...packages),
      NPM_CI,
    ]);
    // The native module is checked once npm ci is done.
    expect(setup.calls.at(-1)).toMatch(/^node -e .*better-sqlite3/);
  });

  it('as root, installs without sudo, which a fresh machine or container may not have', async () => {
    const setup = await runSetup({ uid: 0, sudo: false, tools: ['g++', 'make'] });
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    const packages = ['python3', 'prometheus', 'prometheus-alertmanager', 'openssl'];
    expect(installSteps(setup.calls)).toEqual([APT_UPDATE, aptInstall(...packages), NPM_CI]);
  });

  it('skips apt-get when everything is installed', async () => {
    const setup = await runSetup({ uid: 1000, sudo: false, tools: ALL_TOOLS });
    expect(setup.code).toBe(0);
    expect(installSteps(setup.calls)).toEqual([NPM_CI]);
    expect(setup.calls).toEqual(expect.arrayContaining(['prometheus --version', 'prometheus-alertmanager --version']));
  });

  it('--build-tools installs only what npm ci needs to compile better-sqlite3', async () => {
    const setup = await runSetup({ uid: 0, sudo: false, tools: [] }, ['--build-tools']);
    expect(setup.code).toBe(0);
    expect(installSteps(setup.calls)).toEqual([APT_UPDATE, aptInstall('build-essential', 'python3'), NPM_CI]);
  });

  it('without root or sudo, says what it needs to install and how, and stops before npm ci', async () => {
    const setup = await runSetup({ uid: 1000, sudo: false, tools: ['g++', 'make', 'python3'] });
    expect(setup.code).toBe(1);
    expect(setup.stderr).toBe(
      'setup: installing prometheus prometheus-alertmanager openssl needs root: run this script as root, or install sudo\n',
    );
    expect(installSteps(setup.calls)).toEqual([]);
  });
});
