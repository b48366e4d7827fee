/**
 * An anomaly's score is the point's: the ensemble's calibrated score (the rarest member's tail,
 * times the members consulted), which the card turns into "rarer than 1 in N points of this
 * series". Not the score of the member named as the detector, which can be ordinary when another
 * member made the point rare (a card once said "as rare as 1 in 1 points" of a point that paged).
 */
import { describe, expect, it } from 'vitest';
import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { createSeriesDetector } from '../../src/detection/create-series-detector.js';
import { seriesDetectorOptions } from '../../src/detection/series-detector-options.js';
import { anomaliesOfSeries, seededUniform } from '../helpers/slice-harness.js';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const MINUTE = 60_000;

describe("an anomaly's score", () => {
  it('is the ensemble score of its point, where the named member scores otherwise', () => {
    const rand = seededUniform(13);
    // Two days of noisy latency, then spikes of several heights and a level shift.
    const values: number[] = [];
    for (let i = 0; i < 2 * 1440; i += 1) values.push(100 + 10 * rand());
    for (let i = 0; i < 240; i += 1)
      values.push(i % 40 === 0 ? 130 + i / 2 : i > 180 ? 160 + 10 * rand() : 100 + 10 * rand());
    const detector = createSeriesDetector(seriesDetectorOptions(DetectionConfigSchema.parse({}), MINUTE));
    const score: number[] = [];
    const named: number[] = [];
    values.forEach((v, i) => {
      const reading = detector.update(v, T0 + i * MINUTE);
      score.push(reading.score);
      named.push(reading.primary.score);
    });
    const anomalies = anomaliesOfSeries('latency_p99', values, T0);
    expect(anomalies.length).toBeGreaterThan(3);
    let differs = 0;
    for (const a of anomalies) {
      const i = (Date.parse(a.timestamp) - T0) / MINUTE;
      expect(a.anomaly_score).toBe(Math.min(1, Math.max(0, score[i] as number)));
      if (Math.abs((named[i] as number) - (score[i] as number)) > 1e-9) differs += 1;
    }
    // The case the rule is for occurs here: the named member's own score is not the point's.
    expect(differs).toBeGreaterThan(0);
  });
});
