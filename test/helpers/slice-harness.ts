import { DetectionConfigSchema } from '../../src/config/config-schema.js';
import { type AnomalyEvent, seriesKeyOf } from '../../src/contracts/index.js';
import { createDetectionEngine } from '../../src/detection/create-detection-engine.js';
import { POINT_SCALE, POINT_VALUE, type SliceDetector } from '../../src/detection/ensemble/slice-detector.js';

/** Park-Miller's minimal standard generator: uniform in (0, 1), the same sequence on every run. */
export function seededUniform(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
}

/** A slice detector on an array laid out as the ensemble lays it out, with this point scale. */
export function sliceHarness(detector: SliceDetector, pointScale: number) {
  const at = 2;
  const outAt = at + detector.doubles;
  const b = new Float64Array(outAt + 3);
  b[POINT_SCALE] = pointScale;
  detector.start(b, at);
  return {
    threshold: detector.threshold,
    /** Reads then learns the value, as the ensemble does; the statistic, or null while warming up. */
    step(value: number): number | null {
      b[POINT_VALUE] = value;
      const ready = detector.read(b, at, outAt);
      detector.learn(b, at);
      return ready ? (b[outAt] as number) : null;
    },
  };
}

/** The anomalies the production engine (default detection settings) finds in one 1-minute series. */
export function anomaliesOfSeries(metricName: string, values: readonly number[], startMs: number): AnomalyEvent[] {
  const identity = { service: 'orders', namespace: 'shop', metric_name: metricName, labels: {} };
  const engine = createDetectionEngine({ detection: DetectionConfigSchema.parse({}), stepSeconds: 60, signals: [] });
  return engine.ingest(
    [
      {
        key: seriesKeyOf(identity),
        identity,
        timestamps: Float64Array.from(values, (_, i) => startMs + i * 60_000),
        values: Float64Array.from(values),
      },
    ],
    { coldStartEmitAfterMs: Number.NEGATIVE_INFINITY },
  ).anomalies;
}
