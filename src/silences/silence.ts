import { z } from 'zod';

/** Longest silence or maintenance window Vigil accepts from Slack: past a week, fix the detector. */
export const MAX_SILENCE_MS = 7 * 24 * 3_600_000;

/**
 * A silence or maintenance window declared from Slack. Both suppress paging, not recording, like a
 * configured maintenance window; a silence may name one series (`metric_name`), maintenance a service.
 */
export const SilenceSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['silence', 'maintenance']),
  service: z.string().min(1),
  /** null: the service in any namespace. */
  namespace: z.string().min(1).nullable(),
  /** null: every metric of the service. */
  metric_name: z.string().min(1).nullable(),
  starts_at: z.string().datetime(),
  ends_at: z.string().datetime(),
  reason: z.string(),
  created_by: z.string().min(1),
  created_at: z.string().datetime(),
});
export type Silence = z.infer<typeof SilenceSchema>;

/** Told to the detection side when a silence is stored or removed. */
export type SilenceChange = { op: 'add'; silence: Silence } | { op: 'remove'; id: string };

/** What it covers, as people write it: `checkout`, `shop/checkout` or `shop/checkout/latency_p99`. */
export function silenceTarget(s: Pick<Silence, 'service' | 'namespace' | 'metric_name'>): string {
  return [s.namespace, s.service, s.metric_name].filter((part): part is string => part !== null).join('/');
}
