import { createHash } from 'node:crypto';
import { max, min } from 'simple-statistics';
import { appendAll } from '../collections/append-all.js';
import type { DetectorName, Direction } from '../contracts/index.js';
import type { LevelShiftState } from './detectors/level-shift.js';
import type { RobustMadState } from './detectors/robust-mad.js';
import type { RollingZscoreState } from './detectors/rolling-zscore.js';
import {
  DAY_SLOTS,
  LEVEL_DAYS,
  type SeasonalBaselineState,
  type SeasonalPosition,
  type SeasonalProfileState,
  seasonalPosition,
  WEEK_HOURS,
  WINSOR,
} from './detectors/seasonal-baseline.js';
import type { SliceDetector } from './detectors/slice-detector.js';
import { sliceDetectorsFor } from './detectors/slice-detectors.js';
import type { BurnRateWindow, SloBurnRateState } from './detectors/slo-burn-rate.js';
import { binaryExponent, binOfAbs, CALIBRATION_BINS, type TailCalibratorState } from './detectors/tail-calibrator.js';

export interface SeriesDetectorOptions {
  stepMs: number;
  windowPoints: number;
  minPoints: number;
  direction: 'up' | 'down' | 'both';
  /** A point closer than this to the expected value is never anomalous (units of the signal). */
  minAbsDeviation: number;
  zscoreThreshold: number;
  madThreshold: number;
  levelShiftThreshold: number;
  seasonalThreshold: number;
  /** Points in the recent window of the level-shift test. */
  levelShiftRecent: number;
  seasonal: boolean;
  slo?: { objective: number; windows: readonly BurnRateWindow[] };
  /** Points after which old behaviour weighs half in the calibration. */
  calibrationHalfLife: number;
  /** History needed before the calibrated score gates alerts. */
  calibrationMinPoints: number;
  /** Calibrated score (rarity in this series' history) a point must reach to be anomalous. */
  minScore: number;
  /** How far past its record range, in typical point-to-point changes, a value must go (record detector). */
  recordMargin: number;
}

export interface DetectorVerdict {
  name: DetectorName;
  statistic: number;
  threshold: number;
  /** Calibrated 0..1: how rare a deviation this large is in this series (0 when not ready). */
  score: number;
  fired: boolean;
}

export interface EnsembleReading {
  /** At least one detector is warmed up. */
  ready: boolean;
  anomalous: boolean;
  /** The ensemble's calibrated score 0..1. */
  score: number;
  /**
   * The score as news: full at the onset of an episode (stronger than anything in the last
   * `windowPoints`), reduced while the same episode goes on. What pages a person, and what NAB reads.
   */
  onsetScore: number;
  /** The detector that explains the point best: the strongest of those that fired, else the strongest. */
  primary: DetectorVerdict;
  expected: number;
  lower: number;
  upper: number;
  direction: Direction;
  verdicts: DetectorVerdict[];
}

export interface SeriesDetectorState {
  version: 1;
  zscore: RollingZscoreState;
  mad: RobustMadState;
  levelShift: LevelShiftState;
  seasonal: SeasonalBaselineState | null;
  slo: SloBurnRateState | null;
  calibration: Record<string, TailCalibratorState>;
  /** Each slice detector's numbers, by name (see SliceDetector). */
  slices: Record<string, number[]>;
  scale: number;
  previous: number;
  peak: number;
}

export interface SeriesDetector {
  update(value: number, timestampMs: number): EnsembleReading;
  /**
   * The state as the detectors of ./detectors/ would write it: a view for comparing this detector
   * with them (tests) and for reading it (benchmarks). What is persisted is saveState's copy.
   */
  state(): SeriesDetectorState;
  /**
   * Copies every number of this series (see seriesStateLayout), as it is, to `into` from `at`:
   * createSeriesDetector(options, those doubles) continues exactly where this one is.
   */
  saveState(into: Float64Array, at: number): void;
  /** Swaps in a seasonal baseline rebuilt from history (batch recalibration), keeping everything else. */
  replaceSeasonal(seasonal: SeasonalBaselineState): void;
  /**
   * Gives this series' place back now rather than when the detector is collected (which may come
   * long after): for detectors made by the thousand for a while, like recalibration's. The detector
   * and its readings must not be used afterwards (the place is another series' next).
   */
  release(): void;
}

function recentPoints(options: SeriesDetectorOptions): number {
  return Math.max(2, Math.min(options.levelShiftRecent, Math.floor(options.windowPoints / 3)));
}

// ---------------------------------------------------------------------------------------------
// The ensemble below is the detectors of ./detectors/ (rolling z-score, robust MAD, level shift,
// seasonal baseline, SLO burn rate, tail calibrator) fused into one loop over one Float64Array per
// series. Those modules are the specification, kept for the slow paths (recalibration) and as the
// reference the tests compare this with bit for bit: every expression here is theirs, in the same
// order of operations. What differs is only where the numbers live:
//   - one ring of the last window + recent points, shared by the z-score, MAD and level-shift test
//     (each kept its own copy of the same values);
//   - everything a point touches in a few adjacent cache lines: scalars first, then the calibration
//     histograms interleaved by bin (a point usually touches the low bins of every detector), the
//     ring, the sorted window, the seasonal buckets as (mean, dev, count) triples;
//   - readings and verdicts as numbers in that array, turned into objects only when asked for.
// The streaming tick touches one point of thousands of series in turn, so the cost is the memory a
// point touches (cache misses), far more than arithmetic.
// ---------------------------------------------------------------------------------------------

const MAD_TO_SIGMA = 1.4826;
const HOUR_MS = 3_600_000;
const DAY_SLOT_MS = 60 * 60_000;
const SEASONAL_MEMORY_DAYS = 3;
const RESCALE_AT = 1e200;
const TAIL_EXPONENT = 2;

// Scalars, at the start of every series' array.
const SCALE = 0;
const PREVIOUS = 1;
const PEAK = 2;
/** Next write index of the shared ring. */
const HEAD = 3;
const Z_LEN = 4;
/** Pushes into the z-score mod window: where its own ring would have put the next value. */
const Z_PHASE = 5;
const Z_SUM = 6;
const Z_SQ = 7;
const Z_SINCE = 8;
const M_N = 9;
const L_N = 10;
const L_REF = 11;
const L_REFSQ = 12;
const L_REC = 13;
const L_SINCE = 14;
const L_FROZEN = 15;
const L_FMEAN = 16;
const L_FSIGMA = 17;
const L_FPOINTS = 18;
const S_LEVEL = 19;
const S_LEVELCOUNT = 20;
/**
 * Where the MAD's search ended on the last point (it moves little from one point to the next), or
 * -1 once a value that is not finite has entered the sorted window: with a NaN (or one made of
 * infinities) comparisons are not monotone, so from then on only the detector's own searches give
 * its answers.
 */
const M_HINT = 21;
const B_START = 22;
const B_N = 23;
const CHOSEN = 24;
/** Where the sorted window starts in its region (it drifts: see slidePush). */
const M_LO = 25;
// The last point's reading, which FusedReading reads from here (see there).
const R_SCORE = 26;
/** The onset score's "news" (see update), or 0 when R_Q holds it instead. */
const R_NEWS = 27;
/** When > 0: the news is half the surprise of this 1 - score, left to be computed when asked for. */
const R_Q = 28;
const SCALARS = 29;
/**
 * Per member (z-score, MAD, level shift, [seasonal], [burn rate]), from SCALARS on: its last
 * reading (statistic, expected value and the sigma its band is drawn from; the burn rate keeps its
 * band's upper end there), its verdict on the last point, and its calibrator's weight, count and
 * (decaying) largest |statistic|. Whether it fired is also whether it is "active" on the next point.
 */
const PER_MEMBER = 8;
const M_STAT = 0;
const M_EXP = 1;
const M_SIGMA = 2;
const M_SCORE = 3;
const M_FIRED = 4;
const C_WEIGHT = 5;
const C_COUNT = 6;
const C_MAX = 7;

const ZSCORE = 0;
const MAD = 1;
const LEVEL = 2;

interface Plan {
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
  peakDecay: number;
  wantsUp: boolean;
  wantsDown: boolean;
  minAbsDeviation: number;
  calibrationMinPoints: number;
  minScore: number;
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
  calAt: number;
  ringAt: number;
  /** The sorted window's region: W values with `slack` free places on either side at first. */
  sortedAt: number;
  slack: number;
  /** Where the series of these options keep their state (see StatePool). */
  pool: StatePool;
  /** Doubles between two series' arrays in a chunk: `size`, rounded up to whole cache lines. */
  stride: number;
  sloSumsAt: number;
  sloRingAt: number;
  /** The slice detectors (members from `firstSlice` on), and where each one's slice starts. */
  slices: SliceDetector[];
  sliceAt: number[];
  firstSlice: number;
  size: number;
}

// The series of one plan keep their state in chunks of places, one place per series, in the order
// the series were made (the order the tick visits them in), so that going from one series to the
// next goes forward through memory, which the hardware's prefetchers follow:
//   - the array of place j is `stride` doubles at j × stride of the chunk's buffer, starting on a
//     cache line;
//   - the seasonal profiles are apart, bucket by bucket: bucket k of place j of a chunk of n places
//     is the triple (mean, dev, count) at 3 (k n + j), day buckets first (k < DAY_SLOTS), then week
//     hours. At a given time every series reads and learns the same buckets, so visiting the series
//     in turn walks those buckets' rows in order (neighbours share cache lines) instead of reaching
//     into another 4.6 KB per series.

