import type { VigilConfig } from '../config/config-schema.js';
import type { AnomalyEvent } from '../contracts/index.js';
import type { SeriesColumns } from '../sources/series-columns.js';

/** What a symptom anomaly must reach to count towards paging (see pagingWeight). */
export interface PagingBar {
  /** Per symptom signal: its page_min_change, else correlation.page_min_change. */
  minChange: Map<string, number>;
  /** Signals computed from requests (per_request), whose bar rises as traffic falls. */
  perRequest: Set<string>;
  trustedRate: number;
}

/**
 * Far below the trusted rate the bar stops rising: a service with no traffic at all would otherwise
 * need an infinite change (at 1/10 000 of the trusted rate it needs 100 times the change).
 */
const MAX_NOISE_FACTOR = 100;

/** The bar of every signal. Traffic signals are left out: demand is never a symptom, large or not. */
export function pagingBar(config: Pick<VigilConfig, 'signals' | 'correlation'>): PagingBar {
  const symptoms = config.signals.filter((s) => s.role !== 'traffic');
  return {
    minChange: new Map(symptoms.map((s) => [s.name, s.page_min_change ?? config.correlation.page_min_change])),
    perRequest: new Set(symptoms.filter((s) => s.per_request).map((s) => s.name)),
    trustedRate: config.correlation.trusted_requests_per_second,
  };
}

/** Where trafficByService keeps a service's rate. */
export function serviceKey(namespace: string, service: string): string {
  return `${namespace}/${service}`;
}

/**
 * Each service's traffic: the sum over its series of the traffic signals of their latest value in
 * this batch (a service's requests may come as several series: routes, pods).
 */
export function trafficByService(
  series: readonly SeriesColumns[],
  trafficMetrics: ReadonlySet<string>,
): Map<string, number> {
  const rates = new Map<string, number>();
  for (const s of series) {
    if (!trafficMetrics.has(s.identity.metric_name) || s.values.length === 0) continue;
    const key = serviceKey(s.identity.namespace, s.identity.service);
    rates.set(key, (rates.get(key) ?? 0) + (s.values[s.values.length - 1] as number));
  }
  return rates;
}

/**
 * A change this many times the minimum is strong: it pages after two points. Real faults reach it
 * within a few minutes of onset (latency 2-20×, errors 4-60×), while most noise that clears the
 * minimum stays just above it.
 */
const STRONG_FACTOR = 2;

/**
 * How much a symptom anomaly weighs for paging, from |value − expected| against its signal's
 * minimum change of |expected|: below it "minor" (rare for its series perhaps, but on a platform of
 * hundreds of series some p99 is 20-30 % off its band every hour, while the faults people are woken
 * for double or triple it); below twice it "moderate" (pages only if it lasts); else undefined, full
 * weight. For a per_request signal of a service below the trusted traffic, the minimum grows by
 * √(trusted / traffic), as the sampling noise of a quantile or a ratio does (a service's traffic
 * unknown in this batch: taken at face value). An absence, a burn-rate alert and a series whose
 * expected value is 0 (any value is an infinite change) always weigh fully.
 */
export function pagingWeight(
  anomaly: AnomalyEvent,
  bar: PagingBar,
  traffic: ReadonlyMap<string, number>,
): 'minor' | 'moderate' | undefined {
  let minChange = bar.minChange.get(anomaly.metric_name);
  if (minChange === undefined || minChange <= 0) return undefined;
  if (anomaly.detector === 'absent' || anomaly.detector === 'slo_burn_rate') return undefined;
  const expected = Math.abs(anomaly.expected);
  if (expected === 0) return undefined;
  if (bar.perRequest.has(anomaly.metric_name)) {
    const rate = traffic.get(serviceKey(anomaly.namespace, anomaly.service));
    if (rate !== undefined && rate < bar.trustedRate)
      minChange *= Math.min(MAX_NOISE_FACTOR, Math.sqrt(bar.trustedRate / Math.max(rate, 0)));
  }
  const change = Math.abs(anomaly.value - anomaly.expected);
  if (change < minChange * expected) return 'minor';
  return change < STRONG_FACTOR * minChange * expected ? 'moderate' : undefined;
}
