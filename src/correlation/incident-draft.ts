import type { IncidentStatus } from '../contracts/index.js';

/** What correlation knows about one incident: enough to group new anomalies and rank a hypothesis. */
export interface ServiceEvidence {
  service: string;
  firstAt: number;
  lastAt: number;
  /**
   * Its latest anomaly that is not a minor symptom (demand included), or null: only through those
   * does a story take in more, so noise too small to page cannot bridge it to a separate outage.
   */
  lastCountedAt: number | null;
  count: number;
  maxScore: number;
  metrics: string[];
  recentDeploy: string | null;
  /** How many of its anomalies were traffic (demand) rather than symptoms. */
  traffic: number;
  /** Its first traffic anomaly, and its first symptom that counts towards paging (or null). */
  firstTrafficAt: number | null;
  firstSymptomAt: number | null;
  /** Its first anomaly that is not traffic, whatever its weight (or null). */
  firstNonTrafficAt: number | null;
  /** How many were symptoms too small to page (see pagingWeight): evidence, but they page nothing. */
  minor: number;
  /**
   * How many were symptoms in a maintenance window or deploy grace: recorded, never evidence for a
   * page (the fields below count only symptoms outside them).
   */
  suppressed: number;
  /** How many were symptoms that count towards paging (not traffic, not minor): what lasts. */
  sustained: number;
  /**
   * How many of those (and of its absences and alerts) were news: not possibly a daily pattern (see
   * AnomalyEvent.novelty). A service with none may be showing its daily cycle not learned yet (a
   * nightly job in its first nights), and pages alone no more (see meetsEvidenceBar).
   */
  novel: number;
  /**
   * Its latest symptoms that count (not minor) and of full weight (see pagingWeight), and whether
   * two that count came within a few scrapes, one of them of full weight (or it went silent):
   * persistence, which pages.
   */
  lastSymptomAt: number | null;
  lastFullAt: number | null;
  /** By signal, its latest symptom that counts, and its latest burst (see addServiceEvidence). */
  countedAtByMetric: Record<string, number>;
  burstAtByMetric: Record<string, number>;
  persistentSymptom: boolean;
  /** Alertmanager alerts firing for it outside maintenance: each pages alone (see meetsEvidenceBar). */
  alerts: number;
}

export interface IncidentDraft {
  /** Undefined until the store assigns one (new incidents). */
  id: string | undefined;
  fingerprint: string;
  namespace: string;
  /** Undefined for an incident opened in this run. */
  status: IncidentStatus | undefined;
  pending: boolean;
  createdAt: number;
  /** Its latest anomaly that is evidence (a symptom, not minor): what keeps it open. */
  lastAnomalyAt: number;
  members: Map<string, ServiceEvidence>;
  /** Anomalies recorded with it, and how many of them fell in a maintenance window or deploy grace. */
  total: number;
  suppressed: number;
  /** Why its suppressed anomalies were suppressed (for the card and the suppression reason). */
  suppressionReasons: string[];
  /** Anomaly ids added in this correlation run, with whether each was suppressed. */
  newAnomalies: Array<{ id: string; suppressed: boolean }>;
  /** Stored incidents (not yet paged) merged into this one in this run: the same story. */
  absorbed: string[];
}