const PROFILE_BUCKETS = DAY_SLOTS + WEEK_HOURS;
const FIRST_CHUNK = 16;
/**
 * What the last chunk of a plan may leave unused is up to LARGEST_CHUNK - 1 places (~8 KB each):
 * at 1 024, 2 500 series per signal took 3 056 places (a fifth of the state unused). Locality does
 * not need more: a chunk of 128 is ~0.5 MB of arrays and rows of 3 KB of profiles, far more than a
 * prefetcher follows (it stops at 4 KB pages); bench:detect streams as fast as with 1 024.
 */
const LARGEST_CHUNK = 128;
const LINE_DOUBLES = 8;

interface StateChunk {
  arrays: ArrayBuffer;
  /** All of `arrays`: the series' arrays are views of it (see touchLines). */
  whole: Float64Array;
  /** Seasonal profiles (empty without seasonal). */
  profiles: Float64Array;
  places: number;
  used: number;
}

interface StatePool {
  chunks: StateChunk[];
  /** Places whose detector has been released or collected, for the next series. */
  free: StatePlace[];
  /** Places taken and not given back. */
  live: number;
}

interface StatePlace {
  chunk: StateChunk;
  place: number;
  /** A place used before, to be cleared. */
  reused: boolean;
}

/** A place for a new series: a freed one (cleared), else the next of the last chunk, else a new chunk. */
function takePlace(p: Plan): StatePlace {
  const pool = p.pool;
  const freed = pool.free.pop();
  if (freed) {
    const { profiles, places } = freed.chunk;
    if (profiles.length > 0)
      for (let k = 0; k < PROFILE_BUCKETS; k += 1)
        profiles.fill(0, 3 * (k * places + freed.place), 3 * (k * places + freed.place) + 3);
    pool.live += 1;
    return { chunk: freed.chunk, place: freed.place, reused: true };
  }
  let chunk = pool.chunks[pool.chunks.length - 1];
  if (!chunk || chunk.used === chunk.places) {
    // Chunks double up to a limit: a plan with few series stays small, one with many wastes little.
    const places = chunk ? Math.min(LARGEST_CHUNK, chunk.places * 2) : FIRST_CHUNK;
    const arrays = new ArrayBuffer(8 * p.stride * places);
    chunk = {
      arrays,
      whole: new Float64Array(arrays),
      profiles: new Float64Array(p.seasonalIndex >= 0 ? 3 * PROFILE_BUCKETS * places : 0),
      places,
      used: 0,
    };
    pool.chunks.push(chunk);
  }
  chunk.used += 1;
  pool.live += 1;
  return { chunk, place: chunk.used - 1, reused: false };
}

/**
 * A place is free again. A pool left with no series drops its chunks: a plan's pool otherwise keeps
 * the most places it ever held for the life of the process (recalibration's plans, a plan per
 * signal at the coarse step, would keep a slice's worth of state each between runs).
 */
function givePlaceBack(pool: StatePool, at: StatePlace): void {
  pool.live -= 1;
  if (pool.live > 0) pool.free.push(at);
  else {
    pool.chunks = [];
    pool.free = [];
  }
}

/** Places of collected detectors waiting for new series, for the plan of these options (for tests). */
export function placesFree(options: SeriesDetectorOptions): number {
  return planOf(options).pool.free.length;
}

const placesToFree = new FinalizationRegistry<{ pool: StatePool; at: StatePlace }>(({ pool, at }) =>
  givePlaceBack(pool, at),
);

/** Where the burn rate's ring takes the next point: burnPush's place for it. */
function sloWriteAt(b: Float64Array, p: Plan): number {
  if (p.sloIndex < 0) return 0;
  const start = (b[B_START] as number) | 0;
  const n = (b[B_N] as number) | 0;
  if (n === p.sloCapacity) return start;
  return start + n >= p.sloCapacity ? start + n - p.sloCapacity : start + n;
}

/** Where touchLines leaves the sum of what it read: a use that keeps the loads. */
const touchedSum = new Float64Array(1);

const plans = new WeakMap<SeriesDetectorOptions, Plan>();
/**
 * Plans by value: the engine builds options per series, and series with equal options must share
 * one plan (the seasonal time computed once per timestamp, one pool of seasonal profiles).
 */
const plansByValue = new Map<string, Plan>();

function planOf(options: SeriesDetectorOptions): Plan {
  const cached = plans.get(options);
  if (cached) return cached;
  const key = optionsKey(options);
  const shared = plansByValue.get(key);
  if (shared) {
    plans.set(options, shared);
    return shared;
  }
  const plan = newPlan(options);
  plans.set(options, plan);
  plansByValue.set(key, plan);
  return plan;
}

/**
 * Bump when the meaning of a slot changes without the layout's offsets changing (a scalar reused
 * for something else, another order in a region): saved state of the old meaning is then rejected.
 */
const STATE_FORMAT = 2;

/** The saved state of a series: its place's `size` doubles, then its seasonal rows, bucket by bucket. */
function stateDoubles(p: Plan): number {
  return p.size + (p.seasonalIndex >= 0 ? 3 * PROFILE_BUCKETS : 0);
}

export interface SeriesStateLayout {
  /** Doubles saveState writes. */
  doubles: number;
  /**
   * 32 bits of a hash of the options and of every offset of the layout (and of this machine's byte
   * order): state saved under other options, by another layout or on another kind of machine has
   * another fingerprint and must not be loaded (its numbers would be read as other numbers).
   */
  fingerprint: number;
}

const layouts = new WeakMap<Plan, SeriesStateLayout>();

/** What a series' saved state is made of, for the series of these options. */
export function seriesStateLayout(options: SeriesDetectorOptions): SeriesStateLayout {
  const p = planOf(options);
  const known = layouts.get(p);
  if (known) return known;
  const littleEndian = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
  const offsets = [SCALARS, PER_MEMBER, CALIBRATION_BINS, PROFILE_BUCKETS, p.memberAt, p.calAt, p.ringAt];
  offsets.push(p.sortedAt, p.slack, p.sloSumsAt, p.sloRingAt, p.size, p.seasonalIndex, p.sloIndex);
  appendAll(offsets, p.sliceAt);
  const text =
    `${STATE_FORMAT}|${littleEndian ? 'le' : 'be'}|${offsets.join(',')}|${p.names.join(',')}|` +
    `${p.slices.map((d) => d.doubles).join(',')}|${optionsKey(options)}`;
  const layout = {
    doubles: stateDoubles(p),
    fingerprint: createHash('sha256').update(text).digest().readUInt32LE(0),
  };
  layouts.set(p, layout);
  return layout;
}

/**
 * Every option as text, so a field added to the options later is part of the key without anyone
 * remembering to list it. Numbers as strings: JSON alone writes Infinity and NaN as null. (Options
 * built in another field order only get a plan of their own: never a wrong one.)
 */
function optionsKey(options: SeriesDetectorOptions): string {
  return JSON.stringify(options, (_key, value: unknown) => (typeof value === 'number' ? String(value) : value));
}

function newPlan(options: SeriesDetectorOptions): Plan {
  const W = options.windowPoints;
  const R = recentPoints(options);
  const names: DetectorName[] = ['rolling_zscore', 'robust_mad', 'level_shift'];
  const thresholds = [options.zscoreThreshold, options.madThreshold, options.levelShiftThreshold];
  if (options.seasonal) {
    names.push('seasonal');
    thresholds.push(options.seasonalThreshold);
  }
  const firstSlice = names.length;
  const slices = sliceDetectorsFor(options);
  for (const d of slices) {
    names.push(d.name);
    thresholds.push(d.threshold);
  }
  const calibrated = names.length;
  const slo = options.slo;
  if (slo) {
    names.push('slo_burn_rate');
    thresholds.push(1);
  }
  const members = names.length;
  const sloLengths = slo
    ? slo.windows
        .flatMap((w) => [w.longSeconds, w.shortSeconds])
        .map((s) => Math.max(1, Math.round((s * 1000) / options.stepMs)))
    : [];
  const sloCapacity = slo ? max(sloLengths) : 0;
  const pointsPerHour = Math.max(1, HOUR_MS / options.stepMs);
  const pointsPerSlot = Math.max(1, DAY_SLOT_MS / options.stepMs);
  const memberAt = SCALARS;
  const calAt = memberAt + members * PER_MEMBER;
  const ringAt = calAt + calibrated * CALIBRATION_BINS;
  const sortedAt = ringAt + W + R;
  const slack = Math.max(1, W >> 2);
  const sloSumsAt = sortedAt + W + 2 * slack;
  const sloRingAt = sloSumsAt + sloLengths.length;
  const sliceAt: number[] = [];
  let end = sloRingAt + sloCapacity;
  for (const d of slices) {
    sliceAt.push(end);
    end += d.doubles;
  }
  const plan: Plan = {
    W,
    minPoints: options.minPoints,
    R,
    C: W + R,
    thresholds: Float64Array.from(thresholds),
    names,
    members,
    calibrated,
    seasonalIndex: options.seasonal ? 3 : -1,
    sloIndex: slo ? members - 1 : -1,
    scaleAlpha: 1 / Math.max(10, options.windowPoints),
    peakDecay: 2 ** (-0.5 / options.windowPoints),
    wantsUp: options.direction !== 'down',
    wantsDown: options.direction !== 'up',
    minAbsDeviation: options.minAbsDeviation,
    calibrationMinPoints: options.calibrationMinPoints,
    minScore: options.minScore,
    growth: 2 ** (1 / options.calibrationHalfLife),
    maxDecay: 2 ** (-1 / options.calibrationHalfLife),
    sqrtR: Math.sqrt(R),
    scratch: new Float64Array(R),
    pointsPerHour,
    pointsPerSlot,
    dayAlpha: 1 / (pointsPerSlot * SEASONAL_MEMORY_DAYS),
    weekAlpha: 1 / (pointsPerHour * 2),
    dayReady: pointsPerSlot * 2,
    weekReady: pointsPerHour * 2,
    levelAlpha: options.stepMs / (LEVEL_DAYS * 86_400_000),
    dayAlphaFrom: reciprocalAtMost(1 / (pointsPerSlot * SEASONAL_MEMORY_DAYS)),
    weekAlphaFrom: reciprocalAtMost(1 / (pointsPerHour * 2)),
    levelAlphaFrom: reciprocalAtMost(options.stepMs / (LEVEL_DAYS * 86_400_000)),
    time: { ts: Number.NaN, dayHere: 0, dayOther: 0, dayW: 0, weekHere: 0, weekOther: 0, weekW: 0 },
    budget: slo ? 1 - slo.objective : 0,
    sloLengths,
    sloFactors: slo ? slo.windows.map((w) => w.factor) : [],
    sloCapacity,
    sloReadyAt: slo ? min(sloLengths.filter((_, i) => i % 2 === 0)) : 0,
    memberAt,
    calAt,
    ringAt,
    sortedAt,
    slack,
    pool: { chunks: [], free: [], live: 0 },
    stride: Math.ceil(end / LINE_DOUBLES) * LINE_DOUBLES,
    sloSumsAt,
    sloRingAt,
    slices,
    sliceAt,
    firstSlice,
    size: end,
  };
  return plan;
}

