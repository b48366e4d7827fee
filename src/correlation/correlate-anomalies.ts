import { max, min } from 'simple-statistics';
import { appendAll } from '../collections/append-all.js';
import type { AnomalyEvent } from '../contracts/index.js';
import type { IncidentDraft } from './incident-draft.js';
import { addServiceEvidence } from './service-evidence.js';
import { heightOf, neighbourhoodOf, storyReaches, type Topology } from './topology.js';

export interface CorrelationSettings {
  windowSeconds: number;
  /**
   * How long after its last anomaly a paged incident still absorbs related ones (until it is
   * resolved for being quiet): while it is open, the story goes on in its card, not in a new one.
   */
  openWindowSeconds?: number;
  /** An incident stops absorbing anomalies this long after it was created (a new one opens). */
  maxIncidentSeconds: number;
}

export interface CorrelationInput {
  anomalies: readonly AnomalyEvent[];
  open: readonly IncidentDraft[];
  topology: Topology;
  settings: CorrelationSettings;
  /** Why an anomaly must not page (maintenance, deploy grace), if it must not. */
  suppression?: (anomaly: AnomalyEvent) => string | null;
  /** Signals whose anomalies are demand (traffic), not symptoms. */
  trafficMetrics?: ReadonlySet<string>;
}

export interface CorrelationResult {
  opened: IncidentDraft[];
  updated: IncidentDraft[];
}

/**
 * Groups anomalies into the open incidents or new ones. A batch's anomalies are first joined into
 * components (services anomalous together and one call apart). A component joins an incident of
 * its namespace when one of its services is the incident's or one call away from one of them (two
 * calls for an incident already paged), within the window of the incident's latest anomaly
 * (`windowSeconds`; for an incident already paged, as long as it stays open), and while the
 * incident is younger than `maxIncidentSeconds`. With several candidates, the story people see
 * wins, then the oldest; candidates nobody was paged for are merged into it. Pure: the drafts
 * passed in are not mutated, updated copies are returned.
 */
