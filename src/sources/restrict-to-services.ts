/**
 * Narrows a rendered signal query to the series of some services, so that recalibration can read
 * a week of history a slice of series at a time (bounded memory and bounded answers, whatever the
 * number of series). A query that filters early, with `{{services}}` in a matcher
 * (`{service=~"{{services}}"}`), gets a regex of those services there and Prometheus evaluates only
 * their series; any other query is wrapped as `(query) and on(label) (…)`, which keeps the result's
 * series whose label is one of the services: correct for any PromQL, at the cost of evaluating the
 * whole query for each slice.
 */
import { regexAlternation } from './regex-alternation.js';

/** A PromQL double-quoted string literal's content: backslash and quote escaped. */
function promqlString(text: string): string {
  return text.replace(/[\\"]/g, '\\$&');
}

export const SERVICES_PLACEHOLDER = '{{services}}';

/**
 * `services` undefined: the whole signal (`{{services}}` matches any service). `label` is the
 * signal's `service_label`.
 */
export function restrictToServices(query: string, label: string, services?: readonly string[]): string {
  if (query.includes(SERVICES_PLACEHOLDER)) {
    // Inside a double-quoted matcher: a regex, then escaped as the string that carries it.
    const regex = services === undefined ? '.+' : promqlString(regexAlternation(services));
    return query.replaceAll(SERVICES_PLACEHOLDER, regex);
  }
  if (services === undefined) return query;
  if (services.length === 0) throw new Error('restrictToServices needs at least one service');
  const allowed = services
    .map((s) => `label_replace(vector(1), "${label}", "${promqlString(s)}", "", "")`)
    .join(' or ');
  return `(${query}) and on(${label}) (${allowed})`;
}
