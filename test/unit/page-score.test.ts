import { describe, expect, it } from 'vitest';
import { scoreNabFile } from '../../src/benchmark/run-nab.js';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { seriesKeyOf } from '../../src/contracts/index.js';
import { generateDemoScenario } from '../../src/demo/generate-demo-scenario.js';
import { createDetectionEngine } from '../../src/detection/create-detection-engine.js';
import { PAGE_SCORE } from '../../src/detection/page-score.js';
import { columnsOf } from '../helpers/columns-of.js';

// The demo's recorded platform (eight hours of one-minute points, a payment outage spreading to its
// callers, a later catalog fault): every series scored by bench:nab's scorer and by the tick's engine.
const detection = DetectionConfigSchema.parse({});
const series = columnsOf(generateDemoScenario().samples);
const CYCLE_POINTS = 5;

function openedByTheTick(): Map<string, number[]> {
  const engine = createDetectionEngine({ detection, stepSeconds: 60, signals: [] });
  const opened = new Map<string, number[]>(series.map((s) => [s.key, []]));
  const longest = Math.max(...series.map((s) => s.timestamps.length));
  // Cycle by cycle, as the tick reads them: a few new points of every series each time.
  for (let from = 0; from < longest; from += CYCLE_POINTS) {
    const batch = series.map((s) => ({
      ...s,
      timestamps: s.timestamps.slice(from, from + CYCLE_POINTS),
      values: s.values.slice(from, from + CYCLE_POINTS),
    }));
    const { anomalies } = engine.ingest(batch, { coldStartEmitAfterMs: Number.NEGATIVE_INFINITY });
    for (const a of anomalies) if (a.opens) opened.get(a.series_key)?.push(Date.parse(a.timestamp));
  }
  return opened;
}

describe('one score, one rule: bench:nab and the tick agree point by point', () => {
  it('a row scores at least PAGE_SCORE in the benchmark exactly when the tick opens an anomaly at it', () => {
    const tick = openedByTheTick();
    let openings = 0;
    for (const s of series) {
      const timestamps = [...s.timestamps];
      const scores = scoreNabFile(
        {
          key: seriesKeyOf(s.identity),
          category: 'demo',
          file: `${s.key}.csv`,
          timestamps,
          rawTimestamps: timestamps.map((t) => new Date(t).toISOString()),
          values: [...s.values],
        },
        detection,
      );
      const paged = timestamps.filter((_, i) => (scores[i] as number) >= PAGE_SCORE);
      expect(paged, s.key).toEqual(tick.get(s.key));
      openings += paged.length;
    }
    // The outage opens anomalies on the services it reached (the comparison is not of empty lists).
    expect(openings).toBeGreaterThanOrEqual(4);
  });

  it('an episode opens once: the points after its first extend it and score below the line', () => {
    const engine = createDetectionEngine({ detection, stepSeconds: 60, signals: [] });
    const { anomalies } = engine.ingest(series, { coldStartEmitAfterMs: Number.NEGATIVE_INFINITY });
    const payment = anomalies.filter((a) => a.service === 'payment-api');
    expect(payment.some((a) => a.opens === true)).toBe(true);
    expect(payment.some((a) => a.opens === false)).toBe(true);
    // Per series, no two consecutive anomalous minutes both open.
    const bySeries = new Map<string, Array<{ ts: number; opens: boolean }>>();
    for (const a of anomalies) {
      const list = bySeries.get(a.series_key) ?? [];
      list.push({ ts: Date.parse(a.timestamp), opens: a.opens === true });
      bySeries.set(a.series_key, list);
    }
    for (const list of bySeries.values())
      for (let i = 1; i < list.length; i += 1)
        if (list[i]!.ts - list[i - 1]!.ts === 60_000) expect(list[i]!.opens).toBe(false);
  });
});
