import type { AnomalyEvent, DetectorName } from '../../contracts/index.js';

/** What each detector saw, in the words of someone reading the card, not the detector's name. */
const PHRASE: Record<DetectorName, string> = {
  rolling_zscore: 'far from its recent mean',
  robust_mad: 'far from its recent median',
  level_shift: 'its level shifted and stayed',
  seasonal: 'unlike this hour on past days',
  record: 'beyond anything in its history',
  excursion_rate: 'leaving its usual range far more often than it used to',
  novel_pattern: 'moving in a pattern it has never shown before',
  drift: 'drifting away from its usual level, point after point',
  slo_burn_rate: 'burning its error budget fast',
  absent: 'stopped reporting',
  alertmanager: 'an Alertmanager alert fired',
};

/** One phrase for the detector that explains a point, with the history it judged against when that matters. */
export function detectorPhrase(event: AnomalyEvent): string {
  if (event.detector === 'record') {
    const days = event.evidence.baseline_days;
    return days >= 1 ? `beyond anything in its ${Math.floor(days)} days of history` : PHRASE.record;
  }
  return PHRASE[event.detector];
}
