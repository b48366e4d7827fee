/**
 * A real Prometheus (Debian's package) on 127.0.0.1 with a free port, its history backfilled with
 * promtool from OpenMetrics text. Fails loudly when prometheus/promtool are missing: CI installs them.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RealPrometheus {
  url: string;
  stop(): Promise<void>;
}

export interface GaugeSeries {
  name: string;
  labels: Record<string, string>;
  /** [unix seconds, value], increasing in time. */
  points: Array<[number, number]>;
}

/** OpenMetrics text for promtool: seconds (not ms), one series after another, `# EOF` last. */
export function toOpenMetrics(series: readonly GaugeSeries[]): string {
  const out: string[] = [];
  const names = [...new Set(series.map((s) => s.name))];
  for (const name of names) {
    out.push(`# TYPE ${name} gauge`);
    for (const s of series.filter((x) => x.name === name)) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      for (const [ts, value] of s.points) out.push(`${name}{${labels}} ${value} ${ts}`);
    }
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

export async function startRealPrometheus(series: readonly GaugeSeries[]): Promise<RealPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-'));
  const dataDir = join(dir, 'data');
  const input = join(dir, 'history.om');
  writeFileSync(input, toOpenMetrics(series));
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', input, dataDir], {
    timeout: 60_000,
  });
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=100y',
      '--web.listen-address=127.0.0.1:0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`prometheus did not start:\n${log.slice(-2000)}`)), 20_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start prometheus (apt-get install prometheus): ${error.message}`));
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
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('prometheus never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
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
