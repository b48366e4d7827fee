/** What correlation knows about one incident: enough to group new anomalies and rank a hypothesis. */
export interface ServiceEvidence {
  service: string;
  firstAt: number;
  lastAt: number;
  count: number;
  maxScore: number;
  metrics: string[];
  recentDeploy: string | null;
}

export interface IncidentDraft {
  /** Undefined until the store assigns one (new incidents). */
  id: string | undefined;
  fingerprint: string;
  namespace: string;
  createdAt: number;
  lastAnomalyAt: number;
  members: Map<string, ServiceEvidence>;
  /** Anomaly ids added in this correlation run. */
  newAnomalyIds: string[];
}