export function correlateAnomalies(input: CorrelationInput): CorrelationResult {
  const { topology, settings } = input;
  const windowMs = settings.windowSeconds * 1000;
  const openWindowMs = Math.max(windowMs, (settings.openWindowSeconds ?? 0) * 1000);
  const windowOf = (d: IncidentDraft) => (!d.pending && d.status !== undefined ? openWindowMs : windowMs);
  const maxMs = settings.maxIncidentSeconds * 1000;
  const drafts = input.open.map(cloneDraft);
  const touched = new Set<IncidentDraft>();
  const opened: IncidentDraft[] = [];
  /**
   * Whether a component (services `own`, first anomaly at `ts`) belongs to a story: through a
   * service of the story that was itself anomalous within the window, so a story that once touched
   * half the platform does not take in everything near it for as long as it stays open. A service
   * joins its own story however small its last anomaly was; otherwise only through members whose
   * last anomaly counted (see lastCountedAt), one call away along the direction faults travel (see
   * storyReaches), two for a story people already see (in a spreading fault or a surge the service
   * in between often turns anomalous a scrape later).
   */
  const joins = (draft: IncidentDraft, own: ReadonlySet<string>, ts: number): boolean =>
    isMember(draft, own, ts) || reaches(draft, own, ts);
  /** A service of the component is the story's own, anomalous in it within the story's window. */
  const isMember = (draft: IncidentDraft, own: ReadonlySet<string>, ts: number): boolean => {
    for (const service of own) {
      const m = draft.members.get(service);
      if (m && ts - m.lastAt <= windowOf(draft)) return true;
    }
    return false;
  };
  const reaches = (draft: IncidentDraft, own: ReadonlySet<string>, ts: number): boolean => {
    const bridges = new Set<string>();
    for (const m of draft.members.values()) {
      if (m.lastCountedAt !== null && ts - m.lastCountedAt <= windowMs) bridges.add(m.service);
    }
    if (bridges.size === 0) return false;
    const hops = !draft.pending && draft.status !== undefined ? 2 : 1;
    for (const service of own) if (storyReaches(topology, bridges, service, hops)) return true;
    return false;
  };
  // One batch (a cycle's anomalies): services that are anomalous together and one call apart form
  // one component, whatever order the scrape listed them in; a component joins the oldest open
  // story it touches, or opens a new one.
  const byNamespace = new Map<string, AnomalyEvent[]>();
  for (const a of input.anomalies) {
    const list = byNamespace.get(a.namespace) ?? [];
    list.push(a);
    byNamespace.set(a.namespace, list);
  }
  for (const [namespace, batch] of byNamespace) {
    for (const component of componentsOf(batch, topology)) {
      const ts = min(component.map((a) => Date.parse(a.timestamp)));
      const last = max(component.map((a) => Date.parse(a.timestamp)));
      const own = new Set(component.map((a) => a.service));
      const candidates = drafts
        .filter(
          (draft) =>
            draft.namespace === namespace &&
            ts - draft.lastAnomalyAt <= windowOf(draft) &&
            draft.createdAt - last <= windowMs &&
            ts - draft.createdAt <= maxMs &&
            joins(draft, own, ts),
        )
        // The story people already see first, then one the component's services are part of,
        // then the oldest, then the biggest.
        .sort(
          (a, b) =>
            Number(a.pending) - Number(b.pending) ||
            Number(!isMember(a, own, ts)) - Number(!isMember(b, own, ts)) ||
            a.createdAt - b.createdAt ||
            b.total - a.total,
        );
      let best: IncidentDraft | undefined = candidates[0];
      // This component ties stories together: those nobody has been paged for yet become one.
      for (const other of candidates.slice(1)) {
        if (!best || !other.pending || other.status === 'suppressed') continue;
        merge(best, other);
        drafts.splice(drafts.indexOf(other), 1);
        if (opened.includes(other)) opened.splice(opened.indexOf(other), 1);
        touched.delete(other);
        if (other.id !== undefined) best.absorbed.push(other.id);
        touched.add(best);
      }
      // An episode that goes on (its opening point already told, or told to an incident since
      // resolved) extends a story but never opens one: a fault that lasts is one page, not one per
      // cycle. Its points stay recorded as anomalies.
      if (!best && !component.some((a) => a.opens !== false)) continue;
      if (!best) {
        const first = [...component].sort(
          (x, y) =>
            Date.parse(x.timestamp) - Date.parse(y.timestamp) ||
            heightOf(topology, x.service) - heightOf(topology, y.service),
        )[0] as AnomalyEvent;
        best = {
          id: undefined,
          fingerprint: `${namespace}/${first.service}/${new Date(ts).toISOString()}`,
          namespace,
          status: undefined,
          pending: true,
          createdAt: ts,
          lastAnomalyAt: ts,
          members: new Map(),
          total: 0,
          suppressed: 0,
          suppressionReasons: [],
          newAnomalies: [],
          absorbed: [],
        };
        drafts.push(best);
        opened.push(best);
      }
      // Stories people already see stay apart: where this component touches two of them (a caller
      // both outages reach), each anomaly goes to the story its own service is part of, or reaches
      // it, so one outage's callee does not become the other's evidence (and its card's service).
      const seen = candidates.filter((d) => d !== best && drafts.includes(d));
      for (const a of component) {
        const ownService = new Set([a.service]);
        const target =
          seen.length === 0 || joins(best, ownService, ts)
            ? best
            : (seen.find((d) => joins(d, ownService, ts)) ?? best);
        addAnomaly(
          target,
          a,
          Date.parse(a.timestamp),
          input.suppression?.(a) ?? null,
          input.trafficMetrics?.has(a.metric_name) ?? false,
        );
        touched.add(target);
      }
    }
  }
  return { opened, updated: drafts.filter((d) => touched.has(d) && !opened.includes(d)) };
}

function addAnomaly(
  draft: IncidentDraft,
  anomaly: AnomalyEvent,
  ts: number,
  suppression: string | null,
  traffic: boolean,
): void {
  // Only evidence keeps a story going: demand moving and symptoms too small to page join it (and show
  // on its card) but neither keep it open nor extend the window in which it takes in more.
  if (!traffic && anomaly.paging_weight !== 'minor') draft.lastAnomalyAt = Math.max(draft.lastAnomalyAt, ts);
  draft.newAnomalies.push({ id: anomaly.id, suppressed: suppression !== null });
  draft.total += 1;
  if (suppression !== null) {
    draft.suppressed += 1;
    if (!draft.suppressionReasons.includes(suppression)) draft.suppressionReasons.push(suppression);
  }
  addServiceEvidence(draft.members, {
    service: anomaly.service,
    metricName: anomaly.metric_name,
    ts,
    score: anomaly.anomaly_score,
    detector: anomaly.detector,
    pagingWeight: anomaly.paging_weight,
    recentDeploy: anomaly.evidence.recent_deploy,
    suppressed: suppression !== null,
    traffic,
    ...(anomaly.novelty ? { familiar: true } : {}),
  });
}