/**
 * The smallest x > 0 with 1 / x ≤ alpha, as computed (division is correctly rounded, so 1 / x only
 * falls as x grows): from there on Math.max(alpha, 1 / x) is alpha. Infinity for an alpha that is
 * not a positive number (never a shortcut then).
 */
function reciprocalAtMost(alpha: number): number {
  if (!(alpha > 0 && alpha < Number.POSITIVE_INFINITY)) return Number.POSITIVE_INFINITY;
  let lo = 0;
  let hi = 1;
  while (!(1 / hi <= alpha)) hi *= 2;
  for (;;) {
    const mid = lo + (hi - lo) / 2;
    if (mid === lo || mid === hi) return hi;
    if (1 / mid <= alpha) hi = mid;
    else lo = mid;
  }
}

// spreadFloor (see detectors/detector.ts) is written out where a sigma is floored, as
// Math.max(sigma, |level| × 1%, the series' scale, 1e-9) (Math.max of Math.max is one Math.max):
// as a function, V8 did not always inline it, and each call boxed its numbers on the heap.

/**
 * Where the value `age` points back in the shared ring is (0: the newest): an index, not the
 * value, so that a call V8 does not inline boxes nothing.
 */
function ringIndex(b: Float64Array, p: Plan, age: number): number {
  let i = ((b[HEAD] as number) | 0) - 1 - age;
  if (i < 0) i += p.C;
  return p.ringAt + i;
}

/**
 * Numbers handed from one function of the hot path to another through a typed array rather than as
 * a return value or a module variable: V8 boxes a double on the heap whenever it crosses a call it
 * has not inlined, or is stored in a module variable (an allocation per point each time).
 */
const handed = new Float64Array(7);
const EXPECTED_MEAN = 0;
const EXPECTED_DEV = 1;
/** The seasonal detector's weak statistic on the point being scored (NaN when none). */
const SEASONAL_WEAK = 2;
handed[SEASONAL_WEAK] = Number.NaN;
const RECENT_MEDIAN = 3;
const MAD_VALUE = 4;
const LEARN_VALUE = 5;
const LEARN_SCALE = 6;

// The robust MAD's sorted window (see detectors/robust-mad.ts), at `p.sortedAt`.

/**
 * lowerBound's answer for a window without NaN (where `< x` is false then true, never again false),
 * without a branch on the data: a fixed number of halvings, each moving by half or by nothing.
 */
function lowerBoundOrdered(b: Float64Array, base: number, n: number, x: number): number {
  let at = base;
  let len = n;
  while (len > 1) {
    const half = len >>> 1;
    at += half * +((b[at + half - 1] as number) < x);
    len -= half;
  }
  return at - base + +((b[at] as number) < x);
}

/**
 * Recomputes the level-shift test's running sums from its `count` values, oldest first at
 * values[base + first] and on, wrapping round after `wrap` (a ring), the last `recent` of them in the
 * recent part: the periodic re-summation that keeps rounding from drifting, in the same order as
 * detectors/level-shift.ts, so the sums stay bit for bit the same.
 */
function resumLevel(
  b: Float64Array,
  count: number,
  recent: number,
  values: ArrayLike<number>,
  base: number,
  first: number,
  wrap: number,
): void {
  let refSum = 0;
  let refSq = 0;
  let recSum = 0;
  const refCount = Math.max(0, count - recent);
  for (let i = 0; i < count; i += 1) {
    const v = values[base + (first + i < wrap ? first + i : first + i - wrap)] as number;
    if (i < refCount) {
      refSum += v;
      refSq += v * v;
    } else recSum += v;
  }
  b[L_REF] = refSum;
  b[L_REFSQ] = refSq;
  b[L_REC] = recSum;
}

