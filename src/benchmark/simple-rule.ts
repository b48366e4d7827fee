/**
 * The baseline of issue 14, "page on a large deviation held for at least 5 minutes, ignore latency
 * and error ratios computed from too few requests", as a team would write it in a Prometheus alert
 * rule: `x > 2 * quantile_over_time(0.5, x[1h])` with `for: 5m`, gated on the request rate. It is
 * a yardstick for Vigil in bench:scenarios, not a detector: every number below is a plain, round
 * choice stated up front, none fitted to a scenario's truth.json.
 */

import { compareText } from '../collections/compare-text.js';
import type { MetricSample, OpsEvent } from '../contracts/index.js';
import type { PagedIncident } from './score-scenarios.js';

const MINUTE_MS = 60_000;

export const SIMPLE_RULE = {
  /**
   * Expected value = median of the same series over the previous 60 minutes. Chosen over "the same
   * minute of the previous days" because it needs no seasonal history (one clean day gives a single
   * noisy value per minute, and weekends differ from weekdays), and daily ramps move far less than 2×
   * within an hour. Its known cost: a slow leak drags its own baseline up and is found late or never.
   */
  baselineMinutes: 60,
  /** Fewer points than this in the window (scrape gaps, maintenance) and the point is not judged. */
  minBaselinePoints: 30,
  /** "Large": at least this multiple of the expected value, upwards only. */
  factor: 2,
  /** And, for error_rate (a ratio), at least +0.5 percentage points: 0.1 % → 0.2 % is not an outage. */
  minErrorRateIncrease: 0.005,
  /** Held: deviant points spanning 5 minutes, past the 3-minute smear of a one-minute burst. */
  holdMinutes: 5,
  /** Latency p99 and error ratio are ignored while the service serves fewer requests per second. */
  minRequestRate: 20,
  /** A later point carries an earlier one across at most this many minutes of missing scrapes (Prometheus' 5 m lookback). */
  lookbackMinutes: 5,
  /** A service that paged pages again only after this long without a deviant point. */
  rearmMinutes: 30,
  /** Pages of topology neighbours within this many minutes of a page are that page. */
  groupMinutes: 10,
  /** The first day is history only: the scenarios' README says it is clean, so nothing there pages. */
  historyMinutes: 24 * 60,
} as const;

/** Symptoms only: demand (request_rate) is context, not a page. */
const SYMPTOMS = ['latency_p99', 'error_rate', 'cpu_usage'] as const;
/** Symptoms whose value is a statistic over requests, so it means nothing without traffic. */
const PER_REQUEST = new Set<string>(['latency_p99', 'error_rate']);

export interface SimpleRuleInput {
  topology: { services: ReadonlyArray<{ name: string; depends_on: readonly string[] }> };
  samples: readonly MetricSample[];
  events: readonly OpsEvent[];
}

interface Series {
  t: number[];
  v: number[];
}

/**
 * Runs the simple rule over a scenario's samples and returns its pages in the shape
 * score-scenarios.ts scores. Deploys are ignored; nothing pages inside a service's maintenance window.
 * A group's probable starting service is the member none of whose dependencies is in the group (the
 * deepest callee), the first of them to page when there are several.
 */
export function runSimpleRule(input: SimpleRuleInput): PagedIncident[] {
  const series = indexSamples(input.samples);
  const maintenance = maintenanceWindows(input.events);
  let start = Number.POSITIVE_INFINITY;
  for (const s of input.samples) start = Math.min(start, Date.parse(s.timestamp));
  const pagesFrom = start + SIMPLE_RULE.historyMinutes * MINUTE_MS;
  const servicePages: Array<{ service: string; at: number }> = [];
  for (const [service, metrics] of series) {
    const inMaintenance = (t: number) => (maintenance.get(service) ?? []).some(([from, to]) => t >= from && t <= to);
    const requestRate = minuteMap(metrics.get('request_rate'));
    const deviant: Array<{ t: number; held: boolean }> = [];
    for (const metric of SYMPTOMS) {
      const s = metrics.get(metric);
      if (!s) continue;
      const busyEnough = PER_REQUEST.has(metric)
        ? (t: number) => (lookup(requestRate, t) ?? 0) >= SIMPLE_RULE.minRequestRate
        : () => true;
      for (const p of deviantPoints(s, metric, inMaintenance, busyEnough)) deviant.push(p);
    }
    for (const at of pageTimes(deviant, pagesFrom)) servicePages.push({ service, at });
  }
  return groupPages(servicePages, input.topology);
}

function indexSamples(samples: readonly MetricSample[]): Map<string, Map<string, Series>> {
  const rows = new Map<string, Map<string, Array<[number, number]>>>();
  for (const s of samples) {
    const metrics = rows.get(s.service) ?? new Map<string, Array<[number, number]>>();
    rows.set(s.service, metrics);
    const points = metrics.get(s.metric_name) ?? [];
    metrics.set(s.metric_name, points);
    points.push([Date.parse(s.timestamp), s.value]);
  }
  const out = new Map<string, Map<string, Series>>();
  for (const [service, metrics] of rows) {
    const m = new Map<string, Series>();
    for (const [metric, points] of metrics) {
      points.sort((a, b) => a[0] - b[0]);
      m.set(metric, { t: points.map((p) => p[0]), v: points.map((p) => p[1]) });
    }
    out.set(service, m);
  }
  return out;
}

