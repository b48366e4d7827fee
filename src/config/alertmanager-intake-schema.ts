import { z } from 'zod';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name, e.g. service');

/**
 * How an Alertmanager alert (POST /alertmanager) is tied to a service: the first of
 * `service_labels` the alert carries names it; `namespace_label` names its namespace, else the
 * configured service's, else `default_namespace`.
 */
export const AlertmanagerIntakeConfigSchema = z.object({
  service_labels: z.array(labelName).min(1).default(['service', 'app', 'job']),
  namespace_label: labelName.default('namespace'),
  default_namespace: z.string().min(1).default('default'),
  /**
   * An incident is not resolved for being quiet while one of its alerts fires. Alertmanager re-sends
   * a firing alert every repeat_interval (4 h by default): one neither re-sent nor resolved for this
   * long (send_resolved off, a notification lost) no longer holds its incident open.
   */
  assume_resolved_after_seconds: z.number().int().positive().default(18_000),
});
export type AlertmanagerIntakeConfig = z.infer<typeof AlertmanagerIntakeConfigSchema>;
