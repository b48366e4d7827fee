/**
 * A real Prometheus on 127.0.0.1 over the bench's history: promtool turns the OpenMetrics file into
 * TSDB blocks, then Prometheus serves them (as test/helpers/real-prometheus.ts does for tests, but
 * from a file streamed to disk and with a time limit on the backfill).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalDaemon, startLocalDaemon } from '../../test/helpers/local-daemon.js';

/** `promtool tsdb create-blocks-from openmetrics`, killed after `timeoutMs`. */
export async function createBlocks(input: string, dataDir: string, timeoutMs: number): Promise<void> {
  const child = spawn(
    'promtool',
    ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', input, dataDir],
    // stdout lists every block written: not needed, and unbounded.
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (error) =>
        reject(new Error(`cannot run promtool (apt-get install prometheus): ${error.message}`)),
      );
      child.once('exit', resolve);
    });
    if (code !== 0) {
      throw new Error(
        child.killed
          ? `promtool did not finish within ${Math.round(timeoutMs / 60_000)} min`
          : `promtool failed (${code}):\n${log}`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}

export function startPrometheus(dir: string, dataDir: string): Promise<LocalDaemon> {
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  return startLocalDaemon(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=100y',
      '--web.listen-address=127.0.0.1:0',
    ],
    'prometheus',
  );
}
