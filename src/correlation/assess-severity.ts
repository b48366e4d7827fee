import type { Severity } from '../contracts/index.js';
import type { IncidentDraft } from './incident-draft.js';
import type { Topology } from './topology.js';

/**
 * Severity from what is hit and how broadly: a tier-1 (customer-facing) service with company is
 * critical; tier 1 alone or three services or more is high; anything else a warning.
 */
export function assessSeverity(draft: IncidentDraft, topology: Topology): Severity {
  const tiers = [...draft.members.keys()].map((s) => topology.services.get(s)?.tier ?? 2);
  const tierOne = tiers.some((t) => t === 1);
  if (tierOne && draft.members.size >= 2) return 'critical';
  if (tierOne || draft.members.size >= 3) return 'high';
  return 'warning';
}
