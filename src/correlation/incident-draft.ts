import type { IncidentStatus } from '../contracts/index.js';

/** What correlation knows about one incident: enough to group new anomalies and rank a hypothesis. */
export interface ServiceEvidence {
  service: string;
  firstAt: number;
  lastAt: number;
  count: number;
  maxScore: number;
  metrics: string[];
  recentDeploy: string | null;
  /** How many of its anomalies were traffic (demand) rather than symptoms. */
  traffic: number;
  /** How many were symptoms too small to page (see isMinorSymptom): evidence, but they page nothing. */
  minor: number;
  /** Its latest paging symptom (not traffic, not minor), and whether two came within a few scrapes: persistence. */
  lastSymptomAt: number | null;
  persistentSymptom: boolean;
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
