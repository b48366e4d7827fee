import { createHash } from 'node:crypto';
import { appendAll } from '../collections/append-all.js';
import type { DetectorName, Direction } from '../contracts/index.js';
import * as layout from './ensemble/layout.js';
import { CountArray, type Plan, ProfileArray, SingleArray, SlotArray, type StatePlace } from './ensemble/layout.js';
import type { LevelShiftState } from './ensemble/level-shift.js';
import * as levelShift from './ensemble/level-shift.js';
import * as recentWindow from './ensemble/recent-window.js';
import * as record from './ensemble/record.js';
import type { RobustMadState } from './ensemble/robust-mad.js';
import * as robustMad from './ensemble/robust-mad.js';
import type { RollingZscoreState } from './ensemble/rolling-zscore.js';
import * as rollingZscore from './ensemble/rolling-zscore.js';
import type { SeasonalBaselineState, SeasonalPosition } from './ensemble/seasonal-baseline.js';
import * as seasonalBaseline from './ensemble/seasonal-baseline.js';
import type { SliceDetector } from './ensemble/slice-detector.js';
import * as sliceDetectors from './ensemble/slice-detectors.js';
import type { BurnRateWindow, SloBurnRateState } from './ensemble/slo-burn-rate.js';
import * as sloBurnRate from './ensemble/slo-burn-rate.js';
import type { TailCalibratorState } from './ensemble/tail-calibrator.js';
import * as tailCalibrator from './ensemble/tail-calibrator.js';
import type { ValueScale } from './ensemble/value-scale.js';
import * as valueScale from './ensemble/value-scale.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const {
  B_N,
  B_START,
  C_COUNT,
  C_MAX,
  C_WEIGHT,
  CHOSEN,
  HEAD,
  L_FMEAN,
  L_FPOINTS,
  L_FROZEN,
  L_FSIGMA,
  L_N,
  L_REC,
  L_REF,
  L_REFSQ,
  L_SINCE,
  LEVEL,
  M_EXP,
  M_FIRED,
  M_LO,
  M_N,
  M_SCORE,
  M_SIGMA,
  M_STAT,
  MAD,
  PER_MEMBER,
  PREVIOUS,
  R_SCORE,
  S_LEVEL,
  S_LEVELCOUNT,
  SCALARS,
  SCALE,
  SEASONAL_WEAK,
  Z_LEN,
  Z_SINCE,
  Z_SQ,
  Z_SUM,
  ZSCORE,
  handed,
  ringIndex,
} = layout;
const {
  DAY_SLOTS,
  PROFILE_BUCKETS,
  WEEK_HOURS,
  profileState,
  readSeasonal,
  restoreProfile,
  seasonalPlan,
  seasonalPosition,
  seasonalTime,
} = seasonalBaseline;
const { CALIBRATION_BINS, tailThenAdd } = tailCalibrator;
const { readLevelShift, recentPoints } = levelShift;
const { learnRecent } = recentWindow;
const { recordWarmupPoints } = record;
const { readMad } = robustMad;
const { readZscore } = rollingZscore;
const { sliceDetectorsFor } = sliceDetectors;
const { burnRatePlan, readBurnRate, sloWriteAt } = sloBurnRate;
const { fromSqrtScale, judgesOnSqrtScale, toSqrtScaleAt } = valueScale;

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
  /** The scale the detectors judge values on (value-scale.ts); absent: linear. SLO signals stay linear. */
  valueScale?: ValueScale;
  /**
   * The least sigma of the rolling, level-shift and seasonal tests, on the square-root scale, while the
   * series' values are all whole counts (absent or 0: none). See Plan.countFloor.
   */
  countNoiseFloor?: number;
  /** The drift member (drift.ts) judges this series: not a traffic signal's (absent: it does). */
  drift?: boolean;
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
}

export interface SeriesDetector {
  update(value: number, timestampMs: number): EnsembleReading;
  /**
   * The state as numbers by detector (windows oldest first): a view for reading it (tests,
   * diagnostics, benchmarks). What is persisted is saveState's copy.
   */
  state(): SeriesDetectorState;
  /**
   * Copies every number of this series (see seriesStateLayout), as it is, to `into` from `at`:
   * createSeriesDetector(options, those doubles) continues exactly where this one is.
   */
  saveState(into: Float64Array, at: number): void;
  /** The seasonal baseline this detector has learned (null without seasonal): what recalibration rebuilds from. */
  seasonalState(): SeasonalBaselineState | null;
  /** Swaps in a seasonal baseline rebuilt from history (batch recalibration), keeping everything else. */
  replaceSeasonal(seasonal: SeasonalBaselineState): void;
  /**
   * Asked right after update(value, timestampMs): how many days of that point's hour of the day the
   * seasonal baseline had learned before it (whole days' worth of points in its hourly bucket,
   * history rebuilt by recalibration included): 0 in a series' first day, when its daily cycle (a
   * nightly job, a morning ramp) is still unknown at that hour. Undefined without a seasonal
   * detector. Reads counts only: no effect on any score.
   */
  seasonalDays(timestampMs: number): number | undefined;
  /**
   * Gives this series' place back now rather than when the detector is collected (which may come
   * long after): for detectors made by the thousand for a while, like recalibration's. The detector
   * and its readings must not be used afterwards (the place is another series' next).
   */
  release(): void;
}

