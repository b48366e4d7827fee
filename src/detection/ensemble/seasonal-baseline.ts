import type { CountArray, Plan, ProfileArray } from './layout.js';
import * as layout from './layout.js';

// What this module uses of the others as constants of its own (see layout.ts: an imported binding
// costs at every use).
const {
  EXPECTED_DEV,
  EXPECTED_MEAN,
  LEARN_SCALE,
  LEARN_VALUE,
  MAX_PROFILE_COUNT,
  M_EXP,
  M_SIGMA,
  M_STAT,
  PER_MEMBER,
  PREVIOUS,
  S_LEVEL,
  S_LEVELCOUNT,
  SCALE,
  SEASONAL_WEAK,
  handed,
} = layout;

/**
 * The seasonal baseline: expected value and band from the same time of day (24 hourly buckets)
 * and, once two weeks have been seen, the same hour of the week (168 buckets), so Monday morning is
 * not compared with Sunday night. Hourly buckets keep the state small (~1.9 KB) at any step; the
 * expectation is interpolated between neighbouring buckets so a smooth daily curve is followed
 * within the hour. The profiles hold the shape (deviation from the long-run level), the level the
 * rest: a running mean, then an exponential one over a quarter, so the shape is learned against a
 * stable reference.
 */

const HOUR_MS = 3_600_000;
/** Hourly buckets for the day profile: enough points per bucket to learn from, small state. */
const DAY_SLOT_MS = 60 * 60_000;
// Used here under names of this module's own: an exported binding is read like an imported one
// (see layout.ts), a module's own constant is folded into the code.
const SLOTS_PER_DAY = 86_400_000 / DAY_SLOT_MS;
const HOURS_PER_WEEK = 168;
export const DAY_SLOTS = SLOTS_PER_DAY;
export const WEEK_HOURS = HOURS_PER_WEEK;
// 1970-01-01 was a Thursday: shift so that hour-of-week 0 is Monday 00:00 UTC.
const EPOCH_WEEK_OFFSET_HOURS = 3 * 24;
/** Values further than this many sigmas from a bucket's mean are clipped before it learns them. */
const WINSOR = 2;
export const LEVEL_DAYS = 90;

/** Where a timestamp falls in the week and day profiles, and how far into its bucket. */
export interface SeasonalPosition {
  weekBucket: number;
  /** Fraction of the hour elapsed (0..1). */
  frac: number;
  dayBucket: number;
  slotFrac: number;
}

