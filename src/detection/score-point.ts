import { mean, median, medianAbsoluteDeviation, sampleStandardDeviation } from 'simple-statistics';
import type { DetectorName, Direction } from '../contracts/index.js';

/** Scales the MAD to the standard deviation of a normal distribution (1 / Φ⁻¹(3/4)). */
const MAD_TO_SIGMA = 1.4826;

export interface DetectorSettings {
  zscoreThreshold: number;
  madThreshold: number;
  combine: 'all' | 'any';
  direction: 'up' | 'down' | 'both';
}

export interface DetectorVerdict {
  detector: DetectorName;
  statistic: number;
  expected: number;
  lower: number;
  upper: number;
  /** 0..1, 0.5 exactly at the threshold. */
  score: number;
}

export interface PointScore {
  anomalous: boolean;
  direction: Direction;
  /** The detector whose verdict explains the point best (largest score). */
  primary: DetectorVerdict;
  zscore: DetectorVerdict;
  mad: DetectorVerdict;
  score: number;
}

/**
 * Maps |statistic| / threshold to 0..1 so that scores of different detectors compare:
 * 0.5 at the threshold, ~0.94 at twice it.
 */
export function scoreFromStatistic(statistic: number, threshold: number): number {
  const ratio = Math.abs(statistic) / threshold;
  return 1 - 2 ** -(ratio * ratio);
}

/**
 * A spread of zero (a flat series) would make any change infinitely anomalous; a floor of 1% of
 * the level (or a tiny absolute value for series at zero) keeps scores finite and meaningful.
 */
function spreadFloor(level: number): number {
  return Math.max(Math.abs(level) * 0.01, 1e-9);
}

/** Scores `value` against a baseline of past values with the rolling z-score and the robust median/MAD. */
export function scorePoint(value: number, baseline: readonly number[], settings: DetectorSettings): PointScore {
  const mu = mean(baseline as number[]);
  const sigma = Math.max(baseline.length > 1 ? sampleStandardDeviation(baseline as number[]) : 0, spreadFloor(mu));
  const z = (value - mu) / sigma;
  const zscore: DetectorVerdict = {
    detector: 'rolling_zscore',
    statistic: z,
    expected: mu,
    lower: mu - settings.zscoreThreshold * sigma,
    upper: mu + settings.zscoreThreshold * sigma,
    score: scoreFromStatistic(z, settings.zscoreThreshold),
  };

  const med = median(baseline as number[]);
  const robustSigma = Math.max(MAD_TO_SIGMA * medianAbsoluteDeviation(baseline as number[]), spreadFloor(med));
  const robustZ = (value - med) / robustSigma;
  const mad: DetectorVerdict = {
    detector: 'robust_mad',
    statistic: robustZ,
    expected: med,
    lower: med - settings.madThreshold * robustSigma,
    upper: med + settings.madThreshold * robustSigma,
    score: scoreFromStatistic(robustZ, settings.madThreshold),
  };

  const direction: Direction = value >= med ? 'up' : 'down';
  const directionAllowed = settings.direction === 'both' || settings.direction === direction;
  const zFires = Math.abs(z) >= settings.zscoreThreshold;
  const madFires = Math.abs(robustZ) >= settings.madThreshold;
  const fires = settings.combine === 'all' ? zFires && madFires : zFires || madFires;
  const primary = mad.score >= zscore.score ? mad : zscore;
  const score = settings.combine === 'all' ? Math.min(zscore.score, mad.score) : Math.max(zscore.score, mad.score);
  return { anomalous: fires && directionAllowed, direction, primary, zscore, mad, score };
}
