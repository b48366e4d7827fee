import { z } from 'zod';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name, e.g. deployment');
const positiveInt = z.number().int().positive();

/**
 * Services Vigil was not told about: a series whose service is not under `services:` is still
 * scored, routed and correlated (as a node without configured edges). `max_services` bounds how
 * many such services are kept, so a label with unbounded values cannot grow memory without end.
 */
export const ServiceDiscoveryConfigSchema = z.object({
  /** The namespace of a discovered service whose signal has no namespace_label. */
  default_namespace: z.string().min(1).default('default'),
  max_services: positiveInt.max(100_000).default(2_000),
});
export type ServiceDiscoveryConfig = z.infer<typeof ServiceDiscoveryConfigSchema>;

/**
 * Who owns a service that `services:` does not name (a configured team always wins): the value of
 * `team_label` on its series, else its Kubernetes Deployment's label as kube-state-metrics exposes
 * it (`kube_deployment_labels{deployment, namespace, label_team}`, read every `refresh_seconds`).
 * A team maps to a channel under `teams:`; a team not there gets the default channel.
 */
export const OwnershipConfigSchema = z.object({
  team_label: labelName.optional(),
  kube_label: z
    .string()
    .regex(/^label_[a-zA-Z0-9_]+$/, 'a kube-state-metrics label name, e.g. label_team')
    .optional(),
  kube_metric: labelName.default('kube_deployment_labels'),
  refresh_seconds: positiveInt.max(86_400).default(300),
});
export type OwnershipConfig = z.infer<typeof OwnershipConfigSchema>;

/**
 * Deploys read from what Prometheus already records: every change of the query's value per series
 * (kube-state-metrics' observed generation by default) is a deploy of `service_label` at that time,
 * stored like one posted to POST /events.
 */
export const DeployDiscoveryConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    query: z.string().min(1).default('max by (deployment, namespace) (kube_deployment_status_observed_generation)'),
    service_label: labelName.default('deployment'),
    namespace_label: labelName.default('namespace'),
    /** A label whose value is the deploy's version (an image tag); else "generation N". */
    version_label: labelName.optional(),
    refresh_seconds: positiveInt.max(86_400).default(300),
    /** How far back each refresh looks: longer than refresh_seconds, so no change falls between two. */
    lookback_seconds: positiveInt.max(7 * 86_400).default(3_600),
  })
  .refine((d) => d.lookback_seconds > d.refresh_seconds, {
    path: ['lookback_seconds'],
    message: 'must be longer than refresh_seconds, or a change between two refreshes is missed',
  });
export type DeployDiscoveryConfig = z.infer<typeof DeployDiscoveryConfigSchema>;
