import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from '../helpers/run-node.js';

// Every module the detection thread loads is held in its heap for the life of the process: it
// resolves a challenger's settings from the detectors' own schema, not from the whole
// configuration's (its other schemas and node-cron, ~2 MB of that heap).
describe('the detection thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-modules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads the detectors' settings schema but not the rest of the configuration's", async () => {
    // A resolve hook (node:module register) that reports every module resolved, after tsx's own.
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}
`,
    );
    const script = `
const { register } = require('node:module');
const { MessageChannel } = require('node:worker_threads');
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (url) => urls.push(url));
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { port: port2 }, transferList: [port2] });
import('./src/pipeline/create-detection-side.ts').then(() => setTimeout(() => {
  const names = (part) => urls.some((u) => u.includes(part));
  console.log(JSON.stringify({
    detectionSide: names('/src/pipeline/create-detection-side.ts'),
    detectionSchema: names('/src/config/detection-schema.ts'),
    configSchema: names('/src/config/config-schema.ts'),
    nodeCron: names('/node-cron/'),
  }));
  port1.close();
}, 300));`;
    const run = await runNode(['--import', 'tsx', '-e', script], process.cwd());
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim())).toEqual({
      detectionSide: true,
      detectionSchema: true,
      configSchema: false,
      nodeCron: false,
    });
  }, 60_000);
});
