import * as robustLevel from './robust-level.js';
import type { SliceDetector } from './slice-detector.js';
import * as slicePoint from './slice-detector.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const { LEVEL, POINTS, spreadOut, admitPoint, learnRobustLevel, spreadOf } = robustLevel;
const { POINT_VALUE } = slicePoint;

// Slice: points learned, the slow level and spread (robust-level.ts); the upward and downward
// cumulative sums.
const UP = 3;
const DOWN = 4;

/** Mean absolute deviation to standard deviation, for normal noise. */
const MAD_TO_SIGMA = 1.25;
/** Deviation (sigmas) a point may add: one spike is a spike, not a drift. */
const CLIP_SIGMAS = 4;
/** CUSUM's allowance (sigmas): deviations smaller than this drain the sums. */
const ALLOWANCE = 0.5;
/** How much slower than the rolling windows the level moves: a drift is measured against where the series was. */
const LEVEL_SLOWER = 4;

/**
 * A drift or a small step that lasts (Page's CUSUM): per side, the sum of how far each point lies
 * beyond half a sigma from the series' slowly moving robust level, never below zero. A change of a
 * sigma or two, too small for any point to stand out, adds up over a few dozen points; a spike adds
 * at most CLIP_SIGMAS; noise drains the sums. It keeps reporting while the new level lasts, until
 * the level has caught up. O(1) per point, five numbers of state.
 *
 * Its statistic is the larger side's sum (signed by its side), its band the level ± 2 sigmas.
 * "Has stayed above its usual level for 40 points, 14 sigmas in all."
 */
export function createDriftDetector(warmupPoints: number, windowPoints: number): SliceDetector {
  const memory = windowPoints * LEVEL_SLOWER;
  const threshold = 8;
  return {
    name: 'drift',
    doubles: 5,
    seasonBlind: true,
    threshold,
    start() {},
    read(b, at, outAt) {
      if ((b[at + POINTS] as number) < warmupPoints) return false;
      deviationOf(b, at);
      const z = deviation[Z] as number;
      const up = Math.max(0, (b[at + UP] as number) + z - ALLOWANCE);
      const down = Math.max(0, (b[at + DOWN] as number) - z - ALLOWANCE);
      b[outAt] = up >= down ? up : -down;
      b[outAt + 1] = b[at + LEVEL] as number;
      b[outAt + 2] = (2 * (deviation[SIGMA] as number)) / threshold;
      return true;
    },
    learn(b, at) {
      const points = admitPoint(b, at);
      if (points === 0) return;
      // The sums start once the level has settled (the warm-up): before, it is still finding the series.
      if (points >= warmupPoints) {
        deviationOf(b, at);
        const z = deviation[Z] as number;
        b[at + UP] = Math.max(0, (b[at + UP] as number) + z - ALLOWANCE);
        b[at + DOWN] = Math.max(0, (b[at + DOWN] as number) - z - ALLOWANCE);
      }
      learnRobustLevel(b, at, memory, points);
    },
  };
}

/**
 * Where deviationOf leaves its answers: the clipped deviation and the sigma. No double crosses a
 * call (see robust-level.ts): V8 boxes one at every call it does not inline.
 */
const deviation = new Float64Array(2);
const Z = 0;
const SIGMA = 1;

/** The point's deviation from the level in sigmas, clipped at CLIP_SIGMAS, and the sigma. */
function deviationOf(b: Float64Array, at: number): void {
  spreadOf(b, at);
  const sigma = MAD_TO_SIGMA * (spreadOut[0] as number);
  const z = ((b[POINT_VALUE] as number) - (b[at + LEVEL] as number)) / sigma;
  deviation[Z] = z > CLIP_SIGMAS ? CLIP_SIGMAS : z < -CLIP_SIGMAS ? -CLIP_SIGMAS : z;
  deviation[SIGMA] = sigma;
}