// ---------------------------------------------------------------------------------------------
// The ensemble: its detectors (rolling z-score, robust MAD, level shift, seasonal baseline, SLO
// burn rate, each with its tail calibrator; then the slice detectors) each in a module of
// ./ensemble/ working on its part of one Float64Array per series (see ./ensemble/layout.ts), and
// here the loop over them: one reading each of the past, then learning the point, then the verdicts
// calibrated, the seasonal veto and the score. Readings and verdicts are numbers in that array,
// turned into objects only when asked for.
// ---------------------------------------------------------------------------------------------

// The series of one plan keep their state in chunks of places, one place per series, in the order
// the series were made (the order the tick visits them in), so that going from one series to the
// next goes forward through memory, which the hardware's prefetchers follow:
//   - the array of place j is `stride` doubles at j × stride of the chunk's buffer, starting on a
//     cache line;
//   - the seasonal profiles are apart, bucket by bucket: bucket k of place j of a chunk of n places
//     is the pair (mean, dev) at 2 (k n + j) of `profiles` and its count at k n + j of `counts`, day
//     buckets first (k < DAY_SLOTS), then week hours. At a given time every series reads and learns
//     the same buckets, so visiting the series in turn walks those buckets' rows in order
//     (neighbours share cache lines) instead of reaching into another 1.9 KB per series.

const FIRST_CHUNK = 16;
/**
 * What the last chunk of a plan may leave unused is up to LARGEST_CHUNK - 1 places (~8 KB each):
 * at 1 024, 2 500 series per signal took 3 056 places (a fifth of the state unused). Locality does
 * not need more: a chunk of 128 is ~0.5 MB of arrays and rows of 1.5 KB of profiles, far more than a
 * prefetcher follows (it stops at 4 KB pages); bench:detect streams as fast as with 1 024.
 */
const LARGEST_CHUNK = 128;
const LINE_DOUBLES = 8;

/** A place for a new series: a freed one (cleared), else the next of the last chunk, else a new chunk. */
function takePlace(p: Plan): StatePlace {
  const pool = p.pool;
  const freed = pool.free.pop();
  if (freed) {
    const { whole, profiles, counts, places } = freed.chunk;
    // (The sorted window's slots are bytes of these doubles: cleared with them.)
    whole.fill(0, p.stride * freed.place, p.stride * freed.place + p.size);
    if (profiles.length > 0)
      for (let k = 0; k < PROFILE_BUCKETS; k += 1) {
        profiles.fill(0, 2 * (k * places + freed.place), 2 * (k * places + freed.place) + 2);
        counts[k * places + freed.place] = 0;
      }
    pool.live += 1;
    return freed;
  }
  let chunk = pool.chunks[pool.chunks.length - 1];
  if (!chunk || chunk.used === chunk.places) {
    // Chunks double up to a limit: a plan with few series stays small, one with many wastes little.
    const places = chunk ? Math.min(LARGEST_CHUNK, chunk.places * 2) : FIRST_CHUNK;
    const arrays = new ArrayBuffer(8 * p.stride * places);
    chunk = {
      arrays,
      whole: new Float64Array(arrays),
      slots: new SlotArray(arrays),
      singles: new SingleArray(arrays),
      profiles: new ProfileArray(p.seasonalIndex >= 0 ? 2 * PROFILE_BUCKETS * places : 0),
      counts: new CountArray(p.seasonalIndex >= 0 ? PROFILE_BUCKETS * places : 0),
      places,
      used: 0,
    };
    pool.chunks.push(chunk);
  }
  chunk.used += 1;
  pool.live += 1;
  return { pool, chunk, place: chunk.used - 1 };
}

/**
 * A place is free again. A pool left with no series drops its chunks: a plan's pool otherwise keeps
 * the most places it ever held for the life of the process (recalibration's plans, a plan per
 * signal at the coarse step, would keep a slice's worth of state each between runs).
 */
