/**
 * Series keys and every other order Vigil puts text in do not depend on the process's locale. A
 * series key is stored with the series' detector state, anomalies and feedback: built by the
 * default locale (which Node reads from LANG / LC_ALL), the same series got another key in a pod
 * whose image sets another locale. Each case runs in a real Node process started with that locale,
 * since a process's default locale is fixed when it starts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/collections/compare-text.js';
import { seriesKeyOf } from '../../src/contracts/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Label names whose order differs between en-US and these locales' collations (Lithuanian sorts
// y with i, Estonian z after s): with localeCompare, the keys below came out in another order there.
const labels = { ix: '1', y_x: '2', zone: 'a', team: 'b' };
const sample = { namespace: 'shop', service: 'api', metric_name: 'latency', labels };

const script = `
import { seriesKeyOf } from './src/contracts/index.ts';
import { compareText } from './src/collections/compare-text.ts';
const sample = ${JSON.stringify(sample)};
console.log(JSON.stringify({
  locale: new Intl.Collator().resolvedOptions().locale,
  key: seriesKeyOf(sample),
  names: ['zone', 'team', 'y_x', 'ix', 'kx'].sort(compareText),
  byDefault: ['zone', 'team', 'y_x', 'ix', 'kx'].sort((a, b) => a.localeCompare(b)),
}));
`;

function runUnder(locale: string): { locale: string; key: string; names: string[]; byDefault: string[] } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, LANG: locale, LC_ALL: locale },
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout.trim()) as ReturnType<typeof runUnder>;
}

describe('compareText', () => {
  it('orders label names by code unit, as Prometheus does, for the series key', () => {
    expect(seriesKeyOf(sample)).toBe('shop/api/latency{ix=1,team=b,y_x=2,zone=a}');
    expect(['zone', 'team', 'y_x', 'ix', 'kx'].sort(compareText)).toEqual(['ix', 'kx', 'team', 'y_x', 'zone']);
    expect(compareText('a', 'a')).toBe(0);
    // Capitals first, a digit before `_`: where a collator (en-US puts "a_b" before "a1", "B" after "a") differs.
    expect(['a_b', 'a1', 'a', 'B'].sort(compareText)).toEqual(['B', 'a', 'a1', 'a_b']);
  });

  it.each(['lt_LT.UTF-8', 'et_EE.UTF-8', 'C'])(
    'builds the same series key in a process whose locale is %s',
    (locale) => {
      const seen = runUnder(locale);
      expect(seen.key).toBe(seriesKeyOf(sample));
      expect(seen.names).toEqual(['ix', 'kx', 'team', 'y_x', 'zone']);
      // What the locale would have done to a key built with localeCompare (Node here has full ICU):
      // under Lithuanian and Estonian the default order is another one, so the test above can fail.
      if (locale === 'lt_LT.UTF-8') {
        expect(seen.locale).toBe('lt-LT');
        expect(seen.byDefault).toEqual(['y_x', 'ix', 'kx', 'team', 'zone']);
      }
      if (locale === 'et_EE.UTF-8') {
        expect(seen.locale).toBe('et-EE');
        expect(seen.byDefault).toEqual(['ix', 'kx', 'zone', 'team', 'y_x']);
      }
    },
  );
});
