import type { AnomalyEvent } from '../../contracts/index.js';

/**
 * Beyond this a claim says more than a series' history can back: the detectors' tails are fitted,
 * and 1 in a million points is already years of one-minute samples.
 */
const MAX_DIGITS = 6;

/** Detectors whose score is a calibrated tail probability in the series' own history. */
const CALIBRATED = new Set<AnomalyEvent['detector']>([
  'rolling_zscore',
  'robust_mad',
  'level_shift',
  'seasonal',
  'record',
  'excursion_rate',
  'novel_pattern',
  'drift',
]);

function grouped(n: number): string {
  // Thin spaces would be lost on some terminals: a plain space groups thousands, as SI writes them.
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/**
 * What an anomaly's score means to a reader: its rarity among the points of its own series
 * ("rarer than 1 in 10 000 points of this series"). The score is the point's: 1 − the smallest
 * tail probability of the members consulted, times their number (see createSeriesDetector), not the
 * named detector's own tail, which may be ordinary when another member made the point rare (a card
 * once said "as rare as 1 in 1 points" of a point that paged); the claim is rounded down to a power
 * of ten, and capped at 1 in a million. Null for scores that are not a rarity (burn rate, absence, alerts).
 */
export function rarityPhrase(event: Pick<AnomalyEvent, 'detector' | 'anomaly_score'>): string | null {
  if (!CALIBRATED.has(event.detector)) return null;
  const tail = 1 - event.anomaly_score;
  const digits = tail <= 0 ? MAX_DIGITS : Math.min(MAX_DIGITS, -Math.log10(tail));
  // Commoner than 1 in 10: said as it is ("as rare as 1 in 8 points"), not as a power of ten.
  if (digits < 1) return `as rare as 1 in ${Math.max(1, Math.round(1 / tail))} points of this series`;
  return `rarer than 1 in ${grouped(10 ** Math.floor(digits + 1e-9))} points of this series`;
}
