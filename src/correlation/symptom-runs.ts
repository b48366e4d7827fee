import type { AnomalyEvent } from '../contracts/index.js';

/**
 * How many consecutive points each series has been anomalous for, across cycles: what a signal's
 * smear (see pagingWeight) is measured against. Kept in memory for the series anomalous at the
 * last point only, so it stays as small as the anomalies of one cycle; after a restart runs start
 * again at 1, which can only delay a page by a point or two.
 */
export interface SymptomRuns {
  /**
   * The run each anomaly ends (1 for a series anomalous for the first point in a row), given a
   * cycle's anomalies with each series' in time order, and the cycle's end: series not anomalous
   * at it are forgotten.
   */
  observe(anomalies: readonly AnomalyEvent[], endMs: number): number[];
}

export function createSymptomRuns(stepMs: number): SymptomRuns {
  const last = new Map<string, { ts: number; run: number }>();
  return {
    observe(anomalies, endMs) {
      const runs = anomalies.map((a) => {
        const ts = Date.parse(a.timestamp);
        const known = last.get(a.series_key);
        const run = known && ts - known.ts === stepMs ? known.run + 1 : known && ts === known.ts ? known.run : 1;
        last.set(a.series_key, { ts, run });
        return run;
      });
      for (const [key, { ts }] of last) if (ts < endMs) last.delete(key);
      return runs;
    },
  };
}
