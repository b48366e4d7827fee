import type { RecalibrationConfig, SignalConfig, VigilConfig } from '../config/config-schema.js';
import { errorMessage } from '../errors.js';
import { createTimeSlicer } from '../event-loop/create-time-slicer.js';
import type { Logger } from '../logger.js';
import { planHistoryChunks } from '../sources/plan-history-chunks.js';
import type { SampleBatch, SampleSource } from '../sources/sample-source.js';
import type { CalibrationChange, DetectorStateRepo } from '../storage/detector-state-repo.js';
import type {
  FeedbackAdjustment,
  FeedbackCalibrationRepo,
  SeriesFeedbackState,
} from '../storage/feedback-calibration-repo.js';
import { readSeriesHistory, type SeriesHistoryReader, type SeriesHistorySummary } from './calibrate-series-history.js';
import type { DetectionEngine } from './create-detection-engine.js';
import type { SeasonalBaselineState } from './ensemble/seasonal-baseline.js';
import { feedbackMinScore, feedbackStep } from './feedback-adjustment.js';
import { seriesDetectorOptions } from './series-detector-options.js';

const DAY_MS = 86_400_000;
/** Never stricter than one alert-worthy point in a million. */
const MAX_MIN_SCORE = 0.999999;
/**
 * Series read together: a slice of a signal's services whose series add up to about this many.
 * What one slice holds is about 20 KB per series (its detectors and onsets), so ~10 MB, whatever
 * the history length or the number of series.
 */
export const SLICE_SERIES = 250;
/**
 * Points in one answer: ~30-40 bytes each as JSON, so 1.5-2 MB per response; a week of a slice
 * (250 series) at 5 minutes is 11 requests. The detection thread holds two answers (text, then
 * columns) and V8 sizes its heap to about twice what is live at each collection: with 100 000
 * points its heap peaked ~8 MB higher during a recalibration at 10 000 series (bench:tick), for a
 * few seconds less in all.
 */
export const MAX_POINTS_PER_ANSWER = 50_000;

export interface RecalibrationDeps {
  config: Pick<VigilConfig, 'signals' | 'detection' | 'prometheus'> & { recalibration: RecalibrationConfig };
  source: SampleSource;
  engine: DetectionEngine;
  repo: DetectorStateRepo;
  /** People's labels and what they did to each series' threshold (see feedback-adjustment.ts). */
  feedback?: FeedbackCalibrationRepo;
  logger: Logger;
}

export interface RecalibrationReport {
  runId: number;
  status: 'ok' | 'failed';
  series: number;
  changes: CalibrationChange[];
  /** Thresholds moved by people's labels in this run (their min_score changes are in `changes` too). */
  feedbackChanges: FeedbackAdjustment[];
  seasonalRebuilt: number;
  error?: string;
}

/** One chunk of a slice's history, its request already sent. */
interface HistoryRead {
  signal: SignalConfig;
  /** After this chunk the slice's series are read whole and can be finished. */
  lastOfSlice: boolean;
  answer: Promise<SampleBatch>;
}

/** The series of the slice being read, each with its reader. */
interface SliceInProgress {
  options: ReturnType<typeof seriesDetectorOptions>;
  readers: Map<string, SeriesHistoryReader>;
}

/**
 * Asks for the next read, which starts its request (and, at a signal's start, that signal's series
 * query first). Awaited later; marked handled now so that a failure meanwhile is not an unhandled
 * rejection.
 */
function requestNext(reads: AsyncGenerator<HistoryRead>): Promise<IteratorResult<HistoryRead>> {
  const next = reads.next();
  next.catch(() => {});
  return next;
}

/** Services of a signal packed into slices of about SLICE_SERIES series (a larger service alone). */
function slicesOf(seriesPerService: ReadonlyMap<string, number>): Array<{ services: string[]; series: number }> {
  const slices: Array<{ services: string[]; series: number }> = [];
  let current = { services: [] as string[], series: 0 };
  for (const [service, count] of seriesPerService) {
    if (current.services.length > 0 && current.series + count > SLICE_SERIES) {
      slices.push(current);
      current = { services: [], series: 0 };
    }
    current.services.push(service);
    current.series += count;
  }
  if (current.services.length > 0) slices.push(current);
  return slices;
}

/**
 * The slow path, e.g. hourly: reads days of history at a coarse step, rebuilds each series' seasonal
 * baseline from it, and sets each series' minimum calibrated score so that it would have alerted
 * about `target_alerts_per_day` times a day, then moves it by what people's labels say (stricter for a
 * series whose new labels are mostly noisy, looser for one mostly late: feedback-adjustment.ts).
 *
 * It streams: a signal's series are read a slice of services at a time, each slice's history in
 * time chunks of bounded size, each point into online detectors, so memory and answer sizes are
 * bounded whatever the number of series or days; the next chunk (of the next slice or signal too)
 * is requested before the current one is scored and its slice finished, so Prometheus and the
 * detectors work at the same time, with at most two answers in memory; it yields to the event loop
 * as it goes, so ticks and Slack acks are not delayed. Each slice's changes are stored (old → new,
 * why) and applied together, in one transaction; a slice that fails leaves its series' calibration
 * as it was, and the run is recorded as failed with what it had applied (a failed read of the next
 * slice, already under way, surfaces only once the slice before is applied).
 */
