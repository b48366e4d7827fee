import * as poissonSurpriseModule from './poisson-surprise.js';
import * as robustLevel from './robust-level.js';
import type { SliceDetector } from './slice-detector.js';
import * as slicePoint from './slice-detector.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { LEVEL, POINTS, spreadOut, admitPoint, learnRobustLevel, spreadOf } = robustLevel;
const { POINT_VALUE } = slicePoint;
const { poissonSurpriseInto, poissonSurpriseReaches } = poissonSurpriseModule;

// Slice: points learned, the robust level and spread of the band (robust-level.ts); per side
// (above, below) the usual rate of excursions out of the band and the recent one.
const RATE_UP = 3;
const RATE_DOWN = 4;
const RECENT_UP = 5;
const RECENT_DOWN = 6;

/** A point leaves the band beyond this many spreads (mean absolute deviations, ~0.8 sigma each). */
const BAND_SPREADS = 5;
/** The recent rate is of about this many points (an exponential average of that mean age). */
const RECENT_POINTS = 30;
/**
 * The usual rate is never taken below this (1 in 500 points): a series that has almost never left
 * its band would otherwise make its first few excursions a "change of rate" on their own.
 */
const RATE_FLOOR = 0.002;
/** How much slower than the band the usual rate is learned: a burst of excursions stays unusual for a while. */
const RATE_SLOWER = 20;
/** How much more slowly the usual rate learns while the recent one is past the line. */
const BURST_SLOWER = 4;

/**
 * A change in how often a series leaves its band: per side (above, below), the excursions of about
 * the last RECENT_POINTS points (a point more than BAND_SPREADS spreads from the level) against
 * the rate at which this series usually makes them, as a Poisson log-likelihood ratio. Spikes that
 * come more often than they used to (a flapping host, a new pattern of bursts, a value that keeps
 * wandering off) add up to evidence, however small each spike is to the rolling windows that have
 * got used to them. The statistic stays up while the new rate lasts, so the anomaly is reported
 * for the whole regime, and falls within a few dozen points of its end. O(1) per point, seven
 * numbers of state.
 *
 * Its statistic is the larger side's ratio (signed by its side); its band is the level ±
 * BAND_SPREADS spreads. "Left its usual range 6 times in the last 30 points, against 0.4 usually."
 */
export function createExcursionRateDetector(warmupPoints: number, windowPoints: number): SliceDetector {
  const alpha = 1 / windowPoints;
  const rateAlpha = alpha / RATE_SLOWER;
  const settledAt = Math.floor(warmupPoints / 2);
  const threshold = 6;
  return {
    name: 'excursion_rate',
    doubles: 7,
    seasonBlind: true,
    threshold,
    start(b, at) {
      b[at + RATE_UP] = RATE_FLOOR;
      b[at + RATE_DOWN] = RATE_FLOOR;
    },
    read(b, at, outAt) {
      if ((b[at + POINTS] as number) < warmupPoints) return false;
      const value = b[POINT_VALUE] as number;
      const level = b[at + LEVEL] as number;
      spreadOf(b, at);
      const spread = spreadOut[0] as number;
      // The recent rates including this point (learn keeps them; read only judges).
      const above = +(value > level + BAND_SPREADS * spread);
      const below = +(value < level - BAND_SPREADS * spread);
      // Each side's surprise through the reading's own numbers (see poissonSurpriseInto).
      poissonSurpriseInto(b, at + RECENT_UP, above, at + RATE_UP, RECENT_POINTS, outAt);
      poissonSurpriseInto(b, at + RECENT_DOWN, below, at + RATE_DOWN, RECENT_POINTS, outAt + 1);
      const up = b[outAt] as number;
      const down = b[outAt + 1] as number;
      b[outAt] = up >= down ? up : -down;
      b[outAt + 1] = level;
      b[outAt + 2] = BAND_SPREADS * spread;
      return true;
    },
    learn(b, at) {
      const value = b[POINT_VALUE] as number;
      const points = admitPoint(b, at);
      if (points === 0) return;
      const level = b[at + LEVEL] as number;
      spreadOf(b, at);
      const spread = spreadOut[0] as number;
      // Excursions are counted once the band has settled, half-way through the warm-up: before, a
      // band still finding the series' level would make every point one. The usual rate is a plain
      // mean of what there is until its own memory is reached.
      const counted = points - settledAt;
      if (counted > 0) {
        const above = +(value > level + BAND_SPREADS * spread);
        const below = +(value < level - BAND_SPREADS * spread);
        const rate = rateAlpha > 1 / counted ? rateAlpha : 1 / counted;
        const up = b[at + RATE_UP] as number;
        const down = b[at + RATE_DOWN] as number;
        // A side whose recent rate is past the line learns its usual rate BURST_SLOWER times more
        // slowly: a burst is not taken for the new usual while it goes on (a new regime that lasts
        // still becomes the usual in the end, so the alarm does not last for ever).
        const upRate = poissonSurpriseReaches(b, at + RECENT_UP, above, at + RATE_UP, RECENT_POINTS, threshold)
          ? rate / BURST_SLOWER
          : rate;
        const downRate = poissonSurpriseReaches(b, at + RECENT_DOWN, below, at + RATE_DOWN, RECENT_POINTS, threshold)
          ? rate / BURST_SLOWER
          : rate;
        b[at + RATE_UP] = Math.max(RATE_FLOOR, up + upRate * (above - up));
        b[at + RATE_DOWN] = Math.max(RATE_FLOOR, down + downRate * (below - down));
        b[at + RECENT_UP] = (b[at + RECENT_UP] as number) + RECENT_ALPHA * (above - (b[at + RECENT_UP] as number));
        b[at + RECENT_DOWN] =
          (b[at + RECENT_DOWN] as number) + RECENT_ALPHA * (below - (b[at + RECENT_DOWN] as number));
      }
      // The band learns clipped residuals, so spikes barely move it.
      learnRobustLevel(b, at, windowPoints, points);
    },
  };
}

const RECENT_ALPHA = 1 / RECENT_POINTS;