/** Fills `out` (reused: this runs for every point of every series) with the position of `ts`. */
export function seasonalPosition(ts: number, out: SeasonalPosition): void {
  const hours = ts / HOUR_MS;
  const hourOfEpoch = Math.floor(hours);
  out.frac = hours - hourOfEpoch;
  const slots = ts / DAY_SLOT_MS;
  const slotOfEpoch = Math.floor(slots);
  out.slotFrac = slots - slotOfEpoch;
  out.dayBucket = ((slotOfEpoch % SLOTS_PER_DAY) + SLOTS_PER_DAY) % SLOTS_PER_DAY;
  out.weekBucket = (((hourOfEpoch + EPOCH_WEEK_OFFSET_HOURS) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
}

export interface SeasonalProfileState {
  mean: number[];
  dev: number[];
  count: number[];
}

export interface SeasonalBaselineState {
  day: SeasonalProfileState;
  week: SeasonalProfileState;
  /** The long-run level the profiles are relative to. */
  level: number;
  levelCount: number;
}

/** Days a day-of-week profile remembers (exponential forgetting). */
const SEASONAL_MEMORY_DAYS = 3;
/** Day buckets, then week hours: a series' profile buckets (see StateChunk). */
export const PROFILE_BUCKETS = SLOTS_PER_DAY + HOURS_PER_WEEK;

/** The seasonal baseline's part of the plan, for a step of `stepMs`. */
export function seasonalPlan(
  stepMs: number,
): Pick<
  Plan,
  | 'pointsPerHour'
  | 'pointsPerSlot'
  | 'dayAlpha'
  | 'weekAlpha'
  | 'dayReady'
  | 'weekReady'
  | 'levelAlpha'
  | 'dayAlphaFrom'
  | 'weekAlphaFrom'
  | 'levelAlphaFrom'
  | 'time'
> {
  const pointsPerHour = Math.max(1, HOUR_MS / stepMs);
  const pointsPerSlot = Math.max(1, DAY_SLOT_MS / stepMs);
  // A day bucket sees pointsPerSlot points a day, a week bucket pointsPerHour points a week.
  return {
    pointsPerHour,
    pointsPerSlot,
    dayAlpha: 1 / (pointsPerSlot * SEASONAL_MEMORY_DAYS),
    weekAlpha: 1 / (pointsPerHour * 2),
    dayReady: pointsPerSlot * 2,
    weekReady: pointsPerHour * 2,
    levelAlpha: stepMs / (LEVEL_DAYS * 86_400_000),
    dayAlphaFrom: reciprocalAtMost(1 / (pointsPerSlot * SEASONAL_MEMORY_DAYS)),
    weekAlphaFrom: reciprocalAtMost(1 / (pointsPerHour * 2)),
    levelAlphaFrom: reciprocalAtMost(stepMs / (LEVEL_DAYS * 86_400_000)),
    time: { ts: Number.NaN, dayHere: 0, dayOther: 0, dayW: 0, weekHere: 0, weekOther: 0, weekW: 0 },
  };
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

/**
 * Where a timestamp falls in the seasonal profiles: the bucket, the neighbour the expectation leans
 * towards and how far. Depends on the time only, so the tick computes it once for all its series.
 */
export interface SeasonalTime {
  ts: number;
  dayHere: number;
  dayOther: number;
  dayW: number;
  weekHere: number;
  weekOther: number;
  weekW: number;
}

const position: SeasonalPosition = { weekBucket: 0, frac: 0, dayBucket: 0, slotFrac: 0 };

/** Fills `t` with where `ts` falls (see SeasonalTime). */
export function seasonalTime(t: SeasonalTime, ts: number): void {
  seasonalPosition(ts, position);
  const { frac, slotFrac, dayBucket, weekBucket } = position;
  t.ts = ts;
  // Small integers (| 0 keeps them so, as indices, rather than doubles converted at every use).
  t.dayHere = (dayBucket % SLOTS_PER_DAY) | 0;
  t.dayOther =
    (slotFrac >= 0.5 ? (t.dayHere + 1) % SLOTS_PER_DAY : (t.dayHere + SLOTS_PER_DAY - 1) % SLOTS_PER_DAY) | 0;
  t.dayW = slotFrac >= 0.5 ? slotFrac - 0.5 : 0.5 - slotFrac;
  t.weekHere = (weekBucket % HOURS_PER_WEEK) | 0;
  t.weekOther =
    (frac >= 0.5 ? (t.weekHere + 1) % HOURS_PER_WEEK : (t.weekHere + HOURS_PER_WEEK - 1) % HOURS_PER_WEEK) | 0;
  t.weekW = frac >= 0.5 ? frac - 0.5 : 0.5 - frac;
}

/**
 * The seasonal baseline's reading of the point (b[PREVIOUS]), then learning it; true when ready. The series' array
 * is `b`; its profiles are the buckets at row × k + base of `sd` (mean, deviation), whose counts are
 * at half that index of `counts` (see StateChunk), and p.time is where the point's timestamp falls
 * (seasonalTime).
 */
export function readSeasonal(
  b: Float64Array,
  p: Plan,
  sd: ProfileArray,
  counts: CountArray,
  row: number,
  base: number,
): boolean {
  const value = b[PREVIOUS] as number;
  const scale = b[SCALE] as number;
  const t = p.time;
  const dayHere = row * t.dayHere + base;
  const dayOther = row * t.dayOther + base;
  const weekHere = row * (SLOTS_PER_DAY + t.weekHere) + base;
  const fromWeek = expect(sd, counts, weekHere, row * (SLOTS_PER_DAY + t.weekOther) + base, t, true, p.weekReady);
  const ready = fromWeek || expect(sd, counts, dayHere, dayOther, t, false, p.dayReady);
  const level = b[S_LEVEL] as number;
  if (ready) {
    const mean = level + (handed[EXPECTED_MEAN] as number);
    // Mean absolute deviation × 1.25 ≈ standard deviation for normal noise.
    const sigma = Math.max((handed[EXPECTED_DEV] as number) * 1.25, Math.abs(mean) * 0.01, scale, 1e-9);
    const m = p.memberAt + p.seasonalIndex * PER_MEMBER;
    const statistic = (value - mean) / sigma;
    b[m + M_STAT] = statistic;
    b[m + M_EXP] = mean;
    b[m + M_SIGMA] = sigma;
    handed[SEASONAL_WEAK] = statistic;
  } else {
    handed[SEASONAL_WEAK] = Number.NaN;
    if (expect(sd, counts, dayHere, dayOther, t, false, p.pointsPerSlot)) {
      const mean = level + (handed[EXPECTED_MEAN] as number);
      handed[SEASONAL_WEAK] =
        (value - mean) / Math.max((handed[EXPECTED_DEV] as number) * 1.25, Math.abs(mean) * 0.01, scale, 1e-9);
    }
  }
  const shapeNow = ready || expect(sd, counts, dayHere, dayOther, t, false, 1) ? (handed[EXPECTED_MEAN] as number) : 0;
  const levelCount = (b[S_LEVELCOUNT] as number) + 1;
  b[S_LEVELCOUNT] = levelCount;
  const rate = levelCount >= p.levelAlphaFrom ? p.levelAlpha : Math.max(p.levelAlpha, 1 / levelCount);
  const learned = level + rate * (value - shapeNow - level);
  b[S_LEVEL] = learned;
  handed[LEARN_VALUE] = value - learned;
  handed[LEARN_SCALE] = scale;
  learn(sd, counts, dayHere, p.dayAlpha, p.dayAlphaFrom, p.dayReady);
  learn(sd, counts, weekHere, p.weekAlpha, p.weekAlphaFrom, p.weekReady);
  return ready;
}

/**
 * The expectation from bucket `here`, leaning towards `other` by the week's or the day's weight of
 * time t (read here rather than passed: V8 does not inline every call, and would box it), in
 * handed[EXPECTED_MEAN] and handed[EXPECTED_DEV]; false while `here` has fewer than `ready` points.
 */
function expect(
  b: ProfileArray,
  counts: CountArray,
  here: number,
  other: number,
  t: SeasonalTime,
  week: boolean,
  ready: number,
): boolean {
  const w = week ? t.weekW : t.dayW;
  if ((counts[here >> 1] as number) < ready) return false;
  if ((counts[other >> 1] as number) < ready) {
    handed[EXPECTED_MEAN] = b[here] as number;
    handed[EXPECTED_DEV] = b[here + 1] as number;
    return true;
  }
  const a = b[here] as number;
  const bm = b[other] as number;
  // Interpolating is right for a smooth daily curve and wrong for a step at the hour (a batch job,
  // a shift change): widen the band by how much the neighbours disagree, times how far the
  // interpolation reached towards the other one.
  handed[EXPECTED_DEV] = (1 - w) * (b[here + 1] as number) + w * (b[other + 1] as number) + w * Math.abs(bm - a);
  handed[EXPECTED_MEAN] = (1 - w) * a + w * bm;
  return true;
}

/** Learns handed[LEARN_VALUE] into the bucket at `at`, with handed[LEARN_SCALE] the series' scale. */
function learn(b: ProfileArray, counts: CountArray, at: number, alpha: number, alphaFrom: number, ready: number): void {
  const value = handed[LEARN_VALUE] as number;
  const scale = handed[LEARN_SCALE] as number;
  const c = counts[at >> 1] as number;
  const c1 = c + 1;
  const a = c1 >= alphaFrom ? alpha : Math.max(alpha, 1 / c1);
  const m = b[at] as number;
  const d = b[at + 1] as number;
  // Winsorised once the bucket has history: an anomaly must not teach the profile in an hour what
  // normal looks like (it would also widen the band and hide itself).
  const limit = WINSOR * Math.max(d * 1.25, Math.abs(m) * 0.01, scale, 1e-9);
  const x = c >= ready ? Math.min(m + limit, Math.max(m - limit, value)) : value;
  b[at] = m + a * (x - m);
  b[at + 1] = d + a * (Math.abs(x - m) - d);
  // Saturates (see CountArray): a Uint16Array would store 65 536 as 0.
  if (c < MAX_PROFILE_COUNT) counts[at >> 1] = c + 1;
}

/**
 * Profile buckets first..first+buckets-1 of a series whose bucket k is at row × k + base of sd, its
 * count at half that index of counts.
 */
export function restoreProfile(
  sd: ProfileArray,
  counts: CountArray,
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
    counts[at >> 1] = Math.min(count[k] as number, MAX_PROFILE_COUNT);
  }
}

/** The profile buckets first..first+buckets-1 as restoreProfile takes them. */
export function profileState(
  sd: ProfileArray,
  counts: CountArray,
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
    count.push(counts[at >> 1] as number);
  }
  return { mean, dev, count };
}
