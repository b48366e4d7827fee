import type { EnsembleReading } from './create-series-detector.js';

/**
 * The one rule that turns a detector's reading into an action, shared by the tick and `bench:nab`:
 * a point opens an anomaly in production exactly when its page score is at least this. Warm-up,
 * direction, minimum deviation, calibration, the seasonal veto, the series' recalibrated gate and
 * the episode rule below are all folded into the score; the benchmark's headline figure is scored at
 * this line, never at a threshold chosen after looking at labels.
 */
export const PAGE_SCORE = 0.5;

/** Surprise (−log10 of the tail probability) that sits half-way up its side of the line: 1 in 1 000. */
const HALF_SURPRISE = 3;

/**
 * Whether the ensemble's verdict on a point survives the series' own recalibrated gate
 * (`seriesMinScore`, undefined: the configured one, which the detector already applies).
 */
export function isAnomalousPoint(reading: EnsembleReading, seriesMinScore: number | undefined): boolean {
  if (!reading.ready || !reading.anomalous) return false;
  if (seriesMinScore === undefined || reading.primary.name === 'slo_burn_rate') return true;
  return reading.primary.score >= seriesMinScore;
}

/**
 * A series' anomalies come in episodes: anomalous points with fewer than `episode_gap_points` quiet
 * points between them. Only the first point of an episode opens an anomaly (what may page someone);
 * the rest extend it (they keep its incident alive and are its evidence, but never open a new one).
 * A fault that lasts an hour, or flaps in and out of its band for one, is one anomaly, not sixty.
 */
export interface Episode {
  /** An anomaly of this series has been opened and has not been quiet for a whole gap since. */
  open: boolean;
  /** Points that were not anomalous since its last anomalous one. */
  quiet: number;
}

export function newEpisode(): Episode {
  return { open: false, quiet: 0 };
}

/**
 * The production score of a point, in [0, 1]: at or above PAGE_SCORE exactly when the point opens
 * an anomaly (anomalous, and no episode of this series is open), below otherwise. Within each side
 * the position is the point's rarity in its own series on a log scale (s / (s + 3) for a surprise of
 * s decimal digits), so scores spread over the range rather than bunch just under 1.
 */
function pageScore(reading: EnsembleReading, seriesMinScore: number | undefined, episode: Episode): number {
  if (!reading.ready) return 0;
  const surprise = -Math.log10(Math.max(1e-300, 1 - reading.score));
  const rarity = surprise > 0 ? surprise / (surprise + HALF_SURPRISE) : 0;
  const opens = !episode.open && isAnomalousPoint(reading, seriesMinScore);
  return opens ? PAGE_SCORE + (1 - PAGE_SCORE) * rarity : PAGE_SCORE * rarity;
}

/**
 * A point's page score, then its series' episode moved on: what every caller runs for every point,
 * in this order (the score reads the episode as it was before the point). `mayOpen` false: the point
 * is history that must not open anything (a cold start's), and it leaves the episode as it was.
 */
export function pagePoint(
  reading: EnsembleReading,
  seriesMinScore: number | undefined,
  episode: Episode,
  gapPoints: number,
  mayOpen: boolean,
): number {
  const score = pageScore(reading, seriesMinScore, episode);
  const anomalous = isAnomalousPoint(reading, seriesMinScore);
  advanceEpisode(episode, anomalous, anomalous && mayOpen, gapPoints);
  return score;
}

/**
 * Moves the episode on after a point: an emitted anomalous point opens it (or keeps it open), and
 * `gapPoints` points in a row that are not anomalous end it. An anomalous point that was not emitted
 * (a cold start's history) leaves it as it was, so the first point that is emitted still opens.
 */
function advanceEpisode(episode: Episode, anomalous: boolean, emitted: boolean, gapPoints: number): void {
  if (!anomalous) {
    episode.quiet += 1;
    if (episode.quiet >= gapPoints) episode.open = false;
  } else if (emitted) {
    episode.open = true;
    episode.quiet = 0;
  }
}
