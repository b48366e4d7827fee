import type { AnomalyEvent } from '../contracts/index.js';

const DAY_MS = 86_400_000;

export interface NoveltySettings {
  /** correlation.seasonal_min_days: days of an hour the seasonal baseline must know; 0 = never unseasoned. */
  seasonalMinDays: number;
  /** correlation.recurring_window_seconds: how near the same time yesterday counts; 0 = off. */
  recurringWindowSeconds: number;
}

/**
 * Why a symptom may be a daily pattern rather than news (see AnomalyEvent.novelty), or undefined:
 * - "unseasoned": its series' seasonal baseline had learned fewer than `seasonalMinDays` days of this
 *   hour of the day (a series' first day): a nightly job, a morning ramp, the first Monday after a
 *   weekend all look like a change to the rolling detectors until the daily cycle is known;
 * - "recurring": the same series was anomalous in the same direction within `recurringWindowSeconds`
 *   of the same time the day before (`anomalousBetween` asks the stored anomalies): the job's second
 *   night, which the seasonal baseline (two days of an hour) has not absorbed yet.
 * Only symptoms that count are asked about: demand, minor symptoms, absences, burn-rate and
 * Alertmanager alerts are never held back (see meetsEvidenceBar), nor is an `extreme` change, of
 * full weight against a bar widened by correlation.unseasoned_change_factor (see widenedBar): a
 * nightly job moves a database's latency and CPU two- or threefold, a fault that pages alone before
 * its seasonal baseline knows the hour moves them further.
 */
export function noveltyOf(
  anomaly: AnomalyEvent,
  traffic: boolean,
  settings: NoveltySettings,
  anomalousBetween: (anomaly: AnomalyEvent, fromIso: string, toIso: string) => boolean,
  extreme = false,
): AnomalyEvent['novelty'] {
  if (traffic || extreme || anomaly.paging_weight === 'minor') return undefined;
  if (anomaly.detector === 'absent' || anomaly.detector === 'slo_burn_rate' || anomaly.detector === 'alertmanager')
    return undefined;
  const days = anomaly.evidence.seasonal_days;
  if (days !== undefined && days < settings.seasonalMinDays) return 'unseasoned';
  const windowMs = settings.recurringWindowSeconds * 1000;
  if (windowMs <= 0) return undefined;
  const yesterday = Date.parse(anomaly.timestamp) - DAY_MS;
  const from = new Date(yesterday - windowMs).toISOString();
  const to = new Date(yesterday + windowMs).toISOString();
  return anomalousBetween(anomaly, from, to) ? 'recurring' : undefined;
}
