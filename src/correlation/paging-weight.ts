import type { VigilConfig } from '../config/config-schema.js';
import type { AnomalyEvent } from '../contracts/index.js';
import type { SeriesColumns } from '../sources/series-columns.js';

/** What a symptom anomaly must reach to count towards paging (see pagingWeight). */
export interface PagingBar {
  /** Per symptom signal: its page_min_change, else correlation.page_min_change. */
  minChange: Map<string, number>;
  /** Signals computed from requests (per_request), whose bar rises as traffic falls. */
  perRequest: Set<string>;
  /** Signals that rise with demand (follows_demand): judged against the expected value scaled by it. */
  followsDemand: Set<string>;
  /** Per symptom signal: its min_abs_deviation, the scale of a change from an expected 0. */
  minAbs: Map<string, number>;
  /** Per symptom signal: the points a one-sample burst spreads over (smear_points). */
  smear: Map<string, number>;
  trustedRate: number;
}

/** What a cycle knows of each service's demand, by serviceKey. */
export interface DemandContext {
  /** Requests per second now (see trafficByService). */
  rate: ReadonlyMap<string, number>;
  /** Demand against its expected value, where it is anomalous itself (see demandRatios). */
  ratio: ReadonlyMap<string, number>;
  /**
   * By namespace, the demand of most of its services against their expected values, where most of
   * them are up together (see platformDemand): what a service whose own traffic is not anomalous
   * follows too.
   */
  platform?: ReadonlyMap<string, number>;
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
    followsDemand: new Set(symptoms.filter((s) => s.follows_demand).map((s) => s.name)),
    minAbs: new Map(symptoms.map((s) => [s.name, s.min_abs_deviation])),
    smear: new Map(symptoms.map((s) => [s.name, s.smear_points])),
    trustedRate: config.correlation.trusted_requests_per_second,
  };
}

/**
 * The bar with every minimum change `factor` times as large: what a symptom that may be a daily
 * pattern not learned yet must clear to page on its own (see noveltyOf), its expected value being
 * that much less certain.
 */
export function widenedBar(bar: PagingBar, factor: number): PagingBar {
  return { ...bar, minChange: new Map([...bar.minChange].map(([name, change]) => [name, change * factor])) };
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
 * Each service's demand against its expected value, from this batch's traffic anomalies (the latest
 * of each service): where demand itself is unremarkable nothing is known, and nothing scaled.
 */
export function demandRatios(
  anomalies: readonly AnomalyEvent[],
  trafficMetrics: ReadonlySet<string>,
): Map<string, number> {
  const latest = new Map<string, AnomalyEvent>();
  for (const a of anomalies) {
    if (!trafficMetrics.has(a.metric_name) || !(a.expected > 0)) continue;
    const key = serviceKey(a.namespace, a.service);
    const known = latest.get(key);
    if (!known || a.timestamp > known.timestamp) latest.set(key, a);
  }
  return new Map([...latest].map(([key, a]) => [key, a.value / a.expected]));
}

/**
 * By namespace, the median demand ratio of its services whose traffic is anomalously up in this
 * batch (see demandRatios), where they are at least `share` (correlation.platform_demand_share, half
 * by default; 0: never) of the namespace's services with a traffic signal (`rates`, see
 * trafficByService) and at least three: demand entering at the edge reaches every service behind
 * it, so a platform-wide ramp (the first Monday morning after a weekend, a surge) loads services
 * whose own request rate moved less than its band while their CPU sets a record. Such load is
 * context, like that of a service whose own demand is anomalous.
 */
export function platformDemand(
  ratios: ReadonlyMap<string, number>,
  rates: ReadonlyMap<string, number>,
  share = 0.5,
): Map<string, number> {
  const out = new Map<string, number>();
  if (!(share > 0)) return out;
  const services = new Map<string, number>();
  for (const key of rates.keys()) {
    const namespace = key.slice(0, key.indexOf('/'));
    services.set(namespace, (services.get(namespace) ?? 0) + 1);
  }
  const up = new Map<string, number[]>();
  for (const [key, ratio] of ratios) {
    if (!(ratio > 1)) continue;
    const namespace = key.slice(0, key.indexOf('/'));
    const list = up.get(namespace) ?? [];
    list.push(ratio);
    up.set(namespace, list);
  }
  for (const [namespace, list] of up) {
    const total = Math.max(services.get(namespace) ?? 0, list.length);
    if (list.length < 3 || list.length < share * total) continue;
    const sorted = [...list].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    out.set(
      namespace,
      sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2,
    );
  }
  return out;
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
 * weight.
 * - A per_request signal of a service below the trusted traffic needs √(trusted / traffic) times
 *   the change, as the sampling noise of a quantile or a ratio grows (traffic unknown in this batch:
 *   taken at face value).
 * - A follows_demand signal (CPU) of a service whose demand is up by a factor is expected that much
 *   higher: load following demand is context, not a fault (demand down explains nothing going up).
 *   A service whose own traffic is not anomalous follows the platform's demand when most of its
 *   namespace's demand is up together (see platformDemand).
 * - A series whose expected value is 0 has no scale of its own: its change is judged as if the
 *   signal's min_abs_deviation were the minimum change (an error ratio of 0 going to 1 % on a service
 *   of one request a second is one error in a hundred: noise, by the rule above); without one it
 *   is moderate, it must last.
 * - A symptom whose series has been anomalous for no more points in a row (`run`) than its signal's
 *   smear_points is a "burst" at most: a one-sample burst spread by the rate window is over by then,
 *   and pages nothing; a fault goes on, and its next point pages, or shows on a second signal of
 *   the service at once (see addServiceEvidence), which one sample smeared does not.
 * - An absence and a burn-rate alert always weigh fully.
 */
export function pagingWeight(
  anomaly: AnomalyEvent,
  bar: PagingBar,
  demand: DemandContext,
  run = 1,
): 'minor' | 'moderate' | 'burst' | undefined {
  let minChange = bar.minChange.get(anomaly.metric_name);
  if (minChange === undefined || minChange <= 0) return undefined;
  if (anomaly.detector === 'absent' || anomaly.detector === 'slo_burn_rate') return undefined;
  const key = serviceKey(anomaly.namespace, anomaly.service);
  const demandRatio = bar.followsDemand.has(anomaly.metric_name)
    ? (demand.ratio.get(key) ?? demand.platform?.get(anomaly.namespace) ?? 1)
    : 1;
  let expected = Math.abs(anomaly.expected) * Math.max(1, demandRatio);
  if (expected === 0) {
    const unit = bar.minAbs.get(anomaly.metric_name) ?? 0;
    if (!(unit > 0)) return 'moderate';
    expected = unit / minChange;
  }
  if (bar.perRequest.has(anomaly.metric_name)) {
    const rate = demand.rate.get(key);
    if (rate !== undefined && rate < bar.trustedRate)
      minChange *= Math.min(MAX_NOISE_FACTOR, Math.sqrt(bar.trustedRate / Math.max(rate, 0)));
  }
  const change = Math.abs(anomaly.value - anomaly.expected * Math.max(1, demandRatio));
  if (change < minChange * expected) return 'minor';
  if (change < STRONG_FACTOR * minChange * expected) return 'moderate';
  const smear = bar.smear.get(anomaly.metric_name) ?? 1;
  return smear > 1 && run <= smear ? 'burst' : undefined;
}