function maintenanceWindows(events: readonly OpsEvent[]): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  for (const e of events) {
    if (e.type !== 'maintenance') continue;
    const list = out.get(e.service) ?? [];
    list.push([Date.parse(e.starts_at), Date.parse(e.ends_at)]);
    out.set(e.service, list);
  }
  return out;
}

function minuteMap(s: Series | undefined): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < (s?.t.length ?? 0); i += 1)
    out.set(Math.floor((s?.t[i] as number) / MINUTE_MS), s?.v[i] as number);
  return out;
}

/** The latest value at or before `t`, within the lookback. */
function lookup(byMinute: Map<number, number>, t: number): number | undefined {
  const minute = Math.floor(t / MINUTE_MS);
  for (let m = minute; m > minute - SIMPLE_RULE.lookbackMinutes; m -= 1) {
    const v = byMinute.get(m);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Every deviant point of one series, and whether its run of deviant points has been held long enough
 * to page. Points inside maintenance are left out of both the baseline and the runs: what happens
 * there is expected and says nothing about normal.
 */
function deviantPoints(
  s: Series,
  metric: string,
  inMaintenance: (t: number) => boolean,
  busyEnough: (t: number) => boolean,
): Array<{ t: number; held: boolean }> {
  const out: Array<{ t: number; held: boolean }> = [];
  const window: Array<[number, number]> = [];
  const sorted: number[] = [];
  let runStart: number | undefined;
  let lastDeviant = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < s.t.length; i += 1) {
    const t = s.t[i] as number;
    const v = s.v[i] as number;
    while (window.length > 0 && (window[0] as [number, number])[0] <= t - SIMPLE_RULE.baselineMinutes * MINUTE_MS) {
      sorted.splice(lowerBound(sorted, (window.shift() as [number, number])[1]), 1);
    }
    if (inMaintenance(t)) {
      runStart = undefined;
      continue;
    }
    const expected = sorted.length >= SIMPLE_RULE.minBaselinePoints ? medianOfSorted(sorted) : undefined;
    if (expected !== undefined && busyEnough(t) && isLarge(metric, v, expected)) {
      if (runStart === undefined || t - lastDeviant > SIMPLE_RULE.lookbackMinutes * MINUTE_MS) runStart = t;
      lastDeviant = t;
      out.push({ t, held: t - runStart >= (SIMPLE_RULE.holdMinutes - 1) * MINUTE_MS });
    } else {
      runStart = undefined;
    }
    window.push([t, v]);
    sorted.splice(lowerBound(sorted, v), 0, v);
  }
  return out;
}

function isLarge(metric: string, value: number, expected: number): boolean {
  if (expected <= 0 && metric !== 'error_rate') return false;
  if (value < SIMPLE_RULE.factor * expected) return false;
  return metric !== 'error_rate' || value - expected >= SIMPLE_RULE.minErrorRateIncrease;
}

/** One page per episode: a service pages when a run is held, then not again until it has been normal for rearmMinutes. */
function pageTimes(deviant: Array<{ t: number; held: boolean }>, pagesFrom: number): number[] {
  const out: number[] = [];
  let inEpisode = false;
  let lastDeviant = Number.NEGATIVE_INFINITY;
  for (const p of deviant.sort((a, b) => a.t - b.t)) {
    if (inEpisode && p.t - lastDeviant >= SIMPLE_RULE.rearmMinutes * MINUTE_MS) inEpisode = false;
    if (p.held && !inEpisode && p.t >= pagesFrom) {
      out.push(p.t);
      inEpisode = true;
    }
    lastDeviant = p.t;
  }
  return out;
}

/**
 * Service pages that start within groupMinutes of a group's first page and are topology neighbours
 * (either calls the other) of one of its services join that group: one outage seen by caller and
 * callee is one page.
 */
function groupPages(
  pages: Array<{ service: string; at: number }>,
  topology: SimpleRuleInput['topology'],
): PagedIncident[] {
  const dependsOn = new Map(topology.services.map((s) => [s.name, new Set(s.depends_on)]));
  const neighbours = (a: string, b: string) => dependsOn.get(a)?.has(b) === true || dependsOn.get(b)?.has(a) === true;
  const groups: Array<{ at: number; members: string[] }> = [];
  for (const p of pages.sort((a, b) => a.at - b.at || compareText(a.service, b.service))) {
    const group = groups.find(
      (g) => p.at - g.at <= SIMPLE_RULE.groupMinutes * MINUTE_MS && g.members.some((m) => neighbours(m, p.service)),
    );
    if (group) group.members.push(p.service);
    else groups.push({ at: p.at, members: [p.service] });
  }
  return groups.map((g, i) => ({
    id: `simple-${i + 1}`,
    created_at: new Date(g.at).toISOString(),
    services: [...g.members],
    // Members are in paging order, so find() picks the first to page among the deepest callees.
    probable_starting_service:
      g.members.find((m) => !g.members.some((other) => dependsOn.get(m)?.has(other))) ?? (g.members[0] as string),
  }));
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function medianOfSorted(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
