/**
 * Scores a replay against a scenario's truth.json: an output incident matches a true one when it
 * was created between the true onset and end + 15 minutes and shares at least one affected service.
 */
import { median as ssMedian } from 'simple-statistics';
import { z } from 'zod';

const MATCH_GRACE_MS = 15 * 60_000;

export const ScenarioTruthSchema = z.object({
  incidents: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      root_service: z.string(),
      affected_services: z.array(z.string()),
      onset: z.string(),
      end: z.string(),
    }),
  ),
  decoys: z
    .object({
      maintenance: z.array(z.object({ service: z.string(), starts_at: z.string(), ends_at: z.string() })).default([]),
    })
    .default({ maintenance: [] }),
});
export type ScenarioTruth = z.infer<typeof ScenarioTruthSchema>;

/** A paged incident: one that got (or would have got) a card. */
export interface PagedIncident {
  id: string;
  created_at: string;
  services: string[];
  probable_starting_service: string;
}

export interface ScenarioScore {
  trueIncidents: number;
  detected: number;
  pages: number;
  matchedPages: number;
  duplicates: number;
  startRight: number;
  /** Minutes from onset to the first matching page, per detected incident (leaks excluded). */
  detectMinutes: number[];
  maintenancePages: number;
}

export function scoreScenario(truth: ScenarioTruth, pages: readonly PagedIncident[]): ScenarioScore {
  const matched = new Set<string>();
  let detected = 0;
  let duplicates = 0;
  let startRight = 0;
  const detectMinutes: number[] = [];
  for (const t of truth.incidents) {
    const onset = Date.parse(t.onset);
    const end = Date.parse(t.end) + MATCH_GRACE_MS;
    const hits = pages
      .filter((p) => {
        const at = Date.parse(p.created_at);
        return at >= onset && at <= end && p.services.some((s) => t.affected_services.includes(s));
      })
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    for (const h of hits) matched.add(h.id);
    if (hits.length === 0) continue;
    detected += 1;
    duplicates += hits.length - 1;
    const first = hits[0] as PagedIncident;
    if (first.probable_starting_service === t.root_service) startRight += 1;
    // A leak's onset is the start of a slow ramp: detecting it late is expected.
    if (t.kind !== 'leak') detectMinutes.push((Date.parse(first.created_at) - onset) / 60_000);
  }
  const maintenancePages = pages.filter((p) =>
    truth.decoys.maintenance.some(
      (m) =>
        p.services.includes(m.service) &&
        Date.parse(p.created_at) >= Date.parse(m.starts_at) &&
        Date.parse(p.created_at) <= Date.parse(m.ends_at),
    ),
  ).length;
  return {
    trueIncidents: truth.incidents.length,
    detected,
    pages: pages.length,
    matchedPages: matched.size,
    duplicates,
    startRight,
    detectMinutes,
    maintenancePages,
  };
}

export function median(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : ssMedian([...values]);
}

export interface ScenarioSummary {
  recall: number;
  precision: number;
  duplicatesPerIncident: number;
  startAccuracy: number;
  medianDetectMinutes: number;
  maintenancePages: number;
}

export function summarize(scores: readonly ScenarioScore[]): ScenarioSummary {
  const sum = (f: (s: ScenarioScore) => number) => scores.reduce((a, s) => a + f(s), 0);
  const trueIncidents = sum((s) => s.trueIncidents);
  const detected = sum((s) => s.detected);
  const pages = sum((s) => s.pages);
  return {
    recall: trueIncidents === 0 ? 1 : detected / trueIncidents,
    precision: pages === 0 ? 1 : sum((s) => s.matchedPages) / pages,
    duplicatesPerIncident: trueIncidents === 0 ? 0 : sum((s) => s.duplicates) / trueIncidents,
    startAccuracy: detected === 0 ? 0 : sum((s) => s.startRight) / detected,
    medianDetectMinutes: median(scores.flatMap((s) => s.detectMinutes)),
    maintenancePages: sum((s) => s.maintenancePages),
  };
}
