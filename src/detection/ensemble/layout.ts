import type { DetectorName } from '../../contracts/index.js';
import type { SeasonalTime } from './seasonal-baseline.js';
import type { SliceDetector } from './slice-detector.js';

// Where a series' numbers live in its one Float64Array, shared by the ensemble and the modules of
// its detectors (each works on its own part of the array, read through these offsets and the plan).
//   - scalars first, then per member its reading, verdict and calibrator's scalars, then the slice
//     detectors' slices (the smallest first), then from a cache line on the calibration histograms
//     interleaved by bin (a point usually touches the low bins of every detector), the shared ring,
//     the sorted window (ring slots, see SlotArray), the burn rate's sums and ring; the histograms,
//     the shared ring and the burn rate's ring are single precision (see SingleArray); the seasonal
//     buckets live apart (see StateChunk).
// The streaming tick touches one point of thousands of series in turn, so the cost is the memory a
// point touches (cache misses), far more than arithmetic.
// The modules of the hot path take what they use of each other (these offsets, `handed`, the
// detectors' functions) as constants of their own (`import * as layout`, then
// `const { HEAD, … } = layout`), not as imported bindings: V8 (Node 20) reads an imported binding
// from its module cell at every use, checking that it is initialised, where it folds a module's
// own constant into the code (and calls a known function directly). The offsets alone were 7-31%
// of bench:detect's batch order.

// Scalars, at the start of every series' array.
export const SCALE = 0;
/**
 * The last point's value, on the detectors' scale and in single precision (see SingleArray).
 * update stores the point being scored here first, and every detector reads it from here: no
 * double crosses a call on the hot path (V8 boxes one on the heap at every call it does not inline).
 */
export const PREVIOUS = 1;
/** Next write index of the shared ring. */
export const HEAD = 2;
export const Z_LEN = 3;
/** Pushes into the z-score mod window: where its own ring would have put the next value. */
export const Z_PHASE = 4;
export const Z_SUM = 5;
export const Z_SQ = 6;
export const Z_SINCE = 7;
export const M_N = 8;
export const L_N = 9;
export const L_REF = 10;
export const L_REFSQ = 11;
export const L_REC = 12;
export const L_SINCE = 13;
export const L_FROZEN = 14;
export const L_FMEAN = 15;
export const L_FSIGMA = 16;
export const L_FPOINTS = 17;
export const S_LEVEL = 18;
export const S_LEVELCOUNT = 19;
/**
 * Where the MAD's search ended on the last point (it moves little from one point to the next), or
 * -1 once a value that is not finite has entered the sorted window: with a NaN (or one made of
 * infinities) comparisons are not monotone, so from then on only the exact binary searches give
 * its answers, and the sorted window takes its points by the exact path (see replaceSlot).
 */
export const M_HINT = 20;
export const B_START = 21;
export const B_N = 22;
export const CHOSEN = 23;
/** Where the sorted window starts in its region, in slots (it drifts: see slidePush). */
export const M_LO = 24;
// The last point's reading, which SeriesReading reads from here (see there).
export const R_SCORE = 25;
export const SCALARS = 26;
/**
 * Per member (z-score, MAD, level shift, [seasonal], [burn rate]), from SCALARS on: its last
 * reading (statistic, expected value and the sigma its band is drawn from; the burn rate keeps its
 * band's upper end there), its verdict on the last point, and its calibrator's weight, count and
 * (decaying) largest |statistic|. Whether it fired is also whether it is "active" on the next point.
 */
export const PER_MEMBER = 8;
export const M_STAT = 0;
export const M_EXP = 1;
export const M_SIGMA = 2;
export const M_SCORE = 3;
export const M_FIRED = 4;
export const C_WEIGHT = 5;
export const C_COUNT = 6;
export const C_MAX = 7;

/** The built-in members that are always there, in member order. */
export const ZSCORE = 0;
export const MAD = 1;
export const LEVEL = 2;

