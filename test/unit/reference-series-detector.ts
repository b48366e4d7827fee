/**
 * The series ensemble as written before it was fused into one array per series (see
 * src/detection/create-series-detector.ts): the detectors of src/detection/detectors/ composed as
 * objects. Kept unchanged as the reference the fused detector must match bit for bit.
 */
import type { DetectorName } from '../../src/contracts/index.js';
import type {
  DetectorVerdict,
  EnsembleReading,
  SeriesDetector,
  SeriesDetectorOptions,
  SeriesDetectorState,
} from '../../src/detection/create-series-detector.js';
import { createArena } from '../../src/detection/detectors/arena.js';
import {
  type Detector,
  type DetectorReading,
  newReading,
  type ScaleFloor,
  setDeviation,
} from '../../src/detection/detectors/detector.js';
import { createLevelShift, type LevelShiftState } from '../../src/detection/detectors/level-shift.js';
import { createRobustMad, type RobustMadState } from '../../src/detection/detectors/robust-mad.js';
import { createRollingZscore, type RollingZscoreState } from '../../src/detection/detectors/rolling-zscore.js';
import { createSeasonalBaseline, type SeasonalBaselineState } from '../../src/detection/detectors/seasonal-baseline.js';
import type { SliceDetector } from '../../src/detection/detectors/slice-detector.js';
import { sliceDetectorsFor } from '../../src/detection/detectors/slice-detectors.js';
import { createSloBurnRate, type SloBurnRateState } from '../../src/detection/detectors/slo-burn-rate.js';
import {
  CALIBRATION_BINS,
  createTailCalibrator,
  type TailCalibrator,
  type TailCalibratorState,
} from '../../src/detection/detectors/tail-calibrator.js';

/** The detectors the seasonal veto silences: those that only know the last window. */
const ROLLING = new Set<DetectorName>(['rolling_zscore', 'robust_mad', 'level_shift']);

/** Slice detectors as members here: theirs is the one implementation, composed as an object. */
const SLICES = new WeakSet<Detector<unknown>>();

function sliceMember(d: SliceDetector, scale: ScaleFloor, initial?: number[]): Detector<unknown> {
  const slice = new Float64Array(d.doubles);
  if (initial) slice.set(initial);
  else d.start(slice, 0);
  const out = new Float64Array(3);
  const reading = newReading(d.threshold);
  const member: Detector<number[]> = {
    name: d.name,
    update(value) {
      reading.ready = d.read(slice, 0, value, scale.value, out, 0);
      if (reading.ready) setDeviation(reading, value, out[1] as number, out[2] as number);
      d.learn(slice, 0, value);
      return reading;
    },
    state: () => Array.from(slice),
  };
  SLICES.add(member);
  return member;
}

interface Member {
  detector: Detector<unknown>;
  /** This detector fired on the previous point: an ongoing episode needs no new rarity to go on. */
  active: boolean;
  calibrator: TailCalibrator | null;
  verdict: DetectorVerdict;
  reading: DetectorReading | null;
}

/**
 * Maps a parametric statistic to 0..1 (0.5 at the threshold): used where rarity makes no sense.
 * 1 - 2^-(ratio²), as -expm1(-ln 2 · ratio²): the same number, exact for small ratios too, and
 * several times cheaper than a power.
 */
export function scoreFromStatistic(statistic: number, threshold: number): number {
  const ratio = Math.abs(statistic) / threshold;
  return -Math.expm1(-Math.LN2 * (ratio * ratio));
}

