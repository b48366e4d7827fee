import { type Allocate, heapAllocate } from './arena.js';
import { type Detector, newReading, type ScaleFloor, setDeviation, spreadFloor } from './detector.js';

const HOUR_MS = 3_600_000;
/** Hourly buckets for the day profile: enough points per bucket to learn from, small state. */
const DAY_SLOT_MS = 60 * 60_000;
export const DAY_SLOTS = 86_400_000 / DAY_SLOT_MS;
export const WEEK_HOURS = 168;
// 1970-01-01 was a Thursday: shift so that hour-of-week 0 is Monday 00:00 UTC.
const EPOCH_WEEK_OFFSET_HOURS = 3 * 24;
/** Values further than this many sigmas from a bucket's mean are clipped before it learns them. */
export const WINSOR = 2;
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
  out.dayBucket = ((slotOfEpoch % DAY_SLOTS) + DAY_SLOTS) % DAY_SLOTS;
  out.weekBucket = (((hourOfEpoch + EPOCH_WEEK_OFFSET_HOURS) % WEEK_HOURS) + WEEK_HOURS) % WEEK_HOURS;
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

interface Profile {
  mean: Float64Array;
  dev: Float64Array;
  count: Float64Array;
}

function newProfile(buckets: number, alloc: Allocate, initial?: SeasonalProfileState): Profile {
  const p = { mean: alloc(buckets), dev: alloc(buckets), count: alloc(buckets) };
  if (initial && initial.mean.length === buckets) {
    p.mean.set(initial.mean);
    p.dev.set(initial.dev);
    p.count.set(initial.count);
  }
  return p;
}

function profileState(p: Profile): SeasonalProfileState {
  return { mean: Array.from(p.mean), dev: Array.from(p.dev), count: Array.from(p.count) };
}

export interface SeasonalOptions {
  stepMs: number;
  threshold: number;
  /** Days a day-of-week profile remembers (exponential forgetting). */
  memoryDays: number;
  scale?: ScaleFloor;
}

/**
 * Expected value and band from the same time of day (24 hourly buckets) and, once two weeks have
 * been seen, the same hour of the week (168 buckets), so Monday morning is not compared with Sunday
 * night. Hourly buckets keep the state small (~4 KB) at any step; the expectation is interpolated
 * between neighbouring buckets so a smooth daily curve is followed within the hour.
 */
export function createSeasonalBaseline(
  options: SeasonalOptions,
  initial?: SeasonalBaselineState,
  alloc: Allocate = heapAllocate,
): Detector<SeasonalBaselineState> {
  const day = newProfile(DAY_SLOTS, alloc, initial?.day);
  const week = newProfile(WEEK_HOURS, alloc, initial?.week);
  const pointsPerHour = Math.max(1, HOUR_MS / options.stepMs);
  const pointsPerSlot = Math.max(1, DAY_SLOT_MS / options.stepMs);
  // A day bucket sees pointsPerSlot points a day, a week bucket pointsPerHour points a week.
  const dayAlpha = 1 / (pointsPerSlot * options.memoryDays);
  const weekAlpha = 1 / (pointsPerHour * 2);
  const dayReady = pointsPerSlot * 2;
  const weekReady = pointsPerHour * 2;
  const reading = newReading(options.threshold);
  // The profiles hold the shape (deviation from the long-run level), the level the rest: a running
  // mean, then an exponential one over a quarter, so the shape is learned against a stable reference.
  let level = initial?.level ?? 0;
  let levelCount = initial?.levelCount ?? 0;
  const levelAlpha = options.stepMs / (LEVEL_DAYS * 86_400_000);

  function learn(p: Profile, bucket: number, value: number, alpha: number, ready: number) {
    const c = p.count[bucket] as number;
    const a = Math.max(alpha, 1 / (c + 1));
    const m = p.mean[bucket] as number;
    const d = p.dev[bucket] as number;
    // Winsorised once the bucket has history: an anomaly must not teach the profile in an hour what
    // normal looks like (it would also widen the band and hide itself).
    const limit = WINSOR * Math.max(d * 1.25, spreadFloor(m, options.scale));
    const x = c >= ready ? Math.min(m + limit, Math.max(m - limit, value)) : value;
    p.mean[bucket] = m + a * (x - m);
    p.dev[bucket] = d + a * (Math.abs(x - m) - d);
    p.count[bucket] = c + 1;
  }

  // The expectation of the last expect() call: scratch fields, not an array per point.
  let expectedMean = 0;
  let expectedDev = 0;

  function expect(p: Profile, hour: number, frac: number, size: number, ready: number): boolean {
    const here = hour % size;
    // Interpolate towards the neighbour on the side of the hour we are in.
    const other = frac >= 0.5 ? (here + 1) % size : (here + size - 1) % size;
    if ((p.count[here] as number) < ready) return false;
    const w = frac >= 0.5 ? frac - 0.5 : 0.5 - frac;
    if ((p.count[other] as number) < ready) {
      expectedMean = p.mean[here] as number;
      expectedDev = p.dev[here] as number;
      return true;
    }
    const a = p.mean[here] as number;
    const b = p.mean[other] as number;
    // Interpolating is right for a smooth daily curve and wrong for a step at the hour (a batch
    // job, a shift change): widen the band by how much the neighbours disagree, times how far the
    // interpolation reached towards the other one.
    expectedDev = (1 - w) * (p.dev[here] as number) + w * (p.dev[other] as number) + w * Math.abs(b - a);
    expectedMean = (1 - w) * a + w * b;
    return true;
  }

  const position: SeasonalPosition = { weekBucket: 0, frac: 0, dayBucket: 0, slotFrac: 0 };
  return {
    name: 'seasonal',
    update(value, ts) {
      seasonalPosition(ts, position);
      const { frac, slotFrac, dayBucket, weekBucket } = position;
      const fromWeek = expect(week, weekBucket, frac, WEEK_HOURS, weekReady);
      reading.ready = fromWeek || expect(day, dayBucket, slotFrac, DAY_SLOTS, dayReady);
      if (reading.ready) {
        const mean = level + expectedMean;
        // Mean absolute deviation × 1.25 ≈ standard deviation for normal noise.
        const sigma = Math.max(expectedDev * 1.25, spreadFloor(mean, options.scale));
        setDeviation(reading, value, mean, sigma);
      }
      reading.weakStatistic = reading.ready ? reading.statistic : Number.NaN;
      if (!reading.ready && expect(day, dayBucket, slotFrac, DAY_SLOTS, pointsPerSlot)) {
        const mean = level + expectedMean;
        reading.weakStatistic = (value - mean) / Math.max(expectedDev * 1.25, spreadFloor(mean, options.scale));
      }
      const shapeNow = reading.ready || expect(day, dayBucket, slotFrac, DAY_SLOTS, 1) ? expectedMean : 0;
      levelCount += 1;
      level += Math.max(levelAlpha, 1 / levelCount) * (value - shapeNow - level);
      learn(day, dayBucket, value - level, dayAlpha, dayReady);
      learn(week, weekBucket, value - level, weekAlpha, weekReady);
      return reading;
    },
    state: () => ({ day: profileState(day), week: profileState(week), level, levelCount }),
  };
}
