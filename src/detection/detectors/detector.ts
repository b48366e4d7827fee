import type { DetectorName } from '../../contracts/index.js';

/**
 * What one detector says about one point, judged against the past only (the point is learned after
 * it is scored). The same object is returned on every call: no allocation on the hot path.
 */
export interface DetectorReading {
  /** Enough history to judge. */
  ready: boolean;
  /** Signed deviation in the detector's unit (sigmas, burn-rate multiples). */
  statistic: number;
  /** |statistic| at or above this is anomalous for this detector. */
  threshold: number;
  expected: number;
  lower: number;
  upper: number;
  /**
   * A statistic from thinner history (e.g. one day of seasonal profile), NaN when none: good
   * enough to explain a point away (the same time yesterday looked like this), never to flag one.
   */
  weakStatistic: number;
}

/** The one interface every detector implements; state is plain data, so it can be persisted. */
export interface Detector<State> {
  readonly name: DetectorName;
  update(value: number, timestampMs: number): DetectorReading;
  state(): State;
}

/** A deviation from `expected` in units of `sigma`, with the band `threshold` sigmas wide. */
export function setDeviation(reading: DetectorReading, value: number, expected: number, sigma: number): void {
  reading.statistic = (value - expected) / sigma;
  reading.expected = expected;
  reading.lower = expected - reading.threshold * sigma;
  reading.upper = expected + reading.threshold * sigma;
}

/** The `length` values of a ring buffer that starts at `start`, oldest first (for persisted state). */
export function ringValues(ring: Float64Array, start: number, length: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < length; i += 1) values.push(ring[(start + i) % ring.length] as number);
  return values;
}

export function newReading(threshold: number): DetectorReading {
  return { ready: false, statistic: 0, threshold, expected: 0, lower: 0, upper: 0, weakStatistic: Number.NaN };
}

/**
 * The series' typical point-to-point change, shared by its detectors (see createSeriesDetector).
 * A window that happens to be flat (mostly zeros between rare spikes) must not make the next spike
 * a billion sigmas: spreads are floored at half the typical change.
 */
export interface ScaleFloor {
  value: number;
}

/**
 * A spread of zero (a flat series) would make any change infinitely anomalous; a floor of 1% of
 * the level, half the series' typical change, or a tiny absolute value for series at zero keeps
 * statistics finite and meaningful.
 */
export function spreadFloor(level: number, scale?: ScaleFloor): number {
  return Math.max(Math.abs(level) * 0.01, scale ? scale.value : 0, 1e-9);
}
