import type { Incident } from '../contracts/index.js';
import type { IncidentsRepo } from '../storage/incidents-repo.js';

export type StatusChange = { ok: true; incident: Incident } | { ok: false; message: string };

/**
 * A person acknowledges or resolves an incident (button or /vigil). Checked against the stored
 * state, never the request: acknowledging needs an open incident, resolving an unresolved one.
 */
export function changeStatus(
  incidents: IncidentsRepo,
  id: string,
  to: 'acknowledged' | 'resolved',
  actor: string,
  reason: string,
  now: Date,
): StatusChange {
  // Read and written in one transaction: the detection thread may be folding anomalies into it.
  return incidents.atomically((): StatusChange => {
    const incident = incidents.get(id);
    if (!incident) return { ok: false, message: `No incident \`${id}\`. \`/vigil incidents\` lists the open ones.` };
    if (incident.status === 'resolved') return { ok: false, message: `${id} is already resolved.` };
    if (to === 'acknowledged' && incident.status !== 'open') {
      return { ok: false, message: `${id} is ${incident.status}; only an open incident can be acknowledged.` };
    }
    const at = now.toISOString();
    const next: Incident = {
      ...incident,
      status: to,
      updated_at: at,
      ...(to === 'resolved' ? { resolved_at: at } : {}),
    };
    incidents.save(next, [], {
      incident_id: id,
      from_status: incident.status,
      to_status: to,
      actor,
      reason,
      at,
    });
    return { ok: true, incident: next };
  });
}
