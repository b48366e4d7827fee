/**
 * A real Prometheus (Debian's package) on 127.0.0.1 with a free port, its history backfilled with
 * promtool from OpenMetrics text. Fails loudly when prometheus/promtool are missing: CI installs them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalDaemon } from './local-daemon.js';

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
  /** A counter: `name` ends in `_total`, and the family (TYPE line) is named without it. */
  type?: 'counter';
}

/** OpenMetrics text for promtool: seconds (not ms), one series after another, `# EOF` last. */
export function toOpenMetrics(series: readonly GaugeSeries[]): string {
  const out: string[] = [];
  const names = [...new Set(series.map((s) => s.name))];
  for (const name of names) {
    const counter = series.some((s) => s.name === name && s.type === 'counter');
    out.push(counter ? `# TYPE ${name.replace(/_total$/, '')} counter` : `# TYPE ${name} gauge`);
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
  const daemon = await startLocalDaemon(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=100y',
      '--web.listen-address=127.0.0.1:0',
    ],
    'prometheus',
  );
  return {
    url: daemon.url,
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `pods` series `{service: "api", pod: "api-N"}` of `name`, `points` one-minute points ending at
 * `end` (unix s), gently varying and different per pod: nothing anomalous, many series.
 */
export function podSeries(name: string, pods: number, points: number, end: number): GaugeSeries[] {
  const series: GaugeSeries[] = [];
  for (let pod = 0; pod < pods; pod += 1) {
    const values: Array<[number, number]> = [];
    for (let i = 0; i < points; i += 1) values.push([end - (points - 1 - i) * 60, 0.2 + ((pod + i) % 7) * 0.001]);
    series.push({ name, labels: { service: 'api', pod: `api-${pod}` }, points: values });
  }
  return series;
}