/** Everything the series of one set of options share: sizes, rates, thresholds and offsets. */
export interface Plan {
  W: number;
  minPoints: number;
  R: number;
  /** Ring capacity: the level-shift test's reference + recent points (the longest window). */
  C: number;
  thresholds: Float64Array;
  names: DetectorName[];
  members: number;
  /** Calibrated members (all but the burn rate), members 0..calibrated-1. */
  calibrated: number;
  seasonalIndex: number;
  sloIndex: number;
  scaleAlpha: number;
  wantsUp: boolean;
  wantsDown: boolean;
  minAbsDeviation: number;
  calibrationMinPoints: number;
  /**
   * History (points) from which a series with less than minScore asks for may page on the rarest
   * it has shown (see the ensemble): a day at least, so that its first morning is not new to it.
   */
  youngFrom: number;
  /** Bit i set: member i judges without the time of day, so the seasonal veto applies to it. */
  seasonBlind: number;
  minScore: number;
  /** Values are judged on the square-root scale (value-scale.ts): update transforms each point first. */
  sqrtScale: boolean;
  /**
   * The least sigma, on the square-root scale, of the rolling, level-shift and seasonal tests while the series'
   * values are all whole counts (0: none). A count's Poisson noise has sigma 1 on that scale: a
   * series of small counts (mostly 0, 1, 2) has a near-zero MAD, and its everyday bursts of 5 or 10
   * would otherwise score like faults.
   */
  countFloor: number;
  growth: number;
  maxDecay: number;
  sqrtR: number;
  /** Scratch for the level-shift test's recent median (shared: one point is scored at a time). */
  scratch: Float64Array;
  // Seasonal.
  pointsPerHour: number;
  pointsPerSlot: number;
  dayAlpha: number;
  weekAlpha: number;
  dayReady: number;
  weekReady: number;
  levelAlpha: number;
  /** From which count 1 / count ≤ the rate, i.e. Math.max(rate, 1 / count) is the rate (no division). */
  dayAlphaFrom: number;
  weekAlphaFrom: number;
  levelAlphaFrom: number;
  /** The seasonal buckets of the last timestamp seen (shared by the series of these options). */
  time: SeasonalTime;
  // Burn rate.
  budget: number;
  sloLengths: number[];
  sloFactors: number[];
  sloCapacity: number;
  sloReadyAt: number;
  // Offsets.
  memberAt: number;
  /**
   * The calibration histograms' region, in doubles from the series' start (on a cache line): bin k
   * of member c is the single-precision number c + k × calibrated of it (see SingleArray).
   */
  calAt: number;
  /**
   * The shared ring's region, in doubles from the series' start: ring slot i (0 .. C - 1) is its
   * single-precision number i (see SingleArray, ringIndex).
   */
  ringAt: number;
  /**
   * The sorted window's region (in doubles from the series' start; the region's doubles hold
   * SlotArray elements): W ring slots with `slack` free places on either side at first.
   */
  sortedAt: number;
  /** Free places (slots) on either side of the sorted window at first. */
  slack: number;
  /** Where the series of these options keep their state (see StatePool). */
  pool: StatePool;
  /** Doubles between two series' arrays in a chunk: `size`, rounded up to whole cache lines. */
  stride: number;
  sloSumsAt: number;
  /** The burn rate's ring, in doubles from the series' start: point i is its single-precision number i (see SingleArray). */
  sloRingAt: number;
  /** The slice detectors (members from `firstSlice` on), and where each one's slice starts. */
  slices: SliceDetector[];
  sliceAt: number[];
  /**
   * Where the series keeps 1 once it has shown a value with a fractional part: until then its values
   * are whole counts, whose own (Poisson) noise is the least spread a deviation is measured in
   * (countFloor). After the slices, so that no other offset moves.
   */
  fractionalAt: number;
  firstSlice: number;
  /** Scalars, members and every slice's first numbers (up to a line of each) are the doubles before this. */
  hotEnd: number;
  size: number;
}

/**
 * The seasonal profiles' means and deviations: single precision, two to a bucket. With the counts
 * they are two fifths of a series' state (192 buckets), and hold the shape as offsets from the
 * series' level (kept in double precision), to 7 significant digits, far finer than any metric's
 * noise. At 10 000 series this is 15 MB less than doubles, at 100 000 series 150 MB.
 */
export type ProfileArray = Float32Array;
export const ProfileArray = Float32Array;

/**
 * The seasonal profiles' point counts, one to a bucket: 16 bits, half the bytes of a single (384 B
 * less per series, 3.8 MB at 10 000 series, 38 MB at 100 000). A count is compared only with a
 * bucket's readiness (the points it needs before it is trusted) and with where its learning rate
 * stops shrinking (1 / count ≤ the rate). The largest of those is 10 800, at a 1 s step, the finest
 * the configuration takes (dayAlphaFrom: three days of one hour's points; weekReady is 7 200), so a
 * count saturates at MAX_PROFILE_COUNT, which keeps every comparison's outcome, rather than wrapping
 * to 0.
 */
export type CountArray = Uint16Array;
export const CountArray = Uint16Array;
export const MAX_PROFILE_COUNT = 65_535;

