import { max, min } from 'simple-statistics';

export type Unit = 'seconds' | 'ratio' | 'percent' | 'per_second' | 'bytes' | 'none';

/**
 * A whole number with its thousands apart: "12,345". Written out rather than toLocaleString, which
 * would keep ICU's number formatting data resident (~1.4 MB) for one comma. Beyond 1e21, where
 * a number prints as an exponent, as it prints.
 */
export function withThousands(whole: number): string {
  const text = String(whole);
  return /e/.test(text) ? text : text.replace(/\B(?=(\d{3})+$)/g, ',');
}

function sig(value: number, digits = 3): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return withThousands(Math.round(value));
  return Number(value.toPrecision(digits)).toString();
}

/** A human reading of a metric value: "410 ms", "2.3%", "183/s". */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'seconds':
      return Math.abs(value) < 1 ? `${sig(value * 1000)} ms` : `${sig(value)} s`;
    case 'ratio':
      return `${sig(value * 100)}%`;
    case 'percent':
      return `${sig(value)}%`;
    case 'per_second':
      return `${sig(value)}/s`;
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < units.length - 1) {
        v /= 1024;
        i += 1;
      }
      return `${sig(v)} ${units[i]}`;
    }
    default:
      return sig(value);
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of the recent values: readable at a glance in Slack and in a terminal. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  // simple-statistics loops; spreading the values into Math.min would pass each one as an argument.
  const lowest = min(values as number[]);
  const span = max(values as number[]) - lowest;
  return values
    .map((v) => BARS[span === 0 ? 0 : Math.min(BARS.length - 1, Math.floor(((v - lowest) / span) * BARS.length))])
    .join('');
}
