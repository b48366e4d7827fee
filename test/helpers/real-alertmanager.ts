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
  /** POSTs alerts to /api/v2/alerts, as Prometheus does; a past `endsAt` resolves one. */
  postAlerts(alerts: ReadonlyArray<Record<string, unknown>>): Promise<void>;
  stop(): Promise<void>;
}

/** Its config (alertmanager.yml) as YAML text: by default one receiver that sends nowhere. */
export async function startRealAlertmanager(
  configYaml = "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n",
): Promise<RealAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, configYaml);
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
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
