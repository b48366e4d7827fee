import type { RecalibrationConfig, SignalConfig, VigilConfig } from '../config/config-schema.js';
import { errorMessage } from '../errors.js';
import { createTimeSlicer } from '../event-loop/create-time-slicer.js';
import type { Logger } from '../logger.js';
import { type HistoryChunk, planHistoryChunks } from '../sources/plan-history-chunks.js';
import type { SampleSource } from '../sources/sample-source.js';
import type { CalibrationChange, DetectorStateRepo } from '../storage/detector-state-repo.js';
import { readSeriesHistory, type SeriesHistoryReader, type SeriesHistorySummary } from './calibrate-series-history.js';
import type { DetectionEngine } from './create-detection-engine.js';
import type { SeasonalBaselineState } from './ensemble/seasonal-baseline.js';
import { seriesDetectorOptions } from './series-detector-options.js';

const DAY_MS = 86_400_000;
/** Never stricter than one alert-worthy point in a million. */
const MAX_MIN_SCORE = 0.999999;
/**
 * Series read together: a slice of a signal's services whose series add up to about this many.
 * What one slice holds is about 20 KB per series (its detectors and onsets), so ~10 MB, whatever
 * the history length or the number of series.
 */
export const SLICE_SERIES = 500;
/**
 * Points in one answer: ~40 bytes each as JSON, so a few MB per response; a week of 500 series at
 * 5 minutes is 5 requests.
 */
export const MAX_POINTS_PER_ANSWER = 200_000;

export interface RecalibrationDeps {
  config: Pick<VigilConfig, 'signals' | 'detection' | 'prometheus'> & { recalibration: RecalibrationConfig };
  source: SampleSource;
  engine: DetectionEngine;
  repo: DetectorStateRepo;
  /** Feedback labels per series (👍 useful / 👎 noisy …), to tighten series people call noisy. */
  feedbackBySeries?: () => Map<string, Record<string, number>>;
  logger: Logger;
}