function givePlaceBack(at: StatePlace): void {
  const pool = at.pool;
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

const placesToFree = new FinalizationRegistry<StatePlace>(givePlaceBack);

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
const STATE_FORMAT = 8;

/**
 * The seasonal rows in saved state as in memory: each bucket's mean and deviation in single
 * precision (ProfileArray), then each bucket's count in 16 bits (CountArray), rather than each
 * widened to a double: 2 688 B less per saved series with the default profiles, the same numbers.
 */
const PROFILE_NUMBERS = 2 * PROFILE_BUCKETS;
const PROFILE_PAIR_BYTES = PROFILE_NUMBERS * ProfileArray.BYTES_PER_ELEMENT;
const PROFILE_DOUBLES = Math.ceil((PROFILE_PAIR_BYTES + PROFILE_BUCKETS * CountArray.BYTES_PER_ELEMENT) / 8);

/**
 * The saved state of a series: its place's `size` doubles, then its seasonal rows, bucket by bucket,
 * as the bytes of their means and deviations, then of their counts (see PROFILE_DOUBLES).
 */
function stateDoubles(p: Plan): number {
  return p.size + (p.seasonalIndex >= 0 ? PROFILE_DOUBLES : 0);
}

/** The seasonal rows' means and deviations in saved state, `doubles` holding a series' state from `at`. */
function savedProfiles(doubles: Float64Array, at: number, p: Plan): ProfileArray {
  return new ProfileArray(doubles.buffer, doubles.byteOffset + 8 * (at + p.size), PROFILE_NUMBERS);
}

/** The seasonal rows' counts in saved state (after their means and deviations). */
function savedCounts(doubles: Float64Array, at: number, p: Plan): CountArray {
  return new CountArray(doubles.buffer, doubles.byteOffset + 8 * (at + p.size) + PROFILE_PAIR_BYTES, PROFILE_BUCKETS);
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
  offsets.push(p.sortedAt, p.slack, p.sloSumsAt, p.sloRingAt, p.fractionalAt, p.size, p.seasonalIndex, p.sloIndex);
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
  // The rolling tests and the slice detectors that do not know the time of day.
  let seasonBlind = (1 << ZSCORE) | (1 << MAD) | (1 << LEVEL);
  slices.forEach((d, k) => {
    if (d.seasonBlind) seasonBlind |= 1 << (firstSlice + k);
  });
  const slo = options.slo;
  if (slo) {
    names.push('slo_burn_rate');
    thresholds.push(1);
  }
  const members = names.length;
  const burn = burnRatePlan(options);
  const seasonal = seasonalPlan(options.stepMs);
  const sloLengths = burn.sloLengths;
  const sloCapacity = burn.sloCapacity;
  const memberAt = SCALARS;
  // The slices right after the members, the smallest first: every point reads the first numbers of
  // each one, which so share the members' cache lines (touchLines reads them as one run up to
  // hotEnd), and a large slice (a table of which a point reads one entry) comes last of them.
  const sliceAt: number[] = slices.map(() => 0);
  const bySize = slices.map((_d, k) => k);
  bySize.sort((x, y) => (slices[x] as SliceDetector).doubles - (slices[y] as SliceDetector).doubles || x - y);
  let end = memberAt + members * PER_MEMBER;
  // Whether a value that is not a whole number was seen (see Plan.countFloor): read every point,
  // so in the first run of lines with the members.
  const fractionalAt = end;
  end += 1;
  let hotEnd = end;
  for (const k of bySize) {
    const doubles = (slices[k] as SliceDetector).doubles;
    sliceAt[k] = end;
    hotEnd = end + Math.min(doubles, LINE_DOUBLES);
    end += doubles;
  }
  // From a cache line on: bins 2k and 2k + 1 of every calibrator are then one line (touchLines reads 0..7).
  const calAt = Math.ceil(end / LINE_DOUBLES) * LINE_DOUBLES;
  const ringAt = calAt + Math.ceil((calibrated * CALIBRATION_BINS * SingleArray.BYTES_PER_ELEMENT) / 8);
  // The sorted window holds ring slots (see SlotArray): the ring's W + R must fit in one. The
  // configuration's bounds (window_points ≤ 1 440, the recent window at most a third of it) keep it
  // under 1 920; this is for options built otherwise.
  if (W + R > 2 ** (8 * SlotArray.BYTES_PER_ELEMENT))
    throw new RangeError(`windowPoints ${W} and a recent window of ${R}: a ring of more than 65 536 points`);
  const sortedAt = ringAt + Math.ceil(((W + R) * SingleArray.BYTES_PER_ELEMENT) / 8);
  // Room for the window to drift (a trend) before it is moved back to the middle: W / 16 a side
  // costs one move of W slots (already in cache) every ~W / 16 points of a steady trend; W / 4 a
  // side made those moves 4 times rarer for 46 more values (368 B as doubles) per series at the
  // default 120-point window, and bench:detect streamed no faster with it.
  const slack = Math.max(1, W >> 4);
  // W + 2 slack slots, in whole doubles.
  const sloSumsAt = sortedAt + Math.ceil(((W + 2 * slack) * SlotArray.BYTES_PER_ELEMENT) / 8);
  const sloRingAt = sloSumsAt + sloLengths.length;
  end = sloRingAt + Math.ceil((sloCapacity * SingleArray.BYTES_PER_ELEMENT) / 8);
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
    wantsUp: options.direction !== 'down',
    wantsDown: options.direction !== 'up',
    minAbsDeviation: options.minAbsDeviation,
    calibrationMinPoints: options.calibrationMinPoints,
    youngFrom: recordWarmupPoints(options.stepMs),
    seasonBlind,
    minScore: options.minScore,
    sqrtScale: judgesOnSqrtScale(options),
    countFloor: judgesOnSqrtScale(options) ? (options.countNoiseFloor ?? 0) : 0,
    growth: 2 ** (1 / options.calibrationHalfLife),
    maxDecay: 2 ** (-1 / options.calibrationHalfLife),
    sqrtR: Math.sqrt(R),
    scratch: new Float64Array(R),
    // Written out rather than spread: V8 sizes an object literal for the fields it lists, and the
    // hot path reads the plan at every point.
    pointsPerHour: seasonal.pointsPerHour,
    pointsPerSlot: seasonal.pointsPerSlot,
    dayAlpha: seasonal.dayAlpha,
    weekAlpha: seasonal.weekAlpha,
    dayReady: seasonal.dayReady,
    weekReady: seasonal.weekReady,
    levelAlpha: seasonal.levelAlpha,
    dayAlphaFrom: seasonal.dayAlphaFrom,
    weekAlphaFrom: seasonal.weekAlphaFrom,
    levelAlphaFrom: seasonal.levelAlphaFrom,
    time: seasonal.time,
    budget: burn.budget,
    sloLengths,
    sloFactors: burn.sloFactors,
    sloCapacity,
    sloReadyAt: burn.sloReadyAt,
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
    fractionalAt,
    firstSlice,
    hotEnd,
    size: end,
  };
  return plan;
}

