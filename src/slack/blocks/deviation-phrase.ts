import type { AnomalyEvent } from '../../contracts/index.js';
import { formatValue, type Unit } from './format-value.js';

/** Below this a ratio says nothing a reader would not see from the range. */
const RATIO_WORTH_SAYING = 1.5;

/**
 * How far a value is from what was expected, in the metric's own units: "+573 ms above the expected
 * 155 ms – 204 ms, 4.3× the expected 180 ms". The distance is to the nearest edge of the band: what
 * the value would have to lose to look normal again.
 */
export function deviationPhrase(
  event: Pick<AnomalyEvent, 'value' | 'expected' | 'lower_bound' | 'upper_bound' | 'direction'>,
  unit: Unit,
): string {
  const range = `${formatValue(event.lower_bound, unit)} – ${formatValue(event.upper_bound, unit)}`;
  const up = event.direction === 'up';
  const beyond = up ? event.value - event.upper_bound : event.lower_bound - event.value;
  const distance =
    beyond > 0
      ? `${up ? '+' : '−'}${formatValue(beyond, unit)} ${up ? 'above' : 'below'} the expected ${range}`
      : `expected ${range}`;
  if (event.expected <= 0 || event.value < 0) return distance;
  const ratio = event.value / event.expected;
  if (up && ratio >= RATIO_WORTH_SAYING) {
    return `${distance}, ${ratio.toFixed(1)}× the expected ${formatValue(event.expected, unit)}`;
  }
  if (!up && ratio <= 1 / RATIO_WORTH_SAYING) {
    return `${distance}, ${Math.round(ratio * 100)}% of the expected ${formatValue(event.expected, unit)}`;
  }
  return distance;
}
