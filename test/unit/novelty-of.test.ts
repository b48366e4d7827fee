import { describe, expect, it } from 'vitest';
import { noveltyOf } from '../../src/correlation/novelty-of.js';
import { createAnomaliesRepo } from '../../src/storage/anomalies-repo.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { makeAnomaly } from '../helpers/make-anomaly.js';

/**
 * Whether a symptom may be a daily pattern not learned yet: its hour new to the seasonal baseline,
 * or the same series anomalous the same way at this time yesterday (asked of real SQLite).
 */
describe('novelty of a symptom', () => {
  const settings = { seasonalMinDays: 1, recurringWindowSeconds: 1800 };

  it('unseasoned: the seasonal baseline had learned fewer days of the hour than seasonal_min_days', () => {
    const never = () => false;
    const days = (n: number | undefined) =>
      makeAnomaly('cart-db', '2026-04-21T02:10:00Z', n === undefined ? {} : { evidence: { seasonal_days: n } });
    expect(noveltyOf(days(0), false, settings, never)).toBe('unseasoned');
    expect(noveltyOf(days(1), false, settings, never)).toBeUndefined();
    expect(noveltyOf(days(1), false, { ...settings, seasonalMinDays: 2 }, never)).toBe('unseasoned');
    expect(noveltyOf(days(0), false, { ...settings, seasonalMinDays: 0 }, never)).toBeUndefined();
    // A change of full weight against the widened bar (see widenedBar) is news however new the hour.
    expect(noveltyOf(days(0), false, settings, never, true)).toBeUndefined();
    // Unknown (no seasonal detector, an older event): news.
    expect(noveltyOf(days(undefined), false, settings, never)).toBeUndefined();
    // Never asked of demand, minor symptoms, absences, burn rates or alerts.
    expect(noveltyOf(days(0), true, settings, never)).toBeUndefined();
    expect(noveltyOf({ ...days(0), paging_weight: 'minor' }, false, settings, never)).toBeUndefined();
    for (const detector of ['absent', 'slo_burn_rate', 'alertmanager'] as const)
      expect(noveltyOf({ ...days(0), detector }, false, settings, never)).toBeUndefined();
  });

  it('recurring: the same series anomalous the same way within the window of this time yesterday', () => {
    const db = openDatabase(':memory:');
    const repo = createAnomaliesRepo(db);
    const at = (ts: string, overrides: Parameters<typeof makeAnomaly>[2] = {}) =>
      makeAnomaly('cart-db', ts, { evidence: { seasonal_days: 1 }, ...overrides });
    // Last night's job on the database's latency, 01:56.
    repo.insert([at('2026-04-21T01:56:00Z')], '2026-04-21T01:57:00Z');
    const ask = repo.anomalousBetween;
    expect(noveltyOf(at('2026-04-22T01:58:00Z'), false, settings, ask)).toBe('recurring');
    expect(noveltyOf(at('2026-04-22T02:25:00Z'), false, settings, ask)).toBe('recurring');
    // Outside the half hour, another signal, another direction, off: news.
    expect(noveltyOf(at('2026-04-22T02:30:00Z'), false, settings, ask)).toBeUndefined();
    expect(noveltyOf(at('2026-04-22T01:58:00Z', { metric_name: 'error_rate' }), false, settings, ask)).toBeUndefined();
    expect(noveltyOf(at('2026-04-22T01:58:00Z', { direction: 'down' }), false, settings, ask)).toBeUndefined();
    expect(
      noveltyOf(at('2026-04-22T01:58:00Z'), false, { ...settings, recurringWindowSeconds: 0 }, ask),
    ).toBeUndefined();
    // Asked of every symptom that may page, each cycle: a seek in the series' own anomalies, not a
    // scan of every anomaly of a busy service's pods in that hour.
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT 1 FROM anomalies WHERE series_key = 'k' AND ts BETWEEN '1' AND '2' AND direction = 'up' LIMIT 1",
      )
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain(
      'USING INDEX anomalies_series_ts (series_key=? AND ts>? AND ts<?)',
    );
    db.close();
  });
});