function cloneDraft(draft: IncidentDraft): IncidentDraft {
  return {
    ...draft,
    members: new Map([...draft.members].map(([k, v]) => [k, { ...v, metrics: [...v.metrics] }])),
    suppressionReasons: [...draft.suppressionReasons],
    newAnomalies: [],
    absorbed: [],
  };
}

function merge(into: IncidentDraft, from: IncidentDraft): void {
  into.createdAt = Math.min(into.createdAt, from.createdAt);
  into.lastAnomalyAt = Math.max(into.lastAnomalyAt, from.lastAnomalyAt);
  into.total += from.total;
  into.suppressed += from.suppressed;
  for (const r of from.suppressionReasons) if (!into.suppressionReasons.includes(r)) into.suppressionReasons.push(r);
  appendAll(into.newAnomalies, from.newAnomalies);
  appendAll(into.absorbed, from.absorbed);
  for (const [service, m] of from.members) {
    const mine = into.members.get(service);
    if (!mine) {
      into.members.set(service, {
        ...m,
        metrics: [...m.metrics],
        countedAtByMetric: { ...m.countedAtByMetric },
        burstAtByMetric: { ...m.burstAtByMetric },
      });
      continue;
    }
    mine.firstAt = Math.min(mine.firstAt, m.firstAt);
    mine.lastAt = Math.max(mine.lastAt, m.lastAt);
    if (m.lastCountedAt !== null) mine.lastCountedAt = Math.max(mine.lastCountedAt ?? m.lastCountedAt, m.lastCountedAt);
    mine.count += m.count;
    mine.traffic += m.traffic;
    mine.firstTrafficAt = earlier(mine.firstTrafficAt, m.firstTrafficAt);
    mine.firstSymptomAt = earlier(mine.firstSymptomAt, m.firstSymptomAt);
    mine.firstNonTrafficAt = earlier(mine.firstNonTrafficAt, m.firstNonTrafficAt);
    mine.minor += m.minor;
    mine.suppressed += m.suppressed;
    mine.sustained += m.sustained;
    mine.novel += m.novel;
    mine.alerts += m.alerts;
    mine.maxScore = Math.max(mine.maxScore, m.maxScore);
    for (const metric of m.metrics) if (!mine.metrics.includes(metric)) mine.metrics.push(metric);
    mine.recentDeploy ??= m.recentDeploy;
    mine.persistentSymptom ||= m.persistentSymptom;
    if (m.lastSymptomAt !== null) mine.lastSymptomAt = Math.max(mine.lastSymptomAt ?? m.lastSymptomAt, m.lastSymptomAt);
    if (m.lastFullAt !== null) mine.lastFullAt = Math.max(mine.lastFullAt ?? m.lastFullAt, m.lastFullAt);
    for (const [metric, at] of Object.entries(m.countedAtByMetric)) {
      mine.countedAtByMetric[metric] = Math.max(mine.countedAtByMetric[metric] ?? at, at);
    }
    for (const [metric, at] of Object.entries(m.burstAtByMetric)) {
      mine.burstAtByMetric[metric] = Math.max(mine.burstAtByMetric[metric] ?? at, at);
    }
  }
}

function earlier(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** Union-find over the batch's services along depends_on edges: who is anomalous together. */
function componentsOf(batch: readonly AnomalyEvent[], topology: Topology): AnomalyEvent[][] {
  const services = [...new Set(batch.map((a) => a.service))];
  const parent = new Map(services.map((s) => [s, s]));
  const find = (s: string): string => {
    let root = s;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(s, root);
    return root;
  };
  for (const s of services) {
    for (const n of neighbourhoodOf(topology, s)) if (parent.has(n)) parent.set(find(s), find(n));
  }
  const groups = new Map<string, AnomalyEvent[]>();
  for (const a of batch) {
    const root = find(a.service);
    const list = groups.get(root) ?? [];
    list.push(a);
    groups.set(root, list);
  }
  return [...groups.values()];
}
