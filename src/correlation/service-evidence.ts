import type { ServiceEvidence } from './incident-draft.js';

/**
 * Two symptom anomalies of a service this close together, one of them of full weight, are a
 * persistent symptom, not a blip (a fault's first point is often still moderate, its second not).
 */
export const PERSISTENCE_MS = 3 * 60_000;

/** What a service's evidence in a story learns from one of its anomalies. */
export interface EvidencePoint {
  service: string;
  metricName: string;
  ts: number;
  score: number;
  detector: string;
  /** See AnomalyEvent.paging_weight: undefined is full weight. */
  pagingWeight: 'minor' | 'moderate' | 'burst' | undefined;
  recentDeploy: string | null;
  /** In a maintenance window or deploy grace. */
  suppressed: boolean;
  /** Demand (a traffic signal), not a symptom. */
  traffic: boolean;
  /**
   * True when the symptom may be a daily pattern rather than news (see AnomalyEvent.novelty): its
   * series' seasonal baseline did not know the hour yet, or it was anomalous at this time yesterday.
   */
  familiar?: boolean;
}

function latest(at: Record<string, number>, metric: string, ts: number): void {
  at[metric] = Math.max(at[metric] ?? ts, ts);
}

/**
 * A burst (see pagingWeight) with a symptom that counts on another signal of the service, at the
 * same time or within a few scrapes, either way round: one sample smeared by a rate window moves
 * one signal, a fault moves its latency and its errors (or CPU) together, and pages at once.
 */
function corroborated(member: ServiceEvidence, metric: string, ts: number, burst: boolean): boolean {
  const others = burst ? member.countedAtByMetric : member.burstAtByMetric;
  for (const other in others) {
    if (other !== metric && Math.abs(ts - (others[other] as number)) <= PERSISTENCE_MS) return true;
  }
  return false;
}

/**
 * Adds an anomaly to its service's evidence: the one place this is counted, whether the anomaly
 * arrives in a cycle (correlation) or a story is read back from SQLite (its anomalies in time order).
 */
export function addServiceEvidence(members: Map<string, ServiceEvidence>, p: EvidencePoint): void {
  const ts = p.ts;
  const member: ServiceEvidence = members.get(p.service) ?? {
    service: p.service,
    firstAt: ts,
    lastAt: ts,
    lastCountedAt: null,
    count: 0,
    maxScore: 0,
    metrics: [],
    recentDeploy: null,
    traffic: 0,
    firstTrafficAt: null,
    firstSymptomAt: null,
    firstNonTrafficAt: null,
    minor: 0,
    suppressed: 0,
    sustained: 0,
    novel: 0,
    lastSymptomAt: null,
    lastFullAt: null,
    countedAtByMetric: {},
    burstAtByMetric: {},
    persistentSymptom: false,
    alerts: 0,
  };
  member.firstAt = Math.min(member.firstAt, ts);
  member.lastAt = Math.max(member.lastAt, ts);
  if (p.pagingWeight !== 'minor') member.lastCountedAt = Math.max(member.lastCountedAt ?? ts, ts);
  member.count += 1;
  if (p.traffic) member.firstTrafficAt = Math.min(member.firstTrafficAt ?? ts, ts);
  else member.firstNonTrafficAt = Math.min(member.firstNonTrafficAt ?? ts, ts);
  if (p.traffic) member.traffic += 1;
  else if (p.suppressed) member.suppressed += 1;
  else if (p.pagingWeight === 'minor') member.minor += 1;
  // A series silent for minutes is persistent by definition.
  else if (p.detector === 'absent') {
    member.persistentSymptom = true;
    member.novel += 1;
    member.firstSymptomAt = Math.min(member.firstSymptomAt ?? ts, ts);
    // An alert rule already waited its `for:` duration: it persists by definition.
  } else if (p.detector === 'alertmanager') {
    member.alerts += 1;
    member.novel += 1;
    member.persistentSymptom = true;
    member.firstSymptomAt = Math.min(member.firstSymptomAt ?? ts, ts);
  } else {
    member.sustained += 1;
    if (p.familiar !== true) member.novel += 1;
    member.firstSymptomAt = Math.min(member.firstSymptomAt ?? ts, ts);
    const full = p.pagingWeight === undefined;
    // Paired with the latest symptom that counts when this one is of full weight, else with the
    // latest of full weight.
    const other = full ? member.lastSymptomAt : member.lastFullAt;
    if (other !== null) {
      const gap = Math.abs(ts - other);
      if (gap > 0 && gap <= PERSISTENCE_MS) member.persistentSymptom = true;
    }
    if (corroborated(member, p.metricName, ts, p.pagingWeight === 'burst')) member.persistentSymptom = true;
    member.lastSymptomAt = Math.max(member.lastSymptomAt ?? ts, ts);
    if (full) member.lastFullAt = Math.max(member.lastFullAt ?? ts, ts);
    latest(member.countedAtByMetric, p.metricName, ts);
    if (p.pagingWeight === 'burst') latest(member.burstAtByMetric, p.metricName, ts);
  }
  member.maxScore = Math.max(member.maxScore, p.score);
  if (!member.metrics.includes(p.metricName)) member.metrics.push(p.metricName);
  member.recentDeploy ??= p.recentDeploy;
  members.set(p.service, member);
}