export interface RecalibrationReport {
  runId: number;
  status: 'ok' | 'failed';
  series: number;
  changes: CalibrationChange[];
  seasonalRebuilt: number;
  error?: string;
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
 * about `target_alerts_per_day` times a day (half that for series people mostly marked 👎).
 *
 * It streams: a signal's series are read a slice of services at a time, each slice's history in
 * time chunks of bounded size, each point into online detectors, so memory and answer sizes are
 * bounded whatever the number of series or days; it yields to the event loop as it goes, so ticks
 * and Slack acks are not delayed. Each slice's changes are stored (old → new, why) and applied
 * together, in one transaction; a slice that fails leaves its series' calibration as it was, and the
 * run is recorded as failed with what it had applied.
 */
export async function recalibrate(deps: RecalibrationDeps, now: Date): Promise<RecalibrationReport> {
  const { config, engine, repo, logger } = deps;
  const settings = config.recalibration;
  const runId = repo.startRun(now.toISOString());
  const coarseMs = settings.step_seconds * 1000;
  const endMs = Math.floor(now.getTime() / coarseMs) * coarseMs;
  const startMs = endMs - settings.history_days * DAY_MS;
  const historyDays = settings.history_days;
  const feedback = deps.feedbackBySeries?.() ?? new Map<string, Record<string, number>>();
  const changes: CalibrationChange[] = [];
  let series = 0;
  let seasonalRebuilt = 0;
  const slicer = createTimeSlicer();

  /** The threshold a series' onsets call for; a change when it moved. */
  function planOf(
    key: string,
    summary: SeriesHistorySummary,
  ): { minScore: number | undefined; change?: CalibrationChange } {
    const onsets = summary.onsets.sort((a, b) => b - a);
    const labels = feedback.get(key) ?? {};
    const noisy = (labels.noisy ?? 0) + (labels.duplicate ?? 0);
    const useful = labels.useful ?? 0;
    const distrusted = noisy >= 2 && noisy > useful;
    const target = settings.target_alerts_per_day * (distrusted ? 0.5 : 1);
    const allowed = Math.max(0, Math.floor(target * historyDays));
    const old = engine.minScore(key) ?? null;
    const floor = config.detection.min_score;
    let next = floor;
    if (onsets.length > allowed) {
      // Just above the onset that would have been one too many.
      const cut = onsets[allowed] as number;
      next = Math.min(MAX_MIN_SCORE, Math.max(floor, 1 - (1 - cut) * 0.9));
    }
    const current = old ?? floor;
    if (Math.abs(next - current) <= 1e-9) return { minScore: old ?? undefined };
    const perDay = (onsets.filter((s) => s >= current).length / historyDays).toFixed(2);
    const after = (onsets.filter((s) => s >= next).length / historyDays).toFixed(2);
    return {
      minScore: next,
      change: {
        seriesKey: key,
        field: 'min_score',
        oldValue: old,
        newValue: next,
        reason:
          `${perDay} alerts/day at ${current} over the last ${historyDays} days (${summary.points} points at ` +
          `${settings.step_seconds} s); ${after}/day at ${next.toPrecision(7)}, target ${target}/day` +
          (distrusted ? ` (halved: ${noisy} noisy vs ${useful} useful in feedback)` : ''),
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

  async function recalibrateSlice(signal: SignalConfig, services: string[], expected: number): Promise<void> {
    const options = seriesDetectorOptions(config.detection, coarseMs, signal);
    // The tick's episode gap, as long in time at the history's coarser step.
    const episodeGapAtCoarseStep = Math.max(
      1,
      Math.round((config.detection.episode_gap_points * config.prometheus.step_seconds) / settings.step_seconds),
    );
    const readers = new Map<string, SeriesHistoryReader>();
    const chunks = planHistoryChunks(startMs, endMs, coarseMs, expected, MAX_POINTS_PER_ANSWER);
    const read = (i: number) => {
      const answer = deps.source.fetch(signal, {
        ...(chunks[i] as HistoryChunk),
        stepSeconds: settings.step_seconds,
        services,
      });
      // Awaited below; marked handled now so that a failure while the previous part is scored is
      // not an unhandled rejection in between.
      answer.catch(() => {});
      return answer;
    };
    let next = chunks.length > 0 ? read(0) : undefined;
    for (let i = 0; i < chunks.length; i += 1) {
      const batch = await (next as ReturnType<typeof read>);
      // The next part is read while this one is scored: Prometheus and the detectors work at the
      // same time, with at most two answers in memory.
      next = i + 1 < chunks.length ? read(i + 1) : undefined;
      for (const s of batch.series) {
        let reader = readers.get(s.key);
        if (!reader) {
          reader = readSeriesHistory(options, episodeGapAtCoarseStep);
          readers.set(s.key, reader);
        }
        reader.feed(s.timestamps, s.values);
        if (slicer.due()) await slicer.pause();
      }
    }
    const sliceChanges: CalibrationChange[] = [];
    const apply: Array<{ key: string; minScore: number | undefined; seasonal: SeasonalBaselineState | null }> = [];
    for (const [key, reader] of readers) {
      const summary = reader.finish();
      const plan = planOf(key, summary);
      if (plan.change) sliceChanges.push(plan.change);
      apply.push({ key, minScore: plan.minScore, seasonal: summary.seasonal ? rescaled(summary.seasonal) : null });
      if (slicer.due()) await slicer.pause();
    }
    // Store first (the audit trail must not miss a change the engine made), then the engine.
    repo.applyChanges(runId, new Date().toISOString(), sliceChanges);
    for (const plan of apply) {
      if (plan.minScore !== undefined) engine.setMinScore(plan.key, plan.minScore);
      if (plan.seasonal && engine.replaceSeasonal(plan.key, plan.seasonal)) seasonalRebuilt += 1;
    }
    for (const c of sliceChanges) changes.push(c);
    series += readers.size;
  }

  try {
    for (const signal of config.signals as SignalConfig[]) {
      // Which series the signal has now, by service: one step, a cheap answer.
      const present = await deps.source.fetch(signal, {
        startMs: endMs - coarseMs,
        endMs,
        stepSeconds: settings.step_seconds,
      });
      const perService = new Map<string, number>();
      for (const s of present.series) perService.set(s.identity.service, (perService.get(s.identity.service) ?? 0) + 1);
      for (const slice of slicesOf(perService)) await recalibrateSlice(signal, slice.services, slice.series);
    }
    repo.finishRun(runId, new Date().toISOString(), series, changes.length);
    logger.info({ run: runId, series, changes: changes.length, seasonalRebuilt }, 'recalibration finished');
    return { runId, status: 'ok', series, changes, seasonalRebuilt };
  } catch (error) {
    repo.failRun(runId, new Date().toISOString(), errorMessage(error));
    logger.error(
      { err: error, run: runId, series, changes: changes.length },
      'recalibration failed; series not reached keep their current calibration',
    );
    return { runId, status: 'failed', series, changes, seasonalRebuilt, error: errorMessage(error) };
  }
}