/**
 * The reading of a series' last point. Its numbers are read from the series' array when asked for:
 * the tick asks for them only of the few anomalous points, and a number stored in an object field
 * lives in a box of its own on the heap (one more cache line per point to write).
 */
class SeriesReading implements EnsembleReading {
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

  /** In the signal's units (the detectors' scale turned back: see value-scale.ts). */
  get expected(): number {
    const e = this.expectedOnScale();
    return this.p.sqrtScale ? fromSqrtScale(e) : e;
  }

  get lower(): number {
    return this.bound(-1);
  }

  get upper(): number {
    return this.bound(1);
  }

  get direction(): Direction {
    // Both on the detectors' scale (it is increasing, so the side is the same in the signal's units).
    return (this.b[PREVIOUS] as number) >= this.expectedOnScale() ? 'up' : 'down';
  }

  /** The chosen detector's expected value on the detectors' scale. */
  private expectedOnScale(): number {
    return this.b[this.p.memberAt + (this.b[CHOSEN] as number) * PER_MEMBER + M_EXP] as number;
  }

  /** The chosen detector's band, drawn as that detector draws it, in the signal's units. */
  private bound(side: -1 | 1): number {
    const end = this.boundOnScale(side);
    return this.p.sqrtScale ? fromSqrtScale(end) : end;
  }

