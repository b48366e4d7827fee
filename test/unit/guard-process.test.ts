/**
 * The process-level guard in a real Node process: an unhandled rejection and an uncaught exception
 * are logged and counted, and the process lives on (Node's default is to exit on both).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Runs in a child process: vitest's own handlers would otherwise catch what the guard is for.
const script = `
import { createMetrics } from './src/http/create-metrics.ts';
import { guardProcess } from './src/guard-process.ts';
import { createLogger } from './src/logger.ts';
const metrics = createMetrics({ openIncidents: () => 0, feedbackByLabel: () => ({}), remediationByStatus: () => ({}) });
guardProcess(process, createLogger({ level: 'info', destination: process.stdout }), metrics.countUnexpectedError);
Promise.reject(new Error('nobody awaited me'));
setTimeout(() => { throw new Error('thrown in a timer'); }, 0);
setTimeout(async () => {
  const text = await metrics.registry.metrics();
  console.log(text.split('\\n').filter((l) => l.startsWith('vigil_unexpected_errors_total')).join('\\n'));
  console.log('still alive');
}, 0);
`;

describe('guardProcess', () => {
  it('logs and counts an unhandled rejection and an uncaught exception, and the process lives on', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const lines = child.stdout.trim().split('\n');
    const logs = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.map((l) => [l.origin, l.msg, (l.err as { message: string }).message])).toEqual([
      ['unhandledRejection', 'unhandled promise rejection; the process goes on', 'nobody awaited me'],
      ['uncaughtException', 'uncaught exception; the process goes on', 'thrown in a timer'],
    ]);
    expect(lines).toContain('vigil_unexpected_errors_total{origin="unhandledRejection"} 1');
    expect(lines).toContain('vigil_unexpected_errors_total{origin="uncaughtException"} 1');
    expect(lines.at(-1)).toBe('still alive');
  });
});
