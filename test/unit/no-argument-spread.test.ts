/**
 * Nothing in src/ or bench/ spreads data into call arguments. V8 refuses a call with more than
 * ~120 000 arguments (RangeError: Maximum call stack size exceeded), so `push(...samples)` over a
 * signal of 1 000 series failed every cycle. test/integration/many-series.test.ts proves the cycle
 * at 5 000 series; this guard keeps the pattern from coming back anywhere else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SPREAD_INTO_ARGUMENTS =
  /\b(push|unshift|splice|Math\.max|Math\.min|fromCharCode|fromCodePoint)\(\s*(?:[^()]*,\s*)?\.\.\./;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('no data spread into call arguments', () => {
  it('the pattern is caught when present', () => {
    expect(SPREAD_INTO_ARGUMENTS.test('samples.push(...batch.samples);')).toBe(true);
    expect(SPREAD_INTO_ARGUMENTS.test('const m = Math.max(...values);')).toBe(true);
    expect(SPREAD_INTO_ARGUMENTS.test('xs.splice(0, 0, ...ys);')).toBe(true);
    expect(SPREAD_INTO_ARGUMENTS.test('appendAll(samples, batch.samples);')).toBe(false);
  });

  it('src/ and bench/ have none', () => {
    const offenders: string[] = [];
    for (const file of [...sourceFiles('src'), ...sourceFiles('bench')]) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.trim();
          // Comments may name the pattern to say why it is avoided.
          if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
          if (SPREAD_INTO_ARGUMENTS.test(code)) offenders.push(`${file}:${i + 1}: ${code}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