  /** The chosen detector's band on the detectors' scale: its lower (-1) or upper (1) end. */
  private boundOnScale(side: -1 | 1): number {
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
 * where the burn rate's ring takes its next point (read from the array, it would hold those loads
 * back until its own line came).
 */
function touchLines(
  view: Float64Array,
  b: Float64Array,
  o: number,
  p: Plan,
  sloAt: number,
  sd: ProfileArray,
  sc: CountArray,
  row: number,
  base: number,
): void {
  // Four sums, so that the loads wait on nothing but their line. The series' own view is an object
  // of its own on the heap, which every read of its array goes through: on its way first.
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  let t3 = view.length;
  // Scalars, members and the slices' first numbers; then the calibration's low bins 0..7 (where
  // the largest statistic of 99% of points falls: 4 lines, two bins each).
  const hotEnd = p.hotEnd;
  let i = 0;
  for (; i + 24 < hotEnd; i += 32) {
    t0 += b[o + i] as number;
    t1 += b[o + i + 8] as number;
    t2 += b[o + i + 16] as number;
    t3 += b[o + i + 24] as number;
  }
  for (; i < hotEnd; i += 8) t0 += b[o + i] as number;
  const lowBins = p.calAt + Math.ceil((8 * p.calibrated * SingleArray.BYTES_PER_ELEMENT) / 8);
  for (i = p.calAt; i + 24 < lowBins; i += 32) {
    t0 += b[o + i] as number;
    t1 += b[o + i + 8] as number;
    t2 += b[o + i + 16] as number;
    t3 += b[o + i + 24] as number;
  }
  for (; i < lowBins; i += 8) t0 += b[o + i] as number;
  // All of the ring (single precision, 8 lines at the defaults), and the sorted window's region
  // after it (its slots, half the bytes of the values): the MAD's searches read the values of the
  // window's slots through the ring, anywhere in it, the z-score and level-shift tests the values
  // leaving their windows.
  const windowEnd = p.sloSumsAt;
  let k = p.ringAt;
  for (; k + 24 < windowEnd; k += 32) {
    t0 += b[o + k] as number;
    t1 += b[o + k + 8] as number;
    t2 += b[o + k + 16] as number;
    t3 += b[o + k + 24] as number;
  }
  for (; k < windowEnd; k += 8) t0 += b[o + k] as number;
  if (p.sloIndex >= 0) {
    // The burn rate's sums, and its ring where the point goes and where each window's oldest leaves.
    const capacity = p.sloCapacity;
    const lengths = p.sloLengths;
    // (Its points are singles, two to a double: point i is in double i >> 1.)
    t1 += b[o + p.sloSumsAt] as number;
    t2 += b[o + p.sloRingAt + (sloAt >> 1)] as number;
    for (let k = 0; k < lengths.length; k += 1) {
      const leaving = sloAt - (lengths[k] as number);
      t3 += b[o + p.sloRingAt + ((leaving < 0 ? leaving + capacity : leaving) >> 1)] as number;
    }
  }
  // The place a slice detector's next read depends on (a table's entry), which would otherwise be
  // fetched only once read gets there (its first numbers are in the run above).
  const slices = p.slices;
  for (let k = 0; k < slices.length; k += 1) {
    const d = slices[k] as SliceDetector;
    if (d.nextTouch !== undefined) {
      const at = o + (p.sliceAt[k] as number);
      t2 += b[at + d.nextTouch(b, at)] as number;
    }
  }
  if (p.seasonalIndex >= 0) {
    const t = p.time;
    const dayHere = row * t.dayHere + base;
    const dayOther = row * t.dayOther + base;
    const weekHere = row * (DAY_SLOTS + t.weekHere) + base;
    const weekOther = row * (DAY_SLOTS + t.weekOther) + base;
    t0 += (sd[dayHere] as number) + (sc[dayHere >> 1] as number);
    t1 += (sd[dayOther] as number) + (sc[dayOther >> 1] as number);
    t2 += (sd[weekHere] as number) + (sc[weekHere >> 1] as number);
    t3 += (sd[weekOther] as number) + (sc[weekOther >> 1] as number);
  }
  touchedSum[0] = t0 + t1 + (t2 + t3);
}

/** The largest finite single-precision number (see SingleArray). */
const MAX_SINGLE = 3.4028234663852886e38;

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
/** Reused by seasonalDays (asked only of anomalous points). */
const readyPosition: SeasonalPosition = { weekBucket: 0, frac: 0, dayBucket: 0, slotFrac: 0 };

class EnsembleSeriesDetector extends SeriesReading implements SeriesDetector {
  /**
   * The seasonal profiles' chunk (means and deviations, and counts at half their index), its stride
   * between buckets and this series' offset in it.
   */
  private readonly sd: ProfileArray;
  private readonly sc: CountArray;
  private readonly sRow: number;
  private readonly sBase: number;
  private readonly id = ++detectorsMade;
  /** The chunk's whole array and where this series' array starts in it (see touchLines). */
  private readonly whole: Float64Array;
  private readonly at0: number;
  /** The chunk's slots, and where this series' sorted window's region starts in them (see SlotArray). */
  private readonly slots: SlotArray;
  private readonly slotsAt: number;
  /**
   * The chunk's single-precision numbers, and where this series' histograms, burn rate's ring and
   * shared ring start in them (see SingleArray).
   */
  private readonly singles: SingleArray;
  private readonly binsAt: number;
  private readonly burnRingAt: number;
  /** Where this series' shared ring starts in `singles` (see Plan.ringAt). */
  private readonly ringAt: number;
  /** Where the burn rate's ring takes the next point (see touchLines). */
  private nextSloAt = 0;
  private readonly place: StatePlace;

