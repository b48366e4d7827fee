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
});
export type AlertmanagerIntakeConfig = z.infer<typeof AlertmanagerIntakeConfigSchema>;
