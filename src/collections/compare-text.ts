/**
 * The one order Vigil puts text in: label names in a series key, services and teams on a card,
 * timestamps in a timeline. `a.localeCompare(b)` orders by the process's default locale, which
 * Node takes from LANG / LC_ALL: under `LANG=lt_LT.UTF-8` "y_x" sorts before "ix", under
 * `et_EE.UTF-8` "zone" before "team". A series key built that way (seriesKeyOf) is stored with the
 * series' detector state, anomalies and feedback, so the same series would get another key, and
 * start again from nothing, in a pod whose image sets another locale. The locale is pinned to
 * en-US, the default of a process without LANG (Node's images, CI), so the keys stored so far stay
 * what they were.
 */
const collator = new Intl.Collator('en-US');

/** Negative, zero or positive as `a` sorts before, with or after `b` (Array.prototype.sort's contract). */
export const compareText: (a: string, b: string) => number = collator.compare;
