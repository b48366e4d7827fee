/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1 with a free port and no
 * cluster listener (the default :9094 collides between parallel tests). CI installs the package.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDaemon } from './local-daemon.js';

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
  const daemon = await startLocalDaemon(
    'prometheus-alertmanager',
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--cluster.listen-address=',
    ],
    'prometheus-alertmanager',
  );
  const url = daemon.url;
  return {
    url,
    silences: async () =>
      (await (await fetch(`${url}/api/v2/silences`)).json()) as Awaited<ReturnType<RealAlertmanager['silences']>>,
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
