import type { MetricSample } from '../contracts/index.js';

/** The first and last timestamps (Unix ms) of a scenario's samples; an error if none is a date. */
export function sampleSpanOf(samples: readonly Pick<MetricSample, 'timestamp'>[]): { first: number; last: number } {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    const t = Date.parse(s.timestamp);
    if (t < first) first = t;
    if (t > last) last = t;
  }
  if (!Number.isFinite(first)) throw new Error('the scenario has no valid samples');
  return { first, last };
}