  constructor(p: Plan, saved?: Float64Array) {
    const at = takePlace(p);
    const b = new Float64Array(at.chunk.arrays, 8 * p.stride * at.place, p.size);
    super(b, p);
    this.sd = at.chunk.profiles;
    this.sc = at.chunk.counts;
    this.whole = at.chunk.whole;
    this.at0 = p.stride * at.place;
    this.slots = at.chunk.slots;
    this.slotsAt = (8 / SlotArray.BYTES_PER_ELEMENT) * (this.at0 + p.sortedAt);
    this.singles = at.chunk.singles;
    this.binsAt = (8 / SingleArray.BYTES_PER_ELEMENT) * (this.at0 + p.calAt);
    this.burnRingAt = (8 / SingleArray.BYTES_PER_ELEMENT) * (this.at0 + p.sloRingAt);
    this.ringAt = (8 / SingleArray.BYTES_PER_ELEMENT) * (this.at0 + p.ringAt);
    this.sRow = 2 * at.chunk.places;
    this.sBase = 2 * at.place;
    // The place is free once the detector is collected: a caller may keep a reading after it has
    // let go of the detector, but the reading is the detector. Itself the token, for release.
    this.place = at;
    placesToFree.register(this, at, this);
    if (saved) this.load(saved);
    else this.coldStart();
    this.nextSloAt = sloWriteAt(b, p);
  }

  update(raw: number, ts: number): EnsembleReading {
    const p = this.p;
    if (p.seasonalIndex >= 0 && p.time.ts !== ts) seasonalTime(p.time, ts);
    if (lastUpdated !== this.id) {
      lastUpdated = this.id;
      touchLines(this.b, this.whole, this.at0, p, this.nextSloAt, this.sd, this.sc, this.sRow, this.sBase);
    }
    // The series' own first line only now: read before touchLines, its miss came ahead of the loads
    // that touchLines sends together.
    const b = this.b;
    const head = (b[HEAD] as number) | 0;

    const previous = b[PREVIOUS] as number;
    b[PREVIOUS] = raw;
    if (raw !== Math.floor(raw) && !Number.isNaN(raw)) b[p.fractionalAt] = 1;
    // Every member judges the point on the detectors' scale (value-scale.ts), in single precision:
    // as the shared ring keeps it (see SingleArray).
    if (p.sqrtScale) toSqrtScaleAt(b, PREVIOUS);
    const onScale = b[PREVIOUS] as number;
    let single = Math.fround(onScale);
    // A finite value past single precision's range (3.4e38) is kept as its largest number: as an
    // infinity it would stay in the series' scale and running sums for good.
    if (single !== onScale && (single === Number.POSITIVE_INFINITY || single === Number.NEGATIVE_INFINITY))
      single = single > 0 ? MAX_SINGLE : -MAX_SINGLE;
    b[PREVIOUS] = single;
    const value = single;
    if (!Number.isNaN(previous))
      b[SCALE] = (b[SCALE] as number) + p.scaleAlpha * (0.5 * Math.abs(value - previous) - (b[SCALE] as number));

    // --- Readings (each judged on the past only; the point is learned below). ---
    let readyMask = 0;
    // The point's value is b[PREVIOUS] from here on: no call below takes a double, which V8 would
    // box on the heap for every call it does not inline (update inlines only so much).
    if (readZscore(b, p)) readyMask |= 1 << ZSCORE;
    if (readMad(b, p, this.singles, this.ringAt, this.slots, this.slotsAt)) readyMask |= 1 << MAD;
    if (readLevelShift(b, p, this.singles, this.ringAt, head)) readyMask |= 1 << LEVEL;
    // Seasonal baseline (reads and learns).
    if (p.seasonalIndex >= 0 && readSeasonal(b, p, this.sd, this.sc, this.sRow, this.sBase))
      readyMask |= 1 << p.seasonalIndex;
    // Burn rate (learns, then reads).
    if (p.sloIndex >= 0 && readBurnRate(b, p, this.singles, this.burnRingAt)) readyMask |= 1 << p.sloIndex;
    // Slice detectors (see SliceDetector); in a method of their own, as update must have no loop.
    if (p.slices.length > 0) readyMask |= this.readSlices();

    // --- Learn the point: the shared ring and what each detector keeps of it. ---
    learnRecent(b, p, this.singles, this.ringAt, this.slots, this.slotsAt);
    if (p.slices.length > 0) this.learnSlices();

    // --- The ensemble (see the comment of createSeriesDetector). ---
    this.ensemble(readyMask);
    this.nextSloAt = sloWriteAt(b, p);
    return this;
  }