function lowerBound(b: Float64Array, base: number, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((b[base + mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Below this many elements a loop moves them faster than copyWithin (a call into the runtime). */
const SHORT_MOVE = 24;

/**
 * sortedPush of a full window without NaN or infinities, with the same result: the old value leaves
 * from the first place holding a value not below it (found without branches on the data), the new
 * value goes before the first value ≥ it. What moves is what lies between the two places, the
 * insertion sort's loop finding the second on the way; or, when the window drifts (a trend: the
 * smallest leaves as a new largest comes, or the other way round), the few values on the far side
 * of each place, the window's start moving by one within its region. When it reaches the region's
 * end the window is moved back to the middle, once every `slack` points of a steady trend.
 */
function slidePush(b: Float64Array, p: Plan, value: number, oldAt: number): void {
  const old = b[oldAt] as number;
  const W = p.W;
  let base = p.sortedAt + ((b[M_LO] as number) | 0);
  const i = lowerBoundOrdered(b, base, W, old);
  // Which way moves less: between the two places, about |new place - i| values; by drifting, i plus
  // those beyond the new value. With the new value past the one `half` places beyond i, drifting
  // moves at most about W / 2, and between at least as many: drift then (either is exact).
  const half = (W - 1) >> 1;
  if (value > old) {
    if (i + half < W && value > (b[base + i + half] as number)) {
      // Close the old value's place from below, open the new one's from above.
      if (base + W === p.sortedAt + W + 2 * p.slack) base = recentre(b, p, base);
      for (let k = base + i; k > base; k -= 1) b[k] = b[k - 1] as number;
      let k = base + W;
      while (k > base + 1 && (b[k - 1] as number) >= value) {
        b[k] = b[k - 1] as number;
        k -= 1;
      }
      b[k] = value;
      b[M_LO] = base + 1 - p.sortedAt;
      return;
    }
    let k = base + i;
    const last = base + W - 1;
    while (k < last && (b[k + 1] as number) < value) {
      b[k] = b[k + 1] as number;
      k += 1;
    }
    b[k] = value;
    return;
  }
  if (i >= half && value < (b[base + i - half] as number)) {
    // The mirror image: close from above, open from below.
    if (base === p.sortedAt) base = recentre(b, p, base);
    const top = base + W - 1;
    for (let k = base + i; k < top; k += 1) b[k] = b[k + 1] as number;
    let k = base - 1;
    while (k < top - 1 && (b[k + 1] as number) < value) {
      b[k] = b[k + 1] as number;
      k += 1;
    }
    b[k] = value;
    b[M_LO] = base - 1 - p.sortedAt;
    return;
  }
  let k = base + i;
  while (k > base && (b[k - 1] as number) >= value) {
    b[k] = b[k - 1] as number;
    k -= 1;
  }
  b[k] = value;
}

/** Moves the sorted window back to the middle of its region; returns where it starts now. */
function recentre(b: Float64Array, p: Plan, base: number): number {
  const middle = p.sortedAt + p.slack;
  const W = p.W;
  // A loop rather than copyWithin (a call into the runtime, dearer than the copy); the order of the
  // copy is the one that reads every value before the overlap overwrites it.
  if (middle < base) for (let i = 0; i < W; i += 1) b[middle + i] = b[base + i] as number;
  else for (let i = W - 1; i >= 0; i -= 1) b[middle + i] = b[base + i] as number;
  b[M_LO] = p.slack;
  return middle;
}

/**
 * Replaces `old` (the value leaving the window) by `value` once the window is full: both places by
 * binary search, then one move of what lies between (see detectors/robust-mad.ts).
 */
function sortedPush(b: Float64Array, base: number, n: number, W: number, value: number, old: number): void {
  if (n === W) {
    const from = lowerBound(b, base, n, old);
    let i = from;
    if (value > old) {
      const to = lowerBound(b, base, n, value) - 1;
      if (to > from) {
        if (to - from < SHORT_MOVE) for (let k = base + from; k < base + to; k += 1) b[k] = b[k + 1] as number;
        else b.copyWithin(base + from, base + from + 1, base + to + 1);
        i = to;
      }
    } else {
      const to = lowerBound(b, base, n, value);
      if (to < from) {
        if (from - to < SHORT_MOVE) for (let k = base + from; k > base + to; k -= 1) b[k] = b[k - 1] as number;
        else b.copyWithin(base + to + 1, base + to, base + from);
        i = to;
      }
    }
    b[base + i] = value;
    return;
  }
  let i = n;
  while (i > 0 && (b[base + i - 1] as number) > value) {
    b[base + i] = b[base + i - 1] as number;
    i -= 1;
  }
  b[base + i] = value;
}

/** The median of the sorted window's n values from base. */
function medianOf(b: Float64Array, base: number, n: number): number {
  const h = n >>> 1;
  return n % 2 === 1 ? (b[base + h] as number) : ((b[base + h - 1] as number) + (b[base + h] as number)) / 2;
}

/**
 * The MAD of the sorted window around its median `m`: the middle order statistic(s) of |x - m|. The
 * deviations form two sorted arms around index h, A[i] = m - sorted[h-1-i] and B[j] = sorted[h+j] - m;
 * a binary search on how many of the k+1 smallest come from A finds the k-th in O(log window), and
 * the (k+1)-th (for an even window) is then the smaller of the next of each arm.
 * The answer is left in handed[MAD_VALUE] (see handed).
 */
function madOf(b: Float64Array, base: number, n: number): void {
  const m = medianOf(b, base, n);
  const h = n >>> 1;
  const k = (n - 1) >>> 1;
  const a = h;
  const nb = n - h;
  const first = k + 1 - nb > 0 ? k + 1 - nb : 0;
  const end = k + 1 < a ? k + 1 : a;
  let lo = first;
  const hint = (b[M_HINT] as number) | 0;
  if (hint >= 0) {
    // No NaN: "B[j-1] > A[i]" is true then false as i grows (both arms are sorted and rounding
    // keeps order), so the binary search's answer is its one change, found from where it was last.
    // Within first..end, j ≥ 1 and i < a: only the comparison is left.
    const top = base + h + k;
    const bottom = base + h - 1;
    lo = hint < first ? first : hint > end ? end : hint;
    if (lo > first && !((b[top - lo + 1] as number) - m > m - (b[bottom - lo + 1] as number))) {
      lo -= 1;
      while (lo > first && !((b[top - lo + 1] as number) - m > m - (b[bottom - lo + 1] as number))) lo -= 1;
    } else while (lo < end && (b[top - lo] as number) - m > m - (b[bottom - lo] as number)) lo += 1;
    b[M_HINT] = lo;
  } else {
    let hi = end;
    while (lo < hi) {
      const i = (lo + hi) >>> 1;
      const j = k + 1 - i;
      // B[j-1] > A[i]: take more from A.
      if (j > 0 && i < a && (b[base + h + j - 1] as number) - m > m - (b[base + h - 1 - i] as number)) lo = i + 1;
      else hi = i;
    }
  }
  const j = k + 1 - lo;
  const fromA = lo > 0 ? m - (b[base + h - lo] as number) : Number.NEGATIVE_INFINITY;
  const fromB = j > 0 ? (b[base + h + j - 1] as number) - m : Number.NEGATIVE_INFINITY;
  const low = fromA > fromB ? fromA : fromB;
  if (k === n >>> 1) {
    handed[MAD_VALUE] = low;
    return;
  }
  const nextA = lo < a ? m - (b[base + h - 1 - lo] as number) : Number.POSITIVE_INFINITY;
  const nextB = j < nb ? (b[base + h + j] as number) - m : Number.POSITIVE_INFINITY;
  handed[MAD_VALUE] = (low + (nextA < nextB ? nextA : nextB)) / 2;
}

// Seasonal profiles (see detectors/seasonal-baseline.ts): bucket b at base + 3b as (mean, dev, count).

/**
 * The expectation from bucket `here`, leaning towards `other` by the week's or the day's weight of
 * time t (read here rather than passed: V8 does not inline every call, and would box it), in
 * handed[EXPECTED_MEAN] and handed[EXPECTED_DEV]; false while `here` has fewer than `ready` points.
 */
function expect(b: Float64Array, here: number, other: number, t: SeasonalTime, week: boolean, ready: number): boolean {
  const w = week ? t.weekW : t.dayW;
  if ((b[here + 2] as number) < ready) return false;
  if ((b[other + 2] as number) < ready) {
    handed[EXPECTED_MEAN] = b[here] as number;
    handed[EXPECTED_DEV] = b[here + 1] as number;
    return true;
  }
  const a = b[here] as number;
  const bm = b[other] as number;
  handed[EXPECTED_DEV] = (1 - w) * (b[here + 1] as number) + w * (b[other + 1] as number) + w * Math.abs(bm - a);
  handed[EXPECTED_MEAN] = (1 - w) * a + w * bm;
  return true;
}

/**
 * Where a timestamp falls in the seasonal profiles: the bucket, the neighbour the expectation leans
 * towards and how far. Depends on the time only, so the tick computes it once for all its series.
 */
interface SeasonalTime {
  ts: number;
  dayHere: number;
  dayOther: number;
  dayW: number;
  weekHere: number;
  weekOther: number;
  weekW: number;
}

const position: SeasonalPosition = { weekBucket: 0, frac: 0, dayBucket: 0, slotFrac: 0 };

function seasonalTime(t: SeasonalTime, ts: number): void {
  seasonalPosition(ts, position);
  const { frac, slotFrac, dayBucket, weekBucket } = position;
  t.ts = ts;
  // Small integers (| 0 keeps them so, as indices, rather than doubles converted at every use).
  t.dayHere = (dayBucket % DAY_SLOTS) | 0;
  t.dayOther = (slotFrac >= 0.5 ? (t.dayHere + 1) % DAY_SLOTS : (t.dayHere + DAY_SLOTS - 1) % DAY_SLOTS) | 0;
  t.dayW = slotFrac >= 0.5 ? slotFrac - 0.5 : 0.5 - slotFrac;
  t.weekHere = (weekBucket % WEEK_HOURS) | 0;
  t.weekOther = (frac >= 0.5 ? (t.weekHere + 1) % WEEK_HOURS : (t.weekHere + WEEK_HOURS - 1) % WEEK_HOURS) | 0;
  t.weekW = frac >= 0.5 ? frac - 0.5 : 0.5 - frac;
}

/** Learns handed[LEARN_VALUE] into the bucket at `at`, with handed[LEARN_SCALE] the series' scale. */
function learn(b: Float64Array, at: number, alpha: number, alphaFrom: number, ready: number): void {
  const value = handed[LEARN_VALUE] as number;
  const scale = handed[LEARN_SCALE] as number;
  const c = b[at + 2] as number;
  const c1 = c + 1;
  const a = c1 >= alphaFrom ? alpha : Math.max(alpha, 1 / c1);
  const m = b[at] as number;
  const d = b[at + 1] as number;
  const limit = WINSOR * Math.max(d * 1.25, Math.abs(m) * 0.01, scale, 1e-9);
  const x = c >= ready ? Math.min(m + limit, Math.max(m - limit, value)) : value;
  b[at] = m + a * (x - m);
  b[at + 1] = d + a * (Math.abs(x - m) - d);
  b[at + 2] = c + 1;
}

/** Tail calibrator `c` (see detectors/tail-calibrator.ts): tail() of |statistic| then add() it. */
function tailThenAdd(b: Float64Array, p: Plan, c: number, statistic: number): number {
  const a = Math.abs(statistic);
  const bin = binOfAbs(a);
  const s = p.memberAt + c * PER_MEMBER;
  const stride = p.calibrated;
  const suffix = p.calAt + c;
  const weight = b[s + C_WEIGHT] as number;
  const max = b[s + C_MAX] as number;
  // tail
  const total = b[suffix] as number;
  let t: number;
  if (total <= 0) t = 1;
  else {
    const u = Math.min(1, ((b[suffix + bin * stride] as number) + weight) / (total + weight));
    t = a > max && max > 0 ? u * (max / a) ** TAIL_EXPONENT : u;
  }
  // add
  for (let i = 0; i <= bin; i += 1) b[suffix + i * stride] = (b[suffix + i * stride] as number) + weight;
  b[s + C_COUNT] = (b[s + C_COUNT] as number) + 1;
  const decayed = max * p.maxDecay;
  b[s + C_MAX] = decayed > a ? decayed : a;
  const grown = weight * p.growth;
  if (grown > RESCALE_AT) {
    for (let i = 0; i < CALIBRATION_BINS; i += 1) b[suffix + i * stride] = (b[suffix + i * stride] as number) / grown;
    b[s + C_WEIGHT] = 1;
  } else b[s + C_WEIGHT] = grown;
  return t;
}

/**
 * The reading of a series' last point. Its numbers are read from the series' array when asked for:
 * the tick asks for them only of the few anomalous points, and a number stored in an object field
 * lives in a box of its own on the heap (one more cache line per point to write).
 */
class FusedReading implements EnsembleReading {
  ready = false;
  anomalous = false;
  private list: DetectorVerdict[] | null = null;
  constructor(
    protected readonly b: Float64Array,
    protected readonly p: Plan,
  ) {}

  get score(): number {
    return this.b[R_SCORE] as number;
  }

  get onsetScore(): number {
    const q = this.b[R_Q] as number;
    const news = q > 0 ? -Math.log10(q) * 0.5 : (this.b[R_NEWS] as number);
    return news > 0 ? 1 - 10 ** -news : 0;
  }

  get expected(): number {
    return this.b[this.p.memberAt + (this.b[CHOSEN] as number) * PER_MEMBER + M_EXP] as number;
  }

  get lower(): number {
    return this.bound(-1);
  }

  get upper(): number {
    return this.bound(1);
  }

  get direction(): Direction {
    return (this.b[PREVIOUS] as number) >= this.expected ? 'up' : 'down';
  }

  /** The chosen detector's band, drawn as that detector draws it: its lower (-1) or upper (1) end. */
  private bound(side: -1 | 1): number {
    const p = this.p;
    const chosen = this.b[CHOSEN] as number;
    const c = p.memberAt + chosen * PER_MEMBER;
    const expected = this.b[c + M_EXP] as number;
    const sigma = this.b[c + M_SIGMA] as number;
    const threshold = p.thresholds[chosen] as number;
    if (chosen === LEVEL) {
      const band = (threshold * sigma * 2) / p.sqrtR;
      return side < 0 ? expected - band : expected + band;
    }
    if (chosen === p.sloIndex) return side < 0 ? 0 : sigma;
    return side < 0 ? expected - threshold * sigma : expected + threshold * sigma;
  }

  /** The verdict objects, brought up to date from the numbers of the last point. */
  get verdicts(): DetectorVerdict[] {
    const p = this.p;
    const b = this.b;
    if (!this.list) {
      this.list = p.names.map((name, i) => ({
        name,
        statistic: 0,
        threshold: p.thresholds[i] as number,
        score: 0,
        fired: false,
      }));
    }
    for (let i = 0; i < p.members; i += 1) {
      const v = this.list[i] as DetectorVerdict;
      const m = p.memberAt + i * PER_MEMBER;
      v.statistic = b[m + M_STAT] as number;
      v.score = b[m + M_SCORE] as number;
      v.fired = b[m + M_FIRED] === 1;
    }
    return this.list;
  }

  get primary(): DetectorVerdict {
    return this.verdicts[this.b[CHOSEN] as number] as DetectorVerdict;
  }
}

/**
 * Reads one number of every cache line a point touches, so that they are all on their way at once
 * rather than one after the other as the code gets to them: the streaming tick finds most of them
 * out of cache (it has touched thousands of other series since this one). What the addresses
 * depend on comes from the detector, not from the series' own lines: the chunk's whole array and
 * where the series starts in it (`b`, `o`; the series' view is another object to fetch first), and
 * where the ring's head, the sorted window and the burn rate's ring are (read from the array, they
 * would hold those loads back until their own line came).
 */
function touchLines(
  b: Float64Array,
  o: number,
  p: Plan,
  head: number,
  lo: number,
  sloAt: number,
  sd: Float64Array,
  row: number,
  base: number,
): void {
  // Four sums, so that the loads wait on nothing but their line.
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  const R = p.R;
  const C = p.C;
  // Scalars, members and the calibration's low bins (where most statistics fall).
  const header = p.calAt + 8 * p.calibrated;
  let i = 0;
  for (; i + 24 < header; i += 32) {
    t0 += b[o + i] as number;
    t1 += b[o + i + 8] as number;
    t2 += b[o + i + 16] as number;
    t3 += b[o + i + 24] as number;
  }
  for (; i < header; i += 8) t0 += b[o + i] as number;
  t1 += b[o + p.ringAt + head] as number;
  t2 += b[o + p.ringAt + (head < R ? head + C - R : head - R)] as number;
  t3 += b[o + p.ringAt + (head + R < C ? head + R : head + R - C)] as number;
  const sortedAt = p.sortedAt + lo;
  const sortedEnd = sortedAt + p.W;
  let k = sortedAt;
  for (; k + 24 < sortedEnd; k += 32) {
    t0 += b[o + k] as number;
    t1 += b[o + k + 8] as number;
    t2 += b[o + k + 16] as number;
    t3 += b[o + k + 24] as number;
  }
  for (; k < sortedEnd; k += 8) t0 += b[o + k] as number;
  if (p.sloIndex >= 0) {
    // The burn rate's sums, and its ring where the point goes and where each window's oldest leaves.
    const capacity = p.sloCapacity;
    const lengths = p.sloLengths;
    t1 += b[o + p.sloSumsAt] as number;
    t2 += b[o + p.sloRingAt + sloAt] as number;
    for (let k = 0; k < lengths.length; k += 1) {
      const leaving = sloAt - (lengths[k] as number);
      t3 += b[o + p.sloRingAt + (leaving < 0 ? leaving + capacity : leaving)] as number;
    }
  }
  // The slice detectors' state, after the rest (a line or two).
  if (p.sliceAt.length > 0) t1 += b[o + (p.sliceAt[0] as number)] as number;
  if (p.seasonalIndex >= 0) {
    const t = p.time;
    t0 += sd[row * t.dayHere + base] as number;
    t1 += sd[row * t.dayOther + base] as number;
    t2 += sd[row * (DAY_SLOTS + t.weekHere) + base] as number;
    t3 += sd[row * (DAY_SLOTS + t.weekOther) + base] as number;
  }
  touchedSum[0] = t0 + t1 + (t2 + t3);
}

/**
 * The detector that scored the last point: when it scores the next one too (a replay, history read
 * series by series), its lines are still in cache and touchLines would only cost.
 */
let lastUpdated = 0;
/** Detectors' numbers for lastUpdated (a number: storing an object there costs a write barrier per point). */
let detectorsMade = 0;

/**
 * A series' detector is also the reading of its last point (update returns it): the tick reads the
 * reading of every point it scores, and a separate object would be one more cache line per point.
 */
class FusedSeriesDetector extends FusedReading implements SeriesDetector {
  /** The seasonal profiles' chunk, its stride between buckets and this series' offset in it. */
  private readonly sd: Float64Array;
  private readonly sRow: number;
  private readonly sBase: number;
  private readonly id = ++detectorsMade;
  /** The chunk's whole array and where this series' array starts in it (see touchLines). */
  private readonly whole: Float64Array;
  private readonly at0: number;
  /** b[HEAD] and b[M_LO] as the last point left them, for touchLines (a wrong value costs time only). */
  private nextHead = 0;
  private nextLo = 0;
  /** Where the burn rate's ring takes the next point (see touchLines). */
  private nextSloAt = 0;
  private readonly place: StatePlace;

  constructor(p: Plan, saved?: Float64Array) {
    const at = takePlace(p);
    const b = new Float64Array(at.chunk.arrays, 8 * p.stride * at.place, p.size);
    if (at.reused) b.fill(0);
    super(b, p);
    this.sd = at.chunk.profiles;
    this.whole = at.chunk.whole;
    this.at0 = p.stride * at.place;
    this.sRow = 3 * at.chunk.places;
    this.sBase = 3 * at.place;
    // The place is free once the detector is collected: a caller may keep a reading after it has
    // let go of the detector, but the reading is the detector. Itself the token, for release.
    this.place = at;
    placesToFree.register(this, { pool: p.pool, at }, this);
    if (saved) this.load(saved);
    else this.coldStart();
    this.nextHead = (b[HEAD] as number) | 0;
    this.nextLo = (b[M_LO] as number) | 0;
    this.nextSloAt = sloWriteAt(b, p);
  }

  update(value: number, ts: number): EnsembleReading {
    const b = this.b;
    const p = this.p;
    const W = p.W;
    const R = p.R;
    const head = (b[HEAD] as number) | 0;
    if (p.seasonalIndex >= 0 && p.time.ts !== ts) seasonalTime(p.time, ts);
    if (lastUpdated !== this.id) {
      lastUpdated = this.id;
      touchLines(this.whole, this.at0, p, this.nextHead, this.nextLo, this.nextSloAt, this.sd, this.sRow, this.sBase);
    }

    const previous = b[PREVIOUS] as number;
    if (!Number.isNaN(previous))
      b[SCALE] = (b[SCALE] as number) + p.scaleAlpha * (0.5 * Math.abs(value - previous) - (b[SCALE] as number));
    b[PREVIOUS] = value;
    const scale = b[SCALE] as number;
    const minPoints = p.minPoints;
    const memberAt = p.memberAt;

    // --- Readings (each judged on the past only; the point is learned below). ---
    let readyMask = 0;
    // Rolling z-score.
    const zLen = (b[Z_LEN] as number) | 0;
    if (zLen >= minPoints) {
      readyMask |= 1 << ZSCORE;
      const sum = b[Z_SUM] as number;
      const mean = sum / zLen;
      const variance = zLen > 1 ? Math.max(0, ((b[Z_SQ] as number) - sum * mean) / (zLen - 1)) : 0;
      const sigma = Math.max(Math.sqrt(variance), Math.abs(mean) * 0.01, scale, 1e-9);
      const m = memberAt + ZSCORE * PER_MEMBER;
      b[m + M_STAT] = (value - mean) / sigma;
      b[m + M_EXP] = mean;
      b[m + M_SIGMA] = sigma;
    }
    // Robust median / MAD.
    const sortedAt = p.sortedAt + ((b[M_LO] as number) | 0);
    const mN = (b[M_N] as number) | 0;
    if (mN >= minPoints) {
      readyMask |= 1 << MAD;
      const med = medianOf(b, sortedAt, mN);
      madOf(b, sortedAt, mN);
      const mad = handed[MAD_VALUE] as number;
      const sigma = Math.max(MAD_TO_SIGMA * mad, Math.abs(med) * 0.01, scale, 1e-9);
      const m = memberAt + MAD * PER_MEMBER;
      b[m + M_STAT] = (value - med) / sigma;
      b[m + M_EXP] = med;
      b[m + M_SIGMA] = sigma;
    }
    // Level shift.
    const lN = (b[L_N] as number) | 0;
    const refCount = lN - R;
    if (refCount >= minPoints) {
      readyMask |= 1 << LEVEL;
      this.recentMedian(value, head);
      const recentMedian = handed[RECENT_MEDIAN] as number;
      let refMean: number;
      let sigma: number;
      const frozen = b[L_FROZEN] === 1;
      if (frozen) {
        refMean = b[L_FMEAN] as number;
        sigma = b[L_FSIGMA] as number;
        b[L_FPOINTS] = (b[L_FPOINTS] as number) + 1;
      } else {
        const refSum = b[L_REF] as number;
        refMean = refSum / refCount;
        const variance = Math.max(0, ((b[L_REFSQ] as number) - refSum * refMean) / (refCount - 1));
        sigma = Math.max(Math.sqrt(variance), Math.abs(refMean) * 0.01, scale, 1e-9);
      }
      const threshold = p.thresholds[LEVEL] as number;
      const m = memberAt + LEVEL * PER_MEMBER;
      const statistic = ((recentMedian - refMean) / sigma) * p.sqrtR * 0.5;
      b[m + M_STAT] = statistic;
      b[m + M_EXP] = refMean;
      b[m + M_SIGMA] = sigma;
      const beyond = Math.abs(statistic) >= threshold;
      if (!frozen && beyond) {
        b[L_FROZEN] = 1;
        b[L_FMEAN] = refMean;
        b[L_FSIGMA] = sigma;
        b[L_FPOINTS] = 0;
      } else if (frozen && (!beyond || (b[L_FPOINTS] as number) >= W)) b[L_FROZEN] = 0;
    }
    // Seasonal baseline (reads and learns).
    if (p.seasonalIndex >= 0 && this.seasonal(value)) readyMask |= 1 << p.seasonalIndex;
    // Burn rate (learns, then reads).
    if (p.sloIndex >= 0 && this.burnRate(value)) readyMask |= 1 << p.sloIndex;
    // Slice detectors (see SliceDetector); in a method of their own, as update must have no loop.
    if (p.slices.length > 0) readyMask |= this.readSlices(value, scale);

    // --- Learn the point: the shared ring and what each detector keeps of it. ---
    this.push(value);
    if (p.slices.length > 0) this.learnSlices(value);

    // --- The ensemble (see the comment of createSeriesDetector). ---
    this.ensemble(value, readyMask);
    this.nextHead = (b[HEAD] as number) | 0;
    this.nextLo = (b[M_LO] as number) | 0;
    this.nextSloAt = sloWriteAt(b, p);
    return this;
  }

  /** Each slice detector's reading of the point (see SliceDetector): the ready members' bits. */
  private readSlices(value: number, scale: number): number {
    const b = this.b;
    const p = this.p;
    const slices = p.slices;
    let ready = 0;
    for (let k = 0; k < slices.length; k += 1) {
      const member = p.firstSlice + k;
      if (
        (slices[k] as SliceDetector).read(b, p.sliceAt[k] as number, value, scale, b, p.memberAt + member * PER_MEMBER)
      )
        ready |= 1 << member;
    }
    return ready;
  }

  private learnSlices(value: number): void {
    const slices = this.p.slices;
    for (let k = 0; k < slices.length; k += 1)
      (slices[k] as SliceDetector).learn(this.b, this.p.sliceAt[k] as number, value);
  }

  /**
   * The ensemble: every ready member's verdict, calibrated, then the seasonal veto, the choice and
   * the score. Apart from update so that update has no loop of its own: V8 (Node 20) may re-optimise
   * a function with a loop "on stack" (OSR) after a deoptimisation mid-run and then not compile it
   * whole again, so that every call starts in the interpreter: the streaming bench ran at under half
   * speed in 3 of 26 runs that way (none in 30 since). Here the loop comes first, so little runs
   * before it.
   */
  private ensemble(value: number, readyMask: number): void {
    const b = this.b;
    const p = this.p;
    const memberAt = p.memberAt;
    let minTail = 1;
    let consulted = 0;
    let best = -1;
    let bestScore = 0;
    let bestFired = -1;
    let bestFiredScore = 0;
    let burnScore = 0;
    const members = p.members;
    const thresholds = p.thresholds;
    const calibrated = p.calibrated;
    const calibrationMinPoints = p.calibrationMinPoints;
    const minScore = p.minScore;
    const minAbsDeviation = p.minAbsDeviation;
    for (let i = 0; i < members; i += 1) {
      const m = memberAt + i * PER_MEMBER;
      // Fired on the previous point: an ongoing episode needs no new rarity to go on.
      const active = b[m + M_FIRED] === 1;
      b[m + M_SCORE] = 0;
      b[m + M_FIRED] = 0;
      if (((readyMask >> i) & 1) === 0) continue;
      const s = b[m + M_STAT] as number;
      const threshold = thresholds[i] as number;
      let score: number;
      let fired: boolean;
      if (i < calibrated) {
        const allowed = s >= 0 ? p.wantsUp : p.wantsDown;
        const trusted = (b[m + C_COUNT] as number) >= calibrationMinPoints;
        const tail = tailThenAdd(b, p, i, s);
        consulted += 1;
        if (!allowed) continue;
        score = 1 - tail;
        if (tail < minTail) minTail = tail;
        // Rarity opens an episode; the statistic alone keeps it open, so a sustained fault stays
        // anomalous after the calibration has learned that it is no longer rare.
        fired =
          Math.abs(s) >= threshold &&
          (active || !trusted || score >= minScore) &&
          Math.abs(value - (b[m + M_EXP] as number)) >= minAbsDeviation;
      } else {
        if (!(s > 0)) continue;
        // A parametric statistic to 0..1 (0.5 at the threshold): rarity makes no sense for a burn
        // rate. 1 - 2^-(ratio²) as -expm1(-ln 2 · ratio²): exact for small ratios too, and several
        // times cheaper than a power (written out: a call V8 does not inline would box its numbers).
        const ratio = Math.abs(s) / threshold;
        score = -Math.expm1(-Math.LN2 * (ratio * ratio));
        burnScore = score;
        fired = s >= threshold;
      }
      b[m + M_SCORE] = score;
      if (fired) b[m + M_FIRED] = 1;
      if (best < 0 || score > bestScore) {
        best = i;
        bestScore = score;
      }
      if (fired && (bestFired < 0 || score > bestFiredScore)) {
        bestFired = i;
        bestFiredScore = score;
      }
    }
    // The seasonal veto: when the same hour of past days explains this point, a rolling detector
    // that fires is seeing the daily curve (the evening ramp), not a fault.
    const seasonalIndex = p.seasonalIndex;
    // (A record, beyond anything the series did, is not explained by the same hour of past days.)
    if (
      bestFired >= 0 &&
      bestFired <= LEVEL &&
      seasonalIndex >= 0 &&
      Math.abs(handed[SEASONAL_WEAK] as number) < (thresholds[seasonalIndex] as number) / 2
    ) {
      bestFired = -1;
      for (let i = 0; i < members; i += 1) {
        const m = memberAt + i * PER_MEMBER;
        if (i <= LEVEL) b[m + M_FIRED] = 0;
        else if (bestFired < 0 && b[m + M_FIRED] === 1) bestFired = i;
      }
    }
    const chosen = bestFired >= 0 ? bestFired : best >= 0 ? best : 0;
    b[CHOSEN] = chosen;
    this.ready = readyMask !== 0;
    this.anomalous = bestFired >= 0;
    // Bonferroni: consulting more detectors makes some small tail likelier by chance.
    const score = Math.max(burnScore, consulted > 0 ? 1 - Math.min(1, minTail * consulted) : 0);
    b[R_SCORE] = score;
    const previousPeak = (b[PEAK] as number) * p.peakDecay;
    // Only what exceeds the recent peak is news; the rest of an episode is told at half strength.
    // The surprise -log10(1 - score) is at most -e log10(2) for 1 - score ≥ 2^e: below the peak by
    // that bound (with room for rounding), the peak stays and the logarithm waits until the onset
    // score is asked for (the tick never asks; a replay scoring every point does).
    const q = Math.max(1e-300, 1 - score);
    let peak = previousPeak;
    if (score > 0 && -binaryExponent(q) * 0.30103 + 1e-12 < previousPeak) b[R_Q] = q;
    else {
      const surprise = score > 0 ? -Math.log10(q) : 0;
      b[R_NEWS] = surprise > previousPeak ? surprise : surprise * 0.5;
      b[R_Q] = 0;
      if (!(previousPeak > surprise)) peak = surprise;
    }
    b[PEAK] = peak;
  }

  /**
   * The median of the level-shift test's recent points: this one and the R - 1 before it, sorted by
   * insertion as the detector does; for the default five, a min/max network gives the same value
   * (the median of the same numbers) unless it is a zero, whose sign only the insertion order gives.
   */
  private recentMedian(value: number, head: number): void {
    const b = this.b;
    const p = this.p;
    const R = p.R;
    const ring = p.ringAt;
    const C = p.C;
    if (R === 5) {
      const a0 = b[ring + (head >= 1 ? head - 1 : head - 1 + C)] as number;
      const a1 = b[ring + (head >= 2 ? head - 2 : head - 2 + C)] as number;
      const a2 = b[ring + (head >= 3 ? head - 3 : head - 3 + C)] as number;
      const a3 = b[ring + (head >= 4 ? head - 4 : head - 4 + C)] as number;
      // Median of five: drop the smallest and the largest of four, then the median of three.
      const f = Math.max(Math.min(a0, a1), Math.min(a2, a3));
      const g = Math.min(Math.max(a0, a1), Math.max(a2, a3));
      const median = Math.max(Math.min(value, f), Math.min(Math.max(value, f), g));
      if (median !== 0 && !Number.isNaN(median)) {
        handed[RECENT_MEDIAN] = median;
        return;
      }
    }
    const scratch = p.scratch;
    scratch[0] = value;
    for (let i = 1; i < R; i += 1) {
      let at = head - i;
      if (at < 0) at += C;
      const v = b[ring + at] as number;
      let j = i;
      while (j > 0 && (scratch[j - 1] as number) > v) {
        scratch[j] = scratch[j - 1] as number;
        j -= 1;
      }
      scratch[j] = v;
    }
    handed[RECENT_MEDIAN] =
      R % 2 === 1 ? (scratch[R >> 1] as number) : ((scratch[R / 2 - 1] as number) + (scratch[R / 2] as number)) / 2;
  }

  /** The seasonal baseline's reading of the point, then learning it; true when ready. */
  private seasonal(value: number): boolean {
    const b = this.b;
    const p = this.p;
    const scale = b[SCALE] as number;
    const t = p.time;
    const sd = this.sd;
    const row = this.sRow;
    const base = this.sBase;
    const dayHere = row * t.dayHere + base;
    const dayOther = row * t.dayOther + base;
    const weekHere = row * (DAY_SLOTS + t.weekHere) + base;
    const fromWeek = expect(sd, weekHere, row * (DAY_SLOTS + t.weekOther) + base, t, true, p.weekReady);
    const ready = fromWeek || expect(sd, dayHere, dayOther, t, false, p.dayReady);
    const level = b[S_LEVEL] as number;
    if (ready) {
      const mean = level + (handed[EXPECTED_MEAN] as number);
      const sigma = Math.max((handed[EXPECTED_DEV] as number) * 1.25, Math.abs(mean) * 0.01, scale, 1e-9);
      const m = p.memberAt + p.seasonalIndex * PER_MEMBER;
      const statistic = (value - mean) / sigma;
      b[m + M_STAT] = statistic;
      b[m + M_EXP] = mean;
      b[m + M_SIGMA] = sigma;
      handed[SEASONAL_WEAK] = statistic;
    } else {
      handed[SEASONAL_WEAK] = Number.NaN;
      if (expect(sd, dayHere, dayOther, t, false, p.pointsPerSlot)) {
        const mean = level + (handed[EXPECTED_MEAN] as number);
        handed[SEASONAL_WEAK] =
          (value - mean) / Math.max((handed[EXPECTED_DEV] as number) * 1.25, Math.abs(mean) * 0.01, scale, 1e-9);
      }
    }
    const shapeNow = ready || expect(sd, dayHere, dayOther, t, false, 1) ? (handed[EXPECTED_MEAN] as number) : 0;
    const levelCount = (b[S_LEVELCOUNT] as number) + 1;
    b[S_LEVELCOUNT] = levelCount;
    const rate = levelCount >= p.levelAlphaFrom ? p.levelAlpha : Math.max(p.levelAlpha, 1 / levelCount);
    const learned = level + rate * (value - shapeNow - level);
    b[S_LEVEL] = learned;
    handed[LEARN_VALUE] = value - learned;
    handed[LEARN_SCALE] = scale;
    learn(sd, dayHere, p.dayAlpha, p.dayAlphaFrom, p.dayReady);
    learn(sd, weekHere, p.weekAlpha, p.weekAlphaFrom, p.weekReady);
    return ready;
  }

  /** The burn rate: learns the point, then reads the windows; true when ready. */
  private burnRate(value: number): boolean {
    const b = this.b;
    const p = this.p;
    this.burnPush(value);
    const n = (b[B_N] as number) | 0;
    const budget = p.budget;
    let strongest = 0;
    let upper = Number.POSITIVE_INFINITY;
    for (let i = 0; i < p.sloFactors.length; i += 1) {
      const factor = p.sloFactors[i] as number;
      const longLen = p.sloLengths[2 * i] as number;
      const shortLen = p.sloLengths[2 * i + 1] as number;
      const longBurn = (b[p.sloSumsAt + 2 * i] as number) / Math.min(n, longLen) / budget;
      const shortBurn = (b[p.sloSumsAt + 2 * i + 1] as number) / Math.min(n, shortLen) / budget;
      strongest = Math.max(strongest, Math.min(longBurn, shortBurn) / factor);
      upper = Math.min(upper, budget * factor);
    }
    const m = p.memberAt + p.sloIndex * PER_MEMBER;
    b[m + M_STAT] = strongest;
    b[m + M_SIGMA] = upper;
    return n >= p.sloReadyAt;
  }

  private burnPush(value: number): void {
    const b = this.b;
    const p = this.p;
    const capacity = p.sloCapacity;
    const start = (b[B_START] as number) | 0;
    const n = (b[B_N] as number) | 0;
    for (let k = 0; k < p.sloLengths.length; k += 1) {
      const len = p.sloLengths[k] as number;
      const at = p.sloSumsAt + k;
      // Indices below twice the capacity: a subtraction rather than % (an integer division).
      const leaving = start + n - len;
      if (n >= len)
        b[at] = (b[at] as number) - (b[p.sloRingAt + (leaving >= capacity ? leaving - capacity : leaving)] as number);
      b[at] = (b[at] as number) + value;
    }
    if (n === capacity) {
      b[p.sloRingAt + start] = value;
      b[B_START] = start + 1 === capacity ? 0 : start + 1;
    } else {
      b[p.sloRingAt + (start + n >= capacity ? start + n - capacity : start + n)] = value;
      b[B_N] = n + 1;
    }
  }

  /** Learns a point: into the shared ring, the z-score sums, the sorted window, the level-shift sums. */
  private push(value: number): void {
    const b = this.b;
    const p = this.p;
    const W = p.W;
    const C = p.C;
    // What leaves each detector's window, read before the ring slot is overwritten.
    const zLen = (b[Z_LEN] as number) | 0;
    const mN = (b[M_N] as number) | 0;
    const lN = (b[L_N] as number) | 0;
    // The z-score's and the MAD's windows lose the same value: W points back. Writing the head
    // leaves it in place (the ring holds W + R), so slidePush reads it there later.
    const leavingAt = ringIndex(b, p, W - 1);
    const zOld = zLen === W ? (b[leavingAt] as number) : 0;
    const mOld = mN === W ? (b[leavingAt] as number) : 0;
    const lOld = lN === C ? (b[ringIndex(b, p, C - 1)] as number) : 0;
    const head = (b[HEAD] as number) | 0;
    b[p.ringAt + head] = value;
    b[HEAD] = head + 1 === C ? 0 : head + 1;
    this.zscorePush(value, zLen, zOld);
    if (!Number.isFinite(value)) b[M_HINT] = -1;
    // The old value by where it is in the ring, not as a number, which this call would box.
    if (mN === W && ((b[M_HINT] as number) | 0) >= 0) slidePush(b, p, value, leavingAt);
    else sortedPush(b, p.sortedAt + ((b[M_LO] as number) | 0), mN, W, value, mOld);
    if (mN < W) b[M_N] = mN + 1;
    this.levelPush(value, lN, lOld);
  }

  private zscorePush(value: number, zLen: number, old: number): void {
    const b = this.b;
    const W = this.p.W;
    let sum = b[Z_SUM] as number;
    let sumSq = b[Z_SQ] as number;
    let len = zLen;
    if (len < W) len += 1;
    else {
      sum -= old;
      sumSq -= old * old;
    }
    sum += value;
    sumSq += value * value;
    const phase = ((b[Z_PHASE] as number) | 0) + 1;
    b[Z_PHASE] = phase === W ? 0 : phase;
    let since = (b[Z_SINCE] as number) + 1;
    if (since >= W) {
      // Exact sums in the order the detector's own ring held the values (index = pushes mod window).
      sum = 0;
      sumSq = 0;
      const newest = (phase === W ? 0 : phase) - 1;
      for (let i = 0; i < len; i += 1) {
        let age = newest - i;
        if (age < 0) age += W;
        const v = b[ringIndex(b, this.p, age)] as number;
        sum += v;
        sumSq += v * v;
      }
      since = 0;
    }
    b[Z_LEN] = len;
    b[Z_SUM] = sum;
    b[Z_SQ] = sumSq;
    b[Z_SINCE] = since;
  }

  private levelPush(value: number, lN: number, old: number): void {
    const b = this.b;
    const p = this.p;
    const R = p.R;
    const C = p.C;
    let refSum = b[L_REF] as number;
    let refSq = b[L_REFSQ] as number;
    let recSum = b[L_REC] as number;
    let n = lN;
    if (n === C) {
      refSum -= old;
      refSq -= old * old;
    } else n += 1;
    recSum += value;
    if (n > R) {
      // The point that just left the recent part joins the reference part.
      const moved = b[ringIndex(b, p, R)] as number;
      recSum -= moved;
      refSum += moved;
      refSq += moved * moved;
    }
    b[L_N] = n;
    let since = (b[L_SINCE] as number) + 1;
    if (since >= C) {
      // Oldest first: the ring from n places behind the head, which push has moved on already.
      // (No closure here: its variables would be allocated on the heap at every call.)
      const head = (b[HEAD] as number) | 0;
      resumLevel(b, n, R, b, p.ringAt, head >= n ? head - n : head - n + C, C);
      since = 0;
    } else {
      b[L_REF] = refSum;
      b[L_REFSQ] = refSq;
      b[L_REC] = recSum;
    }
    b[L_SINCE] = since;
  }

  /**
   * A detector that has seen nothing: what each detector of ./detectors/ starts from (the rest of the
   * place is zeros).
   */
  private coldStart(): void {
    const b = this.b;
    const p = this.p;
    b[SCALE] = 0;
    b[PREVIOUS] = Number.NaN;
    b[PEAK] = 0;
    b[M_LO] = p.slack;
    if (p.sloIndex >= 0) b[p.memberAt + p.sloIndex * PER_MEMBER + M_EXP] = p.budget;
    for (let i = 0; i < p.calibrated; i += 1) b[p.memberAt + i * PER_MEMBER + C_WEIGHT] = 1;
    for (let k = 0; k < p.slices.length; k += 1) (p.slices[k] as SliceDetector).start(b, p.sliceAt[k] as number);
  }

  /**
   * The saved numbers copied back as they are (see saveState): the place, including the last
   * reading that the next point reads (which members fired, the MAD's search hint), then this
   * series' seasonal rows. Nothing is recomputed, so the next points score bit for bit as if the
   * detector had never stopped.
   */
  private load(saved: Float64Array): void {
    const p = this.p;
    this.b.set(saved.subarray(0, p.size));
    if (p.seasonalIndex < 0) return;
    const sd = this.sd;
    for (let k = 0; k < PROFILE_BUCKETS; k += 1) {
      const at = this.sRow * k + this.sBase;
      const from = p.size + 3 * k;
      sd[at] = saved[from] as number;
      sd[at + 1] = saved[from + 1] as number;
      sd[at + 2] = saved[from + 2] as number;
    }
  }

  saveState(into: Float64Array, at: number): void {
    const p = this.p;
    into.set(this.b, at);
    if (p.seasonalIndex < 0) return;
    const sd = this.sd;
    for (let k = 0; k < PROFILE_BUCKETS; k += 1) {
      const from = this.sRow * k + this.sBase;
      const to = at + p.size + 3 * k;
      into[to] = sd[from] as number;
      into[to + 1] = sd[from + 1] as number;
      into[to + 2] = sd[from + 2] as number;
    }
  }

  release(): void {
    // Unregistered once: a second release gives nothing back twice.
    if (placesToFree.unregister(this)) givePlaceBack(this.p.pool, this.place);
  }

  replaceSeasonal(seasonal: SeasonalBaselineState): void {
    if (this.p.seasonalIndex < 0) return;
    restoreProfile(this.sd, this.sRow, this.sBase, 0, DAY_SLOTS, seasonal.day);
    restoreProfile(this.sd, this.sRow, this.sBase, DAY_SLOTS, WEEK_HOURS, seasonal.week);
    this.b[S_LEVEL] = seasonal.level;
    this.b[S_LEVELCOUNT] = seasonal.levelCount;
  }

  state(): SeriesDetectorState {
    const b = this.b;
    const p = this.p;
    const window = (length: number) => {
      const values: number[] = [];
      for (let age = length - 1; age >= 0; age -= 1) values.push(b[ringIndex(b, p, age)] as number);
      return values;
    };
    const calibration: Record<string, TailCalibratorState> = {};
    for (let i = 0; i < p.calibrated; i += 1) {
      const s = p.memberAt + i * PER_MEMBER;
      const suffix: number[] = [];
      for (let k = 0; k < CALIBRATION_BINS; k += 1) suffix.push(b[p.calAt + i + k * p.calibrated] as number);
      calibration[p.names[i] as string] = {
        suffix,
        weight: b[s + C_WEIGHT] as number,
        count: b[s + C_COUNT] as number,
        max: b[s + C_MAX] as number,
      };
    }
    let slo: SloBurnRateState | null = null;
    if (p.sloIndex >= 0) {
      const values: number[] = [];
      const n = (b[B_N] as number) | 0;
      const start = (b[B_START] as number) | 0;
      for (let i = 0; i < n; i += 1) values.push(b[p.sloRingAt + ((start + i) % p.sloCapacity)] as number);
      const sums: number[] = [];
      for (let k = 0; k < p.sloLengths.length; k += 1) sums.push(b[p.sloSumsAt + k] as number);
      slo = { values, sums };
    }
    return {
      version: 1,
      zscore: {
        values: window((b[Z_LEN] as number) | 0),
        sums: [b[Z_SUM] as number, b[Z_SQ] as number, b[Z_SINCE] as number],
      },
      mad: { values: window((b[M_N] as number) | 0) },
      levelShift: {
        values: window((b[L_N] as number) | 0),
        sums: [b[L_REF] as number, b[L_REFSQ] as number, b[L_REC] as number, b[L_SINCE] as number],
        frozen:
          b[L_FROZEN] === 1
            ? { mean: b[L_FMEAN] as number, sigma: b[L_FSIGMA] as number, points: b[L_FPOINTS] as number }
            : null,
      },
      seasonal:
        p.seasonalIndex >= 0
          ? {
              day: profileState(this.sd, this.sRow, this.sBase, 0, DAY_SLOTS),
              week: profileState(this.sd, this.sRow, this.sBase, DAY_SLOTS, WEEK_HOURS),
              level: b[S_LEVEL] as number,
              levelCount: b[S_LEVELCOUNT] as number,
            }
          : null,
      slo,
      calibration,
      slices: Object.fromEntries(
        p.slices.map((d, k) => [
          d.name,
          Array.from(b.subarray(p.sliceAt[k] as number, (p.sliceAt[k] as number) + d.doubles)),
        ]),
      ),
      scale: b[SCALE] as number,
      previous: b[PREVIOUS] as number,
      peak: b[PEAK] as number,
    };
  }
}

/** Profile buckets first..first+buckets-1 of a series whose bucket k is at row × k + base of sd. */
function restoreProfile(
  sd: Float64Array,
  row: number,
  base: number,
  first: number,
  buckets: number,
  initial?: SeasonalProfileState,
): void {
  if (!initial || initial.mean.length !== buckets) return;
  // Through typed arrays as before, so what does not fit fails the same way.
  const mean = new Float64Array(buckets);
  const dev = new Float64Array(buckets);
  const count = new Float64Array(buckets);
  mean.set(initial.mean);
  dev.set(initial.dev);
  count.set(initial.count);
  for (let k = 0; k < buckets; k += 1) {
    const at = row * (first + k) + base;
    sd[at] = mean[k] as number;
    sd[at + 1] = dev[k] as number;
    sd[at + 2] = count[k] as number;
  }
}

function profileState(
  sd: Float64Array,
  row: number,
  base: number,
  first: number,
  buckets: number,
): SeasonalProfileState {
  const mean: number[] = [];
  const dev: number[] = [];
  const count: number[] = [];
  for (let k = 0; k < buckets; k += 1) {
    const at = row * (first + k) + base;
    mean.push(sd[at] as number);
    dev.push(sd[at + 1] as number);
    count.push(sd[at + 2] as number);
  }
  return { mean, dev, count };
}

/**
 * The ensemble for one series: rolling z-score, robust median/MAD, level shift, seasonal baseline
 * and (for SLO signals) burn rate, fed the same point. Each detector's statistic is calibrated
 * against this series' own history of that statistic, so "0.999" means the same thing for every
 * detector and every series; the ensemble score is the strongest calibrated evidence, corrected
 * for the number of detectors consulted. A point is anomalous when a detector's statistic passes
 * its threshold (explainable: "z 9.1 ≥ 3.5"), its calibrated score passes `minScore` (rare for this
 * series, once there is history to say so) or it fired on the previous point too (an episode goes
 * on while the statistic stays past the threshold), and it is far enough from the expected value.
 *
 * The returned reading is the same object on every call (its verdicts are built when first read).
 */
export function createSeriesDetector(options: SeriesDetectorOptions, saved?: Float64Array): SeriesDetector {
  const plan = planOf(options);
  if (saved && saved.length !== stateDoubles(plan))
    throw new RangeError(`saved state of ${saved.length} doubles, expected ${stateDoubles(plan)}`);
  return new FusedSeriesDetector(plan, saved);
}
