/** Secrets and paths come only from the environment, never from the YAML file. */
import { z } from 'zod';

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const EnvSchema = z.object({
  VIGIL_CONFIG: z.string().default('./vigil.yaml'),
  VIGIL_DB: z.string().default('./vigil.db'),
  SLACK_BOT_TOKEN: optionalNonEmpty.pipe(z.string().startsWith('xoxb-', 'a bot token starts with "xoxb-"').optional()),
  SLACK_SIGNING_SECRET: optionalNonEmpty,
  SLACK_APP_TOKEN: optionalNonEmpty.pipe(
    z.string().startsWith('xapp-', 'an app-level token starts with "xapp-"').optional(),
  ),
  /** Base URL of Slack's Web API, e.g. for GovSlack or a local test double; must end with "/api/". */
  SLACK_API_URL: optionalNonEmpty.pipe(
    z
      .url({ protocol: /^https?$/ })
      .refine((u) => u.endsWith('/'), 'must end with "/", e.g. https://slack.com/api/')
      .optional(),
  ),
  /** Bearer token of POST /events (deploy and maintenance intake); the endpoint is off without it. */
  VIGIL_EVENTS_TOKEN: optionalNonEmpty.pipe(z.string().min(16, 'use at least 16 characters').optional()),
  /** Bearer token of POST /alertmanager (Alertmanager's webhook); the endpoint is off without it. */
  VIGIL_ALERTMANAGER_TOKEN: optionalNonEmpty.pipe(z.string().min(16, 'use at least 16 characters').optional()),
  /** Where `vigil demo` posts its cards when SLACK_BOT_TOKEN is set. */
  VIGIL_DEMO_CHANNEL: z.string().min(1).default('#vigil-demo'),
  LOG_LEVEL: optionalNonEmpty.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional()),
});
export type VigilEnv = z.infer<typeof EnvSchema>;