  /**
   * Each slice detector's reading of the point (see SliceDetector): the ready members' bits. The
   * first three are called each from a call site of its own: a plan has the same detector at a
   * place for all its series, so each site sees one function and V8 inlines it, where a loop's one
   * site sees them all and calls each (six calls a point). Any further ones in a loop.
   */
  private readSlices(): number {
    const b = this.b;
    const p = this.p;
    const slices = p.slices;
    const n = slices.length;
    const at = p.sliceAt;
    const out = p.memberAt + p.firstSlice * PER_MEMBER;
    let ready = 0;
    if ((slices[0] as SliceDetector).read(b, at[0] as number, out)) ready |= 1;
    if (n > 1 && (slices[1] as SliceDetector).read(b, at[1] as number, out + PER_MEMBER)) ready |= 2;
    if (n > 2 && (slices[2] as SliceDetector).read(b, at[2] as number, out + 2 * PER_MEMBER)) ready |= 4;
    for (let k = 3; k < n; k += 1)
      if ((slices[k] as SliceDetector).read(b, at[k] as number, out + k * PER_MEMBER)) ready |= 1 << k;
    return ready << p.firstSlice;
  }

  /** Each slice detector learns the point, the first three from call sites of their own (see readSlices). */
  private learnSlices(): void {
    const b = this.b;
    const slices = this.p.slices;
    const n = slices.length;
    const at = this.p.sliceAt;
    (slices[0] as SliceDetector).learn(b, at[0] as number);
    if (n > 1) (slices[1] as SliceDetector).learn(b, at[1] as number);
    if (n > 2) (slices[2] as SliceDetector).learn(b, at[2] as number);
    for (let k = 3; k < n; k += 1) (slices[k] as SliceDetector).learn(b, at[k] as number);
  }