/**
 * The sorted window's elements: ring slots (0 .. C - 1, where C = W + R is at most 1 920 for the
 * configuration's largest window, see newPlan) in the order of their values. Half the bytes of the
 * values themselves in the single-precision ring (a quarter of doubles: 1.07 KB → 272 B per series
 * at the default 120-point window): the values are read through the ring. One element type for
 * every window size, so that the code of the hot path sees one kind of array.
 */
export type SlotArray = Uint16Array;
export const SlotArray = Uint16Array;

/**
 * The numbers of the series' array kept in single precision, two to a double:
 *   - the shared ring of the last W + R values (recent-window.ts), from ringAt: the values the
 *     rolling tests and the sorted window read, a third of the lines a streamed point touches as
 *     doubles (125 values, 1 KB per series at the defaults). Every detector judges the point as it
 *     is kept here (update rounds it first, see PREVIOUS), so what leaves a window's running sums is
 *     exactly what came in; 7 significant digits are far finer than the least deviation a test
 *     counts (1% of the level, see spreadFloor);
 *   - the calibration histograms (tail-calibrator.ts), from calAt. A fifth of a series' array as
 *     doubles (8 members × 24 bins, 1.5 KB per series); as singles the low bins of every member a
 *     point touches are 4 cache lines, not 8. A bin is a sum of weights that grow by
 *     2^(1 / half-life) a point, and a tail is a ratio of two of them: to 7 significant digits,
 *     where a point adds a 14 500th of the total at the default half-life, so each addition is kept
 *     to within a thousandth of itself;
 *   - the burn rate's ring of error ratios (slo-burn-rate.ts), from sloRingAt: 360 points at the
 *     default windows, 2.9 KB per series as doubles. A ratio to 7 significant digits is far finer
 *     than any objective's budget, and the windows' sums take each point as rounded, so what leaves
 *     them is exactly what came in.
 */
export type SingleArray = Float32Array;
export const SingleArray = Float32Array;

export interface StateChunk {
  arrays: ArrayBuffer;
  /** All of `arrays`: the series' arrays are views of it (see touchLines). */
  whole: Float64Array;
  /** All of `arrays` again, as slots: the sorted windows' elements (see SlotArray). */
  slots: SlotArray;
  /** All of `arrays` again, as single-precision numbers: the histograms and burn rings (see SingleArray). */
  singles: SingleArray;
  /** Seasonal profiles' means and deviations (empty without seasonal). */
  profiles: ProfileArray;
  /** Seasonal profiles' counts, bucket k of place j at k × places + j (empty without seasonal). */
  counts: CountArray;
  places: number;
  used: number;
}

export interface StatePool {
  chunks: StateChunk[];
  /** Places whose detector has been released or collected, for the next series. */
  free: StatePlace[];
  /** Places taken and not given back. */
  live: number;
}

/**
 * A series' place, also what the finalization registry holds for it (the pool it goes back to is
 * here, rather than in an object of its own per series), and what a freed place is taken again as.
 */
export interface StatePlace {
  pool: StatePool;
  chunk: StateChunk;
  place: number;
}

/**
 * Numbers handed from one function of the hot path to another through a typed array rather than as
 * a return value or a module variable: V8 boxes a double on the heap whenever it crosses a call it
 * has not inlined, or is stored in a module variable (an allocation per point each time).
 */
export const handed = new Float64Array(9);
export const EXPECTED_MEAN = 0;
export const EXPECTED_DEV = 1;
/** The seasonal detector's weak statistic on the point being scored (NaN when none). */
export const SEASONAL_WEAK = 2;
handed[SEASONAL_WEAK] = Number.NaN;
export const RECENT_MEDIAN = 3;
export const MAD_VALUE = 4;
export const LEARN_VALUE = 5;
export const LEARN_SCALE = 6;
/** The value leaving the level-shift test's ring, read before the point overwrites its slot. */
export const LEVEL_LEAVING = 7;
/** The sorted window's median, left there by madOf with the MAD. */
export const MEDIAN_VALUE = 8;

// spreadFloor is written out where a sigma is floored, as Math.max(sigma, |level| × 1%, the series'
// scale, 1e-9) (Math.max of Math.max is one Math.max): as a function, V8 did not always inline it,
// and each call boxed its numbers on the heap.

/**
 * The ring slot (0 .. C - 1) of the value `age` points back (0: the newest): the value is the
 * series' single-precision number ring + slot (see SingleArray). An index, not the value, so that a
 * call V8 does not inline boxes nothing.
 */
export function ringIndex(b: Float64Array, p: Plan, age: number): number {
  const i = ((b[HEAD] as number) | 0) - 1 - age;
  return i < 0 ? i + p.C : i;
}
