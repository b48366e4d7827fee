/**
 * The remediation allow-list: the only things Vigil can ever do to production, each with who may
 * approve it, how risky it is and how often it may run. Anything not listed here cannot run.
 */
import { z } from 'zod';
import { backendUrl, httpConnectionFields, httpConnectionIssues } from './http-connection-schema.js';

/** Variables an action's parameters may use; they come from the incident and the service's config. */
export const TEMPLATE_VARIABLES = ['service', 'namespace', 'deployment', 'team', 'incident_id', 'severity'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const templateVariable = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** A string that may contain `{{service}}` and friends, and nothing Vigil does not know. */
const template = z
  .string()
  .min(1)
  .max(500)
  .superRefine((text, ctx) => {
    for (const [, name] of text.matchAll(templateVariable)) {
      if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name as string)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown template variable "{{${name}}}"; use one of ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`,
        });
      }
    }
  });

const slackUser = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like "U0123ABCD"');
const slackUserGroup = z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like "S0123ABCD"');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name');

const ApproversSchema = z
  .object({ users: z.array(slackUser).default([]), groups: z.array(slackUserGroup).default([]) })
  .refine((a) => a.users.length + a.groups.length > 0, {
    message: 'name at least one approver (users or groups): an action nobody may approve can never run',
  });

const base = {
  /** Stable id: it is in buttons, the audit log and cooldowns. */
  id: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, "-" or "_", e.g. restart-deployment'),
  /** Button label on the card. */
  title: z.string().min(1).max(40),
  /** Services this action may target ("*" = every configured service); the card offers it only for those. */
  services: z.array(z.string().min(1)).min(1),
  /** high: the requester may not approve it themselves (two-person rule). */
  risk: z.enum(['low', 'medium', 'high']).default('high'),
  approvers: ApproversSchema,
  /** After it ran on a target, it may not run on that target again for this long. */
  cooldown_seconds: z.number().int().nonnegative().default(1800),
  /** May run without a human, when remediation.auto_enabled is also true. */
  auto: z.boolean().default(false),
};

export const ActionConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('kubernetes.rollout_restart'),
    params: z
      .object({ namespace: template.default('{{namespace}}'), deployment: template.default('{{deployment}}') })
      .default({ namespace: '{{namespace}}', deployment: '{{deployment}}' }),
  }),
  z.object({
    ...base,
    kind: z.literal('kubernetes.scale'),
    params: z.object({
      namespace: template.default('{{namespace}}'),
      deployment: template.default('{{deployment}}'),
      replicas: z.number().int().min(0).max(100),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('http.webhook'),
    params: z.object({
      url: z.url({ protocol: /^https?$/ }),
      /** Header that carries the secret, e.g. Authorization or X-Rollback-Token. */
      secret_header: z
        .string()
        .regex(/^[A-Za-z0-9-]+$/)
        .default('Authorization'),
      /** Environment variable that holds the secret (never the secret itself in the file). */
      secret_env: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name like ROLLBACK_WEBHOOK_TOKEN')
        .optional(),
      /** JSON body: each value is a template. */
      body: z
        .record(z.string().min(1), template)
        .default({ service: '{{service}}', namespace: '{{namespace}}', incident: '{{incident_id}}' }),
      timeout_ms: z.number().int().positive().max(60_000).default(10_000),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('alertmanager.silence'),
    params: z
      .object({
        /** Label matchers of the silence (equality); values are templates. */
        matchers: z
          .record(labelName, template)
          .default({ service: '{{service}}', namespace: '{{namespace}}' })
          .refine((m) => Object.keys(m).length > 0, 'a silence needs at least one matcher'),
        duration_seconds: z
          .number()
          .int()
          .positive()
          .max(7 * 86_400)
          .default(3600),
        comment: template.default('Silenced from Slack by Vigil for {{incident_id}}'),
      })
      .default({
        matchers: { service: '{{service}}', namespace: '{{namespace}}' },
        duration_seconds: 3600,
        comment: 'Silenced from Slack by Vigil for {{incident_id}}',
      }),
  }),
]);
export type ActionConfig = z.infer<typeof ActionConfigSchema>;
export type ActionKind = ActionConfig['kind'];

export const RemediationConfigSchema = z.object({
  /** Global switch: off, no card offers an action and no request can run. */
  enabled: z.boolean().default(true),
  /** Approved actions are only described, never sent to their target. */
  dry_run: z.boolean().default(true),
  /** Actions marked `auto` run without a human only when this is also true. */
  auto_enabled: z.boolean().default(false),
  /** A request not approved within this time expires and cannot be approved. */
  request_ttl_seconds: z.number().int().positive().max(86_400).default(900),
  /** At most this many executions (all actions) per window. */
  rate_limit: z
    .object({
      max_executions: z.number().int().positive().default(5),
      window_seconds: z.number().int().positive().default(3600),
    })
    .default({ max_executions: 5, window_seconds: 3600 }),
  /** After this many consecutive failures an action is no longer offered, for `reset_seconds`. */
  circuit_breaker: z
    .object({
      failures: z.number().int().positive().default(3),
      reset_seconds: z.number().int().positive().default(3600),
    })
    .default({ failures: 3, reset_seconds: 3600 }),
  kubernetes: z
    .object({
      /** Namespaces Kubernetes actions may touch; anything rendering outside them is refused. */
      namespaces: z.array(z.string().min(1)).default([]),
      /** Path of a kubeconfig; without it the in-cluster service account (or $KUBECONFIG) is used. */
      kubeconfig: z.string().min(1).optional(),
      timeout_ms: z.number().int().positive().max(60_000).default(10_000),
    })
    .default({ namespaces: [], timeout_ms: 10_000 }),
  /** Where alertmanager.silence actions create silences; the same auth, headers and tls as prometheus. */
  alertmanager: z
    .object({
      url: backendUrl('http://alertmanager:9093').optional(),
      timeout_ms: z.number().int().positive().max(60_000).default(10_000),
      ...httpConnectionFields,
    })
    .superRefine((block, ctx) => {
      if (block.url === undefined) return;
      for (const issue of httpConnectionIssues({ ...block, url: block.url }))
        ctx.addIssue({ code: 'custom', ...issue });
    })
    .default({ timeout_ms: 10_000 }),
  actions: z.array(ActionConfigSchema).default([]),
});
export type RemediationConfig = z.infer<typeof RemediationConfigSchema>;
