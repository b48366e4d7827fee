/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1 with a free port and no
 * cluster listener (the default :9094 collides between parallel tests). CI installs the package.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RealAlertmanager {
  url: string;
  /** Active silences as Alertmanager reports them (GET /api/v2/silences). */
  silences(): Promise<
    Array<{
      id: string;
      status: { state: string };
      matchers: Array<{ name: string; value: string }>;
      createdBy: string;
      comment: string;
    }>
  >;
  stop(): Promise<void>;
}

export async function startRealAlertmanager(): Promise<RealAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
  const child = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`alertmanager did not start:\n${log.slice(-2000)}`)), 20_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start alertmanager (apt-get install prometheus-alertmanager): ${error.message}`));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /msg="Listening on" address=(127\.0\.0\.1:\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(`http://${match[1]}`);
      }
    });
  });
  const deadline = Date.now() + 20_000;
  while (
    !(await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error('alertmanager never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    silences: async () =>
      (await (await fetch(`${url}/api/v2/silences`)).json()) as Awaited<ReturnType<RealAlertmanager['silences']>>,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
