import { compareText } from '../collections/compare-text.js';
import type { AnomalyEvent, Incident } from '../contracts/index.js';
import type { IncidentDraft, ServiceEvidence } from '../correlation/incident-draft.js';
import { addServiceEvidence, type EvidencePoint } from '../correlation/service-evidence.js';
import type { IncidentStore } from '../incidents/apply-anomalies.js';
import { SERIES_PER_LABEL } from '../storage/feedback-repo.js';

/** One anomaly as a story's evidence needs it, plus what a would-be incident lists. */
interface StoredPoint extends Omit<EvidencePoint, 'suppressed' | 'traffic'> {
  id: string;
  seriesKey: string;
}

interface StoredIncident {
  incident: Incident;
  /** Its anomalies while it is unresolved (read back by activeDrafts); dropped once it resolves. */
  points: Array<StoredPoint & { suppressed: boolean }>;
  series: Set<string>;
  detectors: Set<string>;
  anomalies: number;
}

/** What a would-be incident records beyond the incident itself. */
export interface WouldBeDetails {
  series: string[];
  detectors: string[];
  anomalies: number;
}

export interface ShadowIncidentStore extends IncidentStore {
  /** The anomalies of a cycle, before correlation links them (AnomaliesRepo.insert's part). */
  insert(events: readonly AnomalyEvent[], recordedAt: string): AnomalyEvent[];
  details(id: string): WouldBeDetails | undefined;
  /** Forgets what correlation can no longer read: resolved incidents older than `keepResolvedMs`. */
  prune(nowMs: number, keepResolvedMs: number): void;
  size(): number;
}

const byTimeThenId = (a: StoredPoint, b: StoredPoint) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A shadow challenger's incidents, in memory: the same lifecycle (applyAnomalies) runs on it as on
 * the champion's SQLite store, so the challenger's would-be pages follow the real correlation and
 * paging rules, while the champion's incidents and anomalies are never touched. It holds only what
 * correlation reads: unresolved incidents with their anomalies' evidence, and resolved pages for the
 * link window (see prune); its size follows open stories, not series.
 */
export function createShadowIncidentStore(): ShadowIncidentStore {
  const incidents = new Map<string, StoredIncident>();
  /** The cycle's anomalies until correlation links them; the next insert drops the rest. */
  let unlinked = new Map<string, StoredPoint>();

  const unresolved = () => [...incidents.values()].filter((s) => s.incident.status !== 'resolved');
  const newestFirst = (a: Incident, b: Incident) =>
    compareText(b.created_at, a.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  return {
    insert(events) {
      unlinked = new Map();
      for (const e of events)
        unlinked.set(e.id, {
          id: e.id,
          seriesKey: e.series_key,
          service: e.service,
          metricName: e.metric_name,
          ts: Date.parse(e.timestamp),
          score: e.anomaly_score,
          detector: e.detector,
          pagingWeight: e.paging_weight,
          recentDeploy: e.evidence.recent_deploy,
          ...(e.novelty ? { familiar: true } : {}),
        });
      // A challenger's engine never scores a point twice (its state lives and dies with it).
      return [...events];
    },
    atomically: (work) => work(),
    save(incident, anomalies) {
      const stored = incidents.get(incident.id) ?? {
        incident,
        points: [],
        series: new Set<string>(),
        detectors: new Set<string>(),
        anomalies: 0,
      };
      stored.incident = incident;
      for (const a of anomalies) {
        const point = unlinked.get(a.id);
        if (!point) continue;
        unlinked.delete(a.id);
        stored.points.push({ ...point, suppressed: a.suppressed });
        stored.anomalies += 1;
        if (stored.series.size < SERIES_PER_LABEL) stored.series.add(point.seriesKey);
        stored.detectors.add(point.detector);
      }
      if (incident.status === 'resolved') stored.points = [];
      incidents.set(incident.id, stored);
    },
    absorb(into, from, at) {
      const target = incidents.get(into);
      const source = incidents.get(from);
      if (!target || !source) return;
      for (const p of source.points) target.points.push(p);
      target.anomalies += source.anomalies;
      for (const k of source.series) if (target.series.size < SERIES_PER_LABEL) target.series.add(k);
      for (const d of source.detectors) target.detectors.add(d);
      source.points = [];
      source.incident = { ...source.incident, status: 'resolved', resolved_at: at, updated_at: at };
    },
    resolvedSince: (namespace, since) =>
      [...incidents.values()]
        .map((s) => s.incident)
        .filter(
          (i) =>
            i.status === 'resolved' &&
            !i.pending &&
            i.namespace === namespace &&
            i.resolved_at !== null &&
            i.resolved_at >= since,
        )
        .sort((a, b) => compareText(b.resolved_at ?? '', a.resolved_at ?? '')),
    get: (id) => incidents.get(id)?.incident,
    listActive: (options) =>
      unresolved()
        .map((s) => s.incident)
        .filter((i) => options?.includeHidden || ((i.status === 'open' || i.status === 'acknowledged') && !i.pending))
        .sort(newestFirst),
    activeDrafts: (trafficMetrics) =>
      unresolved().map((s): IncidentDraft => {
        const i = s.incident;
        const members = new Map<string, ServiceEvidence>();
        let suppressed = 0;
        // In time order, as the SQLite store reads them back: the same addServiceEvidence counts them.
        for (const p of [...s.points].sort(byTimeThenId)) {
          if (p.suppressed) suppressed += 1;
          addServiceEvidence(members, { ...p, traffic: trafficMetrics?.has(p.metricName) ?? false });
        }
        return {
          id: i.id,
          fingerprint: i.fingerprint,
          namespace: i.namespace,
          status: i.status,
          pending: i.pending,
          createdAt: Date.parse(i.created_at),
          lastAnomalyAt: Date.parse(i.last_anomaly_at),
          members,
          total: s.points.length,
          suppressed,
          suppressionReasons: i.suppression_reason ? i.suppression_reason.split('; ') : [],
          newAnomalies: [],
          absorbed: [],
        };
      }),
    details(id) {
      const s = incidents.get(id);
      return s
        ? { series: [...s.series].sort(), detectors: [...s.detectors].sort(), anomalies: s.anomalies }
        : undefined;
    },
    prune(nowMs, keepResolvedMs) {
      const since = new Date(nowMs - keepResolvedMs).toISOString();
      for (const [id, s] of incidents) {
        const i = s.incident;
        if (i.status !== 'resolved') continue;
        // Only pages resolved within the link window are ever read again (resolvedSince).
        if (i.pending || i.resolved_at === null || i.resolved_at < since) incidents.delete(id);
      }
      unlinked = new Map();
    },
    size: () => incidents.size,
  };
}
