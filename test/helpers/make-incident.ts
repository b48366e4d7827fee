import { type Incident, IncidentSchema, SCHEMA_VERSION } from '../../src/contracts/index.js';

/** An open, paged incident of the `shop` namespace whose first service is the probable start. */
export function makeOpenIncident(id: string, services: string[], at: string): Incident {
  return IncidentSchema.parse({
    schema_version: SCHEMA_VERSION,
    id,
    fingerprint: id,
    status: 'open',
    severity: 'critical',
    services,
    namespace: 'shop',
    team: 'payments',
    channel: '#team-payments',
    created_at: at,
    updated_at: at,
    last_anomaly_at: at,
    resolved_at: null,
    hypothesis: { probable_starting_service: services[0], confidence: 0.8, reason: 'earliest anomaly' },
    slack: null,
    opened_at: at,
  });
}