function recentPoints(options: SeriesDetectorOptions): number {
  return Math.max(2, Math.min(options.levelShiftRecent, Math.floor(options.windowPoints / 3)));
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
 */
export function createReferenceSeriesDetector(
  options: SeriesDetectorOptions,
  initial?: SeriesDetectorState,
): Pick<SeriesDetector, 'update' | 'state'> {
  // The series' typical point-to-point change (EWMA of |Δx|), the floor of every detector's spread.
  const scale: ScaleFloor = { value: initial?.scale ?? 0 };
  const scaleAlpha = 1 / Math.max(10, options.windowPoints);
  let previous = initial?.previous ?? Number.NaN;
  const window = { window: options.windowPoints, minPoints: options.minPoints, scale };
  // Every array of this series in one contiguous buffer (see arena.ts).
  const sloLength = options.slo
    ? Math.max(...options.slo.windows.map((w) => Math.ceil((w.longSeconds * 1000) / options.stepMs))) +
      4 * options.slo.windows.length
    : 0;
  const alloc = createArena(
    options.windowPoints * 4 +
      recentPoints(options) +
      (options.seasonal ? 3 * (24 + 168) : 0) +
      sloLength +
      5 * CALIBRATION_BINS,
  );
  const recent = recentPoints(options);
  const detectors: Array<Detector<unknown>> = [
    createRollingZscore({ ...window, threshold: options.zscoreThreshold }, initial?.zscore, alloc),
    createRobustMad({ ...window, threshold: options.madThreshold }, initial?.mad, alloc),
    createLevelShift(
      {
        recent,
        reference: options.windowPoints,
        minPoints: options.minPoints,
        threshold: options.levelShiftThreshold,
        scale,
      },
      initial?.levelShift,
      alloc,
    ),
  ];
  if (options.seasonal) {
    detectors.push(
      createSeasonalBaseline(
        { stepMs: options.stepMs, threshold: options.seasonalThreshold, memoryDays: 3, scale },
        initial?.seasonal ?? undefined,
        alloc,
      ),
    );
  }
  for (const d of sliceDetectorsFor(options)) detectors.push(sliceMember(d, scale, initial?.slices[d.name]));
  if (options.slo) {
    detectors.push(
      createSloBurnRate(
        { objective: options.slo.objective, stepMs: options.stepMs, windows: options.slo.windows },
        initial?.slo ?? undefined,
        alloc,
      ),
    );
  }
  const members: Member[] = detectors.map((detector) => ({
    detector,
    // Burn rates are judged against the error budget, not against how rare they are.
    calibrator:
      detector.name === 'slo_burn_rate'
        ? null
        : createTailCalibrator(options.calibrationHalfLife, initial?.calibration[detector.name], alloc),
    verdict: { name: detector.name, statistic: 0, threshold: 0, score: 0, fired: false },
    reading: null,
    active: false,
  }));
  const verdicts = members.map((m) => m.verdict);
  const seasonalMember = members.find((m) => m.detector.name === 'seasonal');
  const result: EnsembleReading = {
    ready: false,
    anomalous: false,
    score: 0,
    onsetScore: 0,
    primary: verdicts[0] as DetectorVerdict,
    expected: 0,
    lower: 0,
    upper: 0,
    direction: 'up',
    verdicts,
  };
  // Peak surprise (-log10 of the tail) of the recent past, forgotten with a half-life of two windows.
  let peak = initial?.peak ?? 0;
  const peakDecay = 2 ** (-0.5 / options.windowPoints);
  const wantsUp = options.direction !== 'down';
  const wantsDown = options.direction !== 'up';

  return {
    update(value, ts) {
      if (!Number.isNaN(previous)) scale.value += scaleAlpha * (0.5 * Math.abs(value - previous) - scale.value);
      previous = value;
      let ready = false;
      let minTail = 1;
      let consulted = 0;
      let best: Member | null = null;
      let bestFired: Member | null = null;
      let burnScore = 0;
      for (const m of members) {
        const r = m.detector.update(value, ts);
        const v = m.verdict;
        m.reading = r;
        v.statistic = r.statistic;
        v.threshold = r.threshold;
        v.score = 0;
        v.fired = false;
        if (!r.ready) {
          m.active = false;
          continue;
        }
        ready = true;
        const s = r.statistic;
        const allowed = m.calibrator === null ? s > 0 : s >= 0 ? wantsUp : wantsDown;
        if (m.calibrator) {
          const cal = m.calibrator;
          const trusted = cal.count() >= options.calibrationMinPoints;
          const tail = cal.tailThenAdd(s);
          consulted += 1;
          if (!allowed) {
            m.active = false;
            continue;
          }
          v.score = 1 - tail;
          if (tail < minTail) minTail = tail;
          // Rarity opens an episode; the statistic alone keeps it open, so a sustained fault stays
          // anomalous after the calibration has learned that it is no longer rare.
          v.fired =
            Math.abs(s) >= r.threshold &&
            (m.active || !trusted || v.score >= options.minScore) &&
            Math.abs(value - r.expected) >= options.minAbsDeviation;
          m.active = v.fired;
        } else {
          if (!allowed) {
            m.active = false;
            continue;
          }
          v.score = scoreFromStatistic(s, r.threshold);
          burnScore = v.score;
          v.fired = s >= r.threshold;
          m.active = v.fired;
        }
        if (!best || v.score > best.verdict.score) best = m;
        if (v.fired && (!bestFired || v.score > bestFired.verdict.score)) bestFired = m;
      }
      // The seasonal veto: when the same hour of past days explains this point, a rolling detector
      // that fires is seeing the daily curve (the evening ramp), not a fault.
      // (A record, beyond anything the series did, is not explained by the same hour of past days.)
      const seasonal = seasonalMember;
      if (
        bestFired &&
        ROLLING.has(bestFired.detector.name) &&
        seasonal?.reading &&
        Math.abs(seasonal.reading.weakStatistic) < seasonal.reading.threshold / 2
      ) {
        for (const m of members) {
          if (ROLLING.has(m.detector.name)) {
            m.verdict.fired = false;
            m.active = false;
          }
        }
        bestFired = members.find((m) => m.verdict.fired) ?? null;
      }
      const chosen = bestFired ?? best ?? (members[0] as Member);
      const r = chosen.reading as DetectorReading;
      result.ready = ready;
      result.anomalous = bestFired !== null;
      // Bonferroni: consulting more detectors makes some small tail likelier by chance.
      // Bonferroni: consulting more detectors makes some small tail likelier by chance.
      result.score = Math.max(burnScore, consulted > 0 ? 1 - Math.min(1, minTail * consulted) : 0);
      const surprise = result.score > 0 ? -Math.log10(Math.max(1e-300, 1 - result.score)) : 0;
      const previousPeak = peak * peakDecay;
      // Only what exceeds the recent peak is news; the rest of an episode is told at half strength.
      const news = surprise > previousPeak ? surprise : surprise * 0.5;
      peak = previousPeak > surprise ? previousPeak : surprise;
      result.onsetScore = news > 0 ? 1 - 10 ** -news : 0;
      result.primary = chosen.verdict;
      result.expected = r.expected;
      result.lower = r.lower;
      result.upper = r.upper;
      result.direction = value >= r.expected ? 'up' : 'down';
      return result;
    },
    state() {
      const get = <T>(name: DetectorName) =>
        members.find((m) => m.detector.name === name)?.detector.state() as T | undefined;
      const calibration: Record<string, TailCalibratorState> = {};
      for (const m of members) if (m.calibrator) calibration[m.detector.name] = m.calibrator.state();
      return {
        version: 1,
        zscore: get<RollingZscoreState>('rolling_zscore') as RollingZscoreState,
        mad: get<RobustMadState>('robust_mad') as RobustMadState,
        levelShift: get<LevelShiftState>('level_shift') as LevelShiftState,
        seasonal: get<SeasonalBaselineState>('seasonal') ?? null,
        slo: get<SloBurnRateState>('slo_burn_rate') ?? null,
        calibration,
        slices: Object.fromEntries(
          members.filter((m) => SLICES.has(m.detector)).map((m) => [m.detector.name, m.detector.state() as number[]]),
        ),
        scale: scale.value,
        previous,
        peak,
      };
    },
  };
}
