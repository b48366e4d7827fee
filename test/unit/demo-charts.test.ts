/**
 * `npm run demo` without credentials: the production pipeline over the bundled scenario; each card
 * gets its chart, written to the output folder as PNG and named under the printed card.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHART_COLOURS } from '../../src/charts/render-incident-chart.js';
import { parseEnv } from '../../src/config/load-config.js';
import { runDemo } from '../../src/demo/run-demo.js';
import { createSilentLogger } from '../../src/logger.js';
import { countColour, decodePng, readPngSize } from '../helpers/decode-png.js';

describe('the demo writes each card its chart', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('saves a PNG per new card in the output folder, names it under the card, and records the upload', async () => {
    let printed = '';
    const code = await runDemo({
      outDir,
      env: parseEnv({}),
      logger: createSilentLogger(),
      write: (text) => {
        printed += text;
      },
    });
    expect(code).toBe(0);
    const named = [...printed.matchAll(/↳ chart in the thread: (\S+\.png)/g)].map((m) => m[1] as string);
    const cards = printed.match(/▶ new card in/g) ?? [];
    expect(named.length).toBeGreaterThan(0);
    expect(named).toHaveLength(cards.length);
    for (const path of named) {
      expect(path.startsWith(outDir)).toBe(true);
      expect(existsSync(path)).toBe(true);
      const png = readFileSync(path);
      expect(readPngSize(png)).toEqual({ width: 800, height: 320 });
      const image = decodePng(png);
      const all = { x0: 0, y0: 0, x1: image.width, y1: image.height };
      expect(countColour(image, all, CHART_COLOURS.line)).toBeGreaterThan(300);
      expect(countColour(image, all, CHART_COLOURS.band)).toBeGreaterThan(1000);
      expect(countColour(image, all, CHART_COLOURS.anomaly)).toBeGreaterThan(20);
    }
    // The scenario's payment incident follows a deploy: its chart says so.
    expect(printed).toMatch(
      /latency_p99 of payment-api over the last 3 hours;.*deploy payment-api [^ ]+ at \d\d:\d\d UTC/,
    );
    const uploads = readFileSync(join(outDir, 'slack-calls.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { method: string; filename?: string; thread_ts?: string })
      .filter((c) => c.method === 'files.uploadV2');
    expect(uploads.map((u) => join(outDir, u.filename ?? ''))).toEqual(named);
    expect(printed).toContain(`charts (PNG): ${named.join(', ')}`);
  }, 240_000);
});