  /**
   * The ensemble: every ready member's verdict, calibrated, then the seasonal veto, the choice and
   * the score. Apart from update so that update has no loop of its own: V8 (Node 20) may re-optimise
   * a function with a loop "on stack" (OSR) after a deoptimisation mid-run and then not compile it
   * whole again, so that every call starts in the interpreter: the streaming bench ran at under half
   * speed in 3 of 26 runs that way (none in 30 since). Here the loop comes first, so little runs
   * before it.
   */
  private ensemble(readyMask: number): void {
    const b = this.b;
    const p = this.p;
    const value = b[PREVIOUS] as number;
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
    // Members below this index (the rolling, level-shift and seasonal tests) measure deviations in a
    // sigma floored at a count's noise while every value so far is a whole count (Plan.countFloor).
    const countFloor = p.countFloor;
    const floored = countFloor > 0 && b[p.fractionalAt] === 0 ? p.firstSlice : 0;
    for (let i = 0; i < members; i += 1) {
      const m = memberAt + i * PER_MEMBER;
      // Fired on the previous point: an ongoing episode needs no new rarity to go on.
      const active = b[m + M_FIRED] === 1;
      b[m + M_SCORE] = 0;
      b[m + M_FIRED] = 0;
      if (((readyMask >> i) & 1) === 0) continue;
      let s = b[m + M_STAT] as number;
      if (i < floored && (b[m + M_SIGMA] as number) < countFloor) {
        s *= (b[m + M_SIGMA] as number) / countFloor;
        b[m + M_STAT] = s;
        b[m + M_SIGMA] = countFloor;
        if (i === p.seasonalIndex) handed[SEASONAL_WEAK] = s;
      }
      const threshold = thresholds[i] as number;
      let score: number;
      let fired: boolean;
      if (i < calibrated) {
        const allowed = s >= 0 ? p.wantsUp : p.wantsDown;
        const count = b[m + C_COUNT] as number;
        const trusted = count >= calibrationMinPoints;
        const tail = tailThenAdd(b, this.singles, this.binsAt, p, i, s);
        consulted += 1;
        if (!allowed) continue;
        score = 1 - tail;
        if (tail < minTail) minTail = tail;
        // Rarity opens an episode; the statistic alone keeps it open, so a sustained fault stays
        // anomalous after the calibration has learned that it is no longer rare. The rarity a
        // series' history can show (the gate, asked only of a statistic past its threshold): with
        // fewer points than minScore asks for (1 000 for 0.999), the most it can say is "rarer than
        // everything so far", so that is what is asked, once the series has a day of history
        // (before, its first morning would be a rarity). The minimum deviation is in the signal's
        // units: on the square-root scale, both ends turned back.
        const expected = b[m + M_EXP] as number;
        fired =
          Math.abs(s) >= threshold &&
          (active || !trusted || score >= (count >= p.youngFrom ? Math.min(minScore, 1 - 1 / count) : minScore)) &&
          Math.abs(p.sqrtScale ? fromSqrtScale(value) - fromSqrtScale(expected) : value - expected) >= minAbsDeviation;
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
    // The seasonal veto: when the same hour of past days explains this point, a detector that does
    // not know the time of day (the rolling tests, the season-blind slice detectors) that fires is
    // seeing the daily curve (the evening ramp, the nightly batch's spikes), not a fault.
    const seasonalIndex = p.seasonalIndex;
    // (A record, beyond anything the series did, is not explained by the same hour of past days.)
    if (
      bestFired >= 0 &&
      ((p.seasonBlind >> bestFired) & 1) === 1 &&
      seasonalIndex >= 0 &&
      Math.abs(handed[SEASONAL_WEAK] as number) < (thresholds[seasonalIndex] as number) / 2
    ) {
      bestFired = -1;
      for (let i = 0; i < members; i += 1) {
        const m = memberAt + i * PER_MEMBER;
        if (((p.seasonBlind >> i) & 1) === 1) b[m + M_FIRED] = 0;
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
  }

  /**
   * A detector that has seen nothing: what each detector starts from (the rest of the
   * place is zeros).
   */
  private coldStart(): void {
    const b = this.b;
    const p = this.p;
    b[SCALE] = 0;
    b[PREVIOUS] = Number.NaN;
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
    const sc = this.sc;
    const rows = savedProfiles(saved, 0, p);
    const counts = savedCounts(saved, 0, p);
    for (let k = 0; k < PROFILE_BUCKETS; k += 1) {
      const at = this.sRow * k + this.sBase;
      sd[at] = rows[2 * k] as number;
      sd[at + 1] = rows[2 * k + 1] as number;
      sc[at >> 1] = counts[k] as number;
    }
  }

  saveState(into: Float64Array, at: number): void {
    const p = this.p;
    into.set(this.b, at);
    if (p.seasonalIndex < 0) return;
    const sd = this.sd;
    const sc = this.sc;
    const rows = savedProfiles(into, at, p);
    const counts = savedCounts(into, at, p);
    for (let k = 0; k < PROFILE_BUCKETS; k += 1) {
      const from = this.sRow * k + this.sBase;
      rows[2 * k] = sd[from] as number;
      rows[2 * k + 1] = sd[from + 1] as number;
      counts[k] = sc[from >> 1] as number;
    }
  }

  release(): void {
    // Unregistered once: a second release gives nothing back twice.
    if (placesToFree.unregister(this)) givePlaceBack(this.place);
  }

  replaceSeasonal(seasonal: SeasonalBaselineState): void {
    if (this.p.seasonalIndex < 0) return;
    restoreProfile(this.sd, this.sc, this.sRow, this.sBase, 0, DAY_SLOTS, seasonal.day);
    restoreProfile(this.sd, this.sc, this.sRow, this.sBase, DAY_SLOTS, WEEK_HOURS, seasonal.week);
    this.b[S_LEVEL] = seasonal.level;
    this.b[S_LEVELCOUNT] = seasonal.levelCount;
  }

  seasonalDays(timestampMs: number): number | undefined {
    const p = this.p;
    if (p.seasonalIndex < 0 || !Number.isFinite(timestampMs)) return undefined;
    seasonalPosition(timestampMs, readyPosition);
    // The point has been learned since it was judged: its bucket counts it once more.
    const before = (this.sc[(this.sRow * readyPosition.dayBucket + this.sBase) >> 1] as number) - 1;
    return Math.max(0, Math.floor(before / p.pointsPerSlot));
  }

  seasonalState(): SeasonalBaselineState | null {
    if (this.p.seasonalIndex < 0) return null;
    return {
      day: profileState(this.sd, this.sc, this.sRow, this.sBase, 0, DAY_SLOTS),
      week: profileState(this.sd, this.sc, this.sRow, this.sBase, DAY_SLOTS, WEEK_HOURS),
      level: this.b[S_LEVEL] as number,
      levelCount: this.b[S_LEVELCOUNT] as number,
    };
  }

  state(): SeriesDetectorState {
    const b = this.b;
    const p = this.p;
    const window = (length: number) => {
      const values: number[] = [];
      for (let age = length - 1; age >= 0; age -= 1)
        values.push(this.singles[this.ringAt + ringIndex(b, p, age)] as number);
      return values;
    };
    const calibration: Record<string, TailCalibratorState> = {};
    for (let i = 0; i < p.calibrated; i += 1) {
      const s = p.memberAt + i * PER_MEMBER;
      const suffix: number[] = [];
      for (let k = 0; k < CALIBRATION_BINS; k += 1)
        suffix.push(this.singles[this.binsAt + i + k * p.calibrated] as number);
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
      for (let i = 0; i < n; i += 1)
        values.push(this.singles[this.burnRingAt + ((start + i) % p.sloCapacity)] as number);
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
      seasonal: this.seasonalState(),
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
    };
  }
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
  return new EnsembleSeriesDetector(plan, saved);
}