export async function recalibrate(deps: RecalibrationDeps, now: Date): Promise<RecalibrationReport> {
  const { config, engine, repo, logger } = deps;
  const settings = config.recalibration;
  const runId = repo.startRun(now.toISOString());
  const coarseMs = settings.step_seconds * 1000;
  const endMs = Math.floor(now.getTime() / coarseMs) * coarseMs;
  const startMs = endMs - settings.history_days * DAY_MS;
  const historyDays = settings.history_days;
  const feedbackSettings = settings.feedback;
  const feedback = feedbackSettings.enabled
    ? (deps.feedback?.load() ?? new Map<string, SeriesFeedbackState>())
    : new Map<string, SeriesFeedbackState>();
  const changes: CalibrationChange[] = [];
  const feedbackChanges: FeedbackAdjustment[] = [];
  let series = 0;
  let seasonalRebuilt = 0;
  const slicer = createTimeSlicer();
  // The tick's episode gap, as long in time at the history's coarser step.
  const episodeGapAtCoarseStep = Math.max(
    1,
    Math.round((config.detection.episode_gap_points * config.prometheus.step_seconds) / settings.step_seconds),
  );

  /**
   * The threshold a series' onsets call for (its alert rate), then moved by its feedback factor; a
   * change when it moved, and a feedback change when new labels moved the factor.
   */
  function planOf(
    key: string,
    summary: SeriesHistorySummary,
  ): { minScore: number | undefined; change?: CalibrationChange; adjustment?: FeedbackAdjustment } {
    const onsets = summary.onsets.sort((a, b) => b - a);
    const target = settings.target_alerts_per_day;
    const allowed = Math.max(0, Math.floor(target * historyDays));
    const old = engine.minScore(key) ?? null;
    const floor = config.detection.min_score;
    let base = floor;
    if (onsets.length > allowed) {
      // Just above the onset that would have been one too many.
      const cut = onsets[allowed] as number;
      base = Math.min(MAX_MIN_SCORE, Math.max(floor, 1 - (1 - cut) * 0.9));
    }
    const current = old ?? floor;
    const labelled = feedback.get(key);
    let factor = labelled?.tailFactor ?? 1;
    let adjustment: FeedbackAdjustment | undefined;
    if (labelled) {
      const step = feedbackStep(feedbackSettings, base, factor, labelled.pending);
      if (step.direction && labelled.newestPending) {
        adjustment = {
          seriesKey: key,
          direction: step.direction,
          oldFactor: factor,
          newFactor: step.tailFactor,
          oldMinScore: old,
          newMinScore: feedbackMinScore(feedbackSettings, base, step.tailFactor),
          counts: labelled.pending,
          labelsFrom: labelled.labelsThrough,
          labelsThrough: labelled.newestPending,
          reason: step.why,
        };
        factor = step.tailFactor;
      }
    }
    const next = feedbackMinScore(feedbackSettings, base, factor);
    if (Math.abs(next - current) <= 1e-9) return { minScore: old ?? undefined, ...(adjustment ? { adjustment } : {}) };
    const perDay = (onsets.filter((s) => s >= current).length / historyDays).toFixed(2);
    const after = (onsets.filter((s) => s >= next).length / historyDays).toFixed(2);
    const byFeedback =
      factor === 1
        ? ''
        : `; feedback ×${Number(factor.toPrecision(3))} on its tail → ${next.toPrecision(7)}` +
          (adjustment ? ` (${adjustment.reason})` : '');
    return {
      minScore: next,
      ...(adjustment ? { adjustment } : {}),
      change: {
        seriesKey: key,
        field: 'min_score',
        oldValue: old,
        newValue: next,
        reason:
          `${perDay} alerts/day at ${current} over the last ${historyDays} days (${summary.points} points at ` +
          `${settings.step_seconds} s); ${after}/day at ${next.toPrecision(7)}, target ${target}/day at ` +
          `${base.toPrecision(7)}${byFeedback}`,
      },
    };
  }

  /** Seasonal counts rescaled to the tick's step, so the streaming detector trusts them as its own. */
  function rescaled(state: SeasonalBaselineState): SeasonalBaselineState {
    const ratio = settings.step_seconds / config.prometheus.step_seconds;
    return {
      ...state,
      day: { ...state.day, count: state.day.count.map((c) => c * ratio) },
      week: { ...state.week, count: state.week.count.map((c) => c * ratio) },
      levelCount: state.levelCount * ratio,
    };
  }

  /** Which series a signal has now, by service: one step, a cheap answer, kept only as counts. */
  async function seriesPerService(signal: SignalConfig): Promise<Map<string, number>> {
    const present = await deps.source.fetch(signal, {
      startMs: endMs - coarseMs,
      endMs,
      stepSeconds: settings.step_seconds,
    });
    const perService = new Map<string, number>();
    for (const s of present.series) perService.set(s.identity.service, (perService.get(s.identity.service) ?? 0) + 1);
    return perService;
  }

  /**
   * Every history read of the run, signal by signal, slice by slice, chunk by chunk. Each read is
   * started when it is asked for, not when it is awaited: the caller asks for the next one before it
   * scores the current one, so Prometheus always has the next request, across slices and signals.
   */
  async function* historyReads(): AsyncGenerator<HistoryRead> {
    for (const signal of config.signals as SignalConfig[]) {
      for (const slice of slicesOf(await seriesPerService(signal))) {
        const chunks = planHistoryChunks(startMs, endMs, coarseMs, slice.series, MAX_POINTS_PER_ANSWER);
        for (const [i, chunk] of chunks.entries()) {
          const answer = deps.source.fetch(signal, {
            ...chunk,
            stepSeconds: settings.step_seconds,
            services: slice.services,
          });
          // Awaited later; marked handled now so that a failure while the previous part is scored
          // (or its slice finished) is not an unhandled rejection in between.
          answer.catch(() => {});
          yield { signal, lastOfSlice: i === chunks.length - 1, answer };
        }
      }
    }
  }

  /** Feeds one answer's points into the slice's per-series readers. */
  async function feed(slice: SliceInProgress, batch: SampleBatch): Promise<void> {
    for (const s of batch.series) {
      let reader = slice.readers.get(s.key);
      if (!reader) {
        reader = readSeriesHistory(slice.options, episodeGapAtCoarseStep);
        slice.readers.set(s.key, reader);
      }
      reader.feed(s.timestamps, s.values);
      if (slicer.due()) await slicer.pause();
    }
  }

  /** A slice's series are all read: plans their thresholds and applies the slice's changes together. */
  async function finishSlice(readers: ReadonlyMap<string, SeriesHistoryReader>): Promise<void> {
    const sliceChanges: CalibrationChange[] = [];
    const sliceFeedback: FeedbackAdjustment[] = [];
    const minScores: Array<{ key: string; minScore: number | undefined }> = [];
    try {
      for (const [key, reader] of readers) {
        const plan = planOf(key, reader.summary());
        if (plan.change) sliceChanges.push(plan.change);
        if (plan.adjustment) sliceFeedback.push(plan.adjustment);
        minScores.push({ key, minScore: plan.minScore });
        if (slicer.due()) await slicer.pause();
      }
      // Store first (the audit trail must not miss a change the engine made), then the engine, the
      // whole slice without a pause. Each baseline goes from the series' history detector to its
      // engine detector as numbers one series at a time, garbage at once, not a slice's worth
      // (~4.5 MB) held across the pauses above until the old generation collects it.
      const at = new Date().toISOString();
      const store = () => {
        repo.applyChanges(runId, at, sliceChanges);
        deps.feedback?.record(runId, at, sliceFeedback);
      };
      if (deps.feedback) deps.feedback.inTransaction(store);
      else store();
      for (const { key, minScore } of minScores) {
        if (minScore !== undefined) engine.setMinScore(key, minScore);
        const seasonal = readers.get(key)?.seasonal();
        if (seasonal && engine.replaceSeasonal(key, rescaled(seasonal))) seasonalRebuilt += 1;
      }
    } finally {
      for (const reader of readers.values()) reader.release();
    }
    for (const c of sliceChanges) changes.push(c);
    for (const a of sliceFeedback) feedbackChanges.push(a);
    series += readers.size;
  }

  try {
    const reads = historyReads();
    let next = requestNext(reads);
    let slice: SliceInProgress | undefined;
    for (let step = await next; !step.done; step = await next) {
      const { signal, lastOfSlice, answer } = step.value;
      const batch = await answer;
      // The next read starts now, the first of the next slice or signal included: Prometheus works
      // while this answer is scored and its slice finished, with at most two answers in memory.
      next = requestNext(reads);
      slice ??= { options: seriesDetectorOptions(config.detection, coarseMs, signal), readers: new Map() };
      await feed(slice, batch);
      if (lastOfSlice) {
        await finishSlice(slice.readers);
        slice = undefined;
      }
    }
    repo.finishRun(runId, new Date().toISOString(), series, changes.length);
    try {
      deps.feedback?.snapshot(new Date().toISOString());
    } catch (error) {
      // Only what `/vigil explain` shows of the labels: the thresholds are applied and recorded.
      logger.warn({ err: error, run: runId }, 'label counts not stored; /vigil explain shows the previous ones');
    }
    logger.info(
      { run: runId, series, changes: changes.length, feedbackChanges: feedbackChanges.length, seasonalRebuilt },
      'recalibration finished',
    );
    return { runId, status: 'ok', series, changes, feedbackChanges, seasonalRebuilt };
  } catch (error) {
    repo.failRun(runId, new Date().toISOString(), errorMessage(error));
    logger.error(
      { err: error, run: runId, series, changes: changes.length },
      'recalibration failed; series not reached keep their current calibration',
    );
    return {
      runId,
      status: 'failed',
      series,
      changes,
      feedbackChanges,
      seasonalRebuilt,
      error: errorMessage(error),
    };
  }
}
