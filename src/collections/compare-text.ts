/**
 * The one order Vigil puts text in: label names in a series key, services and teams on a card,
 * timestamps in a timeline. By UTF-16 code unit, as `<` compares strings: the same in every process,
 * and the order Prometheus gives label names in (Go compares strings byte by byte, which for the
 * ASCII of label names is this order).
 *
 * Not `a.localeCompare(b)`: that orders by the process's default locale, which Node takes from
 * LANG / LC_ALL (under `LANG=lt_LT.UTF-8` "y_x" sorts before "ix", under `et_EE.UTF-8` "zone"
 * before "team"), so a series key built that way (seriesKeyOf), stored with the series' detector
 * state, anomalies and feedback, changed in a pod whose image sets another locale. Nor a collator
 * pinned to one locale (`Intl.Collator('en-US')`, until 2026-12-02): as locale-independent, but it
 * keeps ~2 MB of ICU's collation tables resident in every process that sorts a key. The two orders
 * agree on lower-case names; they differ where a name has capitals or where `_` meets a digit ("a_b"
 * and "a1"), and such a series' key changed once with this.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
