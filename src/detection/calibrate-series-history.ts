import { createSeriesDetector } from './create-series-detector.js';
import type { SeasonalBaselineState } from './ensemble/seasonal-baseline.js';
import { newEpisode, PAGE_SCORE, pagePoint } from './page-score.js';
import type { seriesDetectorOptions } from './series-detector-options.js';

/** What a series' history says, read once in time order: for recalibration. */
export interface SeriesHistorySummary {
  points: number;
  /** Calibrated score of the point that opened each episode (see pageScore), in time order. */
  onsets: number[];
}

export interface SeriesHistoryReader {
  /** Points in time order; may be called once per chunk of history. */
  feed(timestamps: ArrayLike<number>, values: ArrayLike<number>): void;
  summary(): SeriesHistorySummary;
  /**
   * The seasonal baseline the series' detector learned from the history at the coarse step (null
   * when off), taken when it is about to be used: as numbers it is ~11 KB a series, where the
   * detector holds it in 5.5 KB.
   */
  seasonal(): SeasonalBaselineState | null;
  /** Done with the reader: its detector's place goes back. Neither method may be called after. */
  release(): void;
}

/**
 * Reads a series' history point by point, online (the detectors are), so that recalibration holds
 * a few kilobytes per series whatever the history length, not every sample of a week. Episodes are
 * the tick's (pageScore), with `episodeGapPoints` at the history's step.
 */
export function readSeriesHistory(
  options: ReturnType<typeof seriesDetectorOptions>,
  episodeGapPoints: number,
): SeriesHistoryReader {
  // Every point may alert here: the gate under study is the one being recalibrated.
  const detector = createSeriesDetector({ ...options, minScore: 0 });
  const onsets: number[] = [];
  const episode = newEpisode();
  let points = 0;
  return {
    feed(timestamps, values) {
      for (let i = 0; i < timestamps.length; i += 1) {
        const ts = timestamps[i] as number;
        const value = values[i] as number;
        const r = detector.update(value, ts);
        const opens = pagePoint(r, undefined, episode, episodeGapPoints, true) >= PAGE_SCORE;
        if (opens && r.primary.name !== 'slo_burn_rate') onsets.push(r.primary.score);
      }
      points += timestamps.length;
    },
    summary: () => ({ points, onsets }),
    seasonal: () => detector.seasonalState(),
    // Its place goes back at once: a slice's readers are dropped together, and waiting for them to
    // be collected let the next slices take new places (the pool kept growing over the run).
    release: () => detector.release(),
  };
}
