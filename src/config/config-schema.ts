/**
 * The YAML configuration file (VIGIL_CONFIG). Secrets never live here: they come from the
 * environment (see env-schema.ts). Every field has a default where one is safe.
 */

import cron from 'node-cron';
import { z } from 'zod';
import { DEFAULT_FEEDBACK_EMOJI } from '../feedback/reaction-labels.js';
import { AlertmanagerIntakeConfigSchema } from './alertmanager-intake-schema.js';
import type { CrossReferenceIssue } from './cross-reference-issue.js';
import { DetectionConfigSchema } from './detection-schema.js';
import {
  DeployDiscoveryConfigSchema,
  OwnershipConfigSchema,
  ServiceDiscoveryConfigSchema,
} from './discovery-schema.js';
import { backendUrl, httpConnectionFields, httpConnectionIssues } from './http-connection-schema.js';
import { remediationIssues } from './remediation-issues.js';
import { RemediationConfigSchema } from './remediation-schema.js';
import { TopologyDiscoveryConfigSchema } from './topology-discovery-schema.js';

export type { CrossReferenceIssue } from './cross-reference-issue.js';
export {
  challengerDetection,
  championName,
  type DetectionConfig,
  DetectionConfigSchema,
  SHADOW_OVERRIDABLE,
} from './detection-schema.js';

const nonEmpty = z.string().min(1);
const positiveInt = z.number().int().positive();
const serviceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" or "-"');
const channel = z
  .string()
  .regex(/^(#[a-z0-9_-]{1,80}|[CGD][A-Z0-9]{6,})$/, 'a channel name like "#team-payments" or an id like "C0123456789"');

const RunbookSchema = z.object({ title: nonEmpty.max(60), url: z.url({ protocol: /^https?$/ }) });

export const ServiceConfigSchema = z.object({
  name: serviceName,
  namespace: nonEmpty,
  team: nonEmpty,
  /** 1 = customer-facing critical path; 3 = internal, can wait. Drives severity. */
  tier: z.number().int().min(1).max(3).default(2),
  depends_on: z.array(serviceName).default([]),
  runbooks: z.array(RunbookSchema).max(5).default([]),
  /** Kubernetes Deployment of the service ({{deployment}} in remediation actions); defaults to its name. */
  deployment: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Kubernetes object name')
    .max(253)
    .optional(),
});
export type ServiceConfig = z.infer<typeof ServiceConfigSchema>;

export const SignalConfigSchema = z.object({
  /** Becomes metric_name of the samples, e.g. latency_p99. */
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case, e.g. latency_p99'),
  /** PromQL; `{{step}}` is replaced by the query step (e.g. "60s"), `{{namespaces}}` by a regex of the configured namespaces. */
  query: nonEmpty,
  /** The label whose value names the service. */
  service_label: nonEmpty.default('service'),
  /** The label whose value names the namespace; when absent, the service's configured namespace is used. */
  namespace_label: nonEmpty.optional(),
  /** Which deviations matter: latency and errors only "up", throughput often "both". */
  direction: z.enum(['up', 'down', 'both']).default('both'),
  unit: z.enum(['seconds', 'ratio', 'percent', 'per_second', 'bytes', 'none']).default('none'),
  /**
   * "traffic": demand (requests/s). A traffic surge enters at an edge service and loads what it
   * calls, so its starting point is the most upstream caller; any other signal is a "symptom",
   * where a fault in a callee shows up in its callers and the deepest callee is the start.
   */
  role: z.enum(['symptom', 'traffic']).default('symptom'),
  /** A deviation smaller than this (in the signal's unit) is never anomalous, however rare. */
  min_abs_deviation: z.number().nonnegative().default(0),
  /** The scale this signal's detectors judge it on (default: detection.value_scale). */
  value_scale: z.enum(['sqrt', 'linear']).optional(),
  /**
   * Relative change from the expected value (0.5 = 50 %) that a symptom anomaly of this signal must
   * reach to make an incident page; smaller ones are recorded, join incidents and show on cards.
   * Default: correlation.page_min_change.
   */
  page_min_change: z.number().nonnegative().optional(),
  /**
   * Computed from the service's requests (a latency quantile, an error ratio): the fewer requests,
   * the noisier, so the change it needs to page grows as the service's traffic (its traffic-role
   * signal) falls below correlation.trusted_requests_per_second.
   */
  per_request: z.boolean().default(false),
  /**
   * Rises with demand (CPU, saturation): while the service's traffic signal is itself anomalous,
   * this signal's expected value is scaled by how far demand is above its own, so load that follows
   * a traffic ramp or surge does not page as a fault of the service.
   */
  follows_demand: z.boolean().default(false),
  /**
   * Points a one-sample burst spreads over in this signal: its rate window ÷ the query step (e.g.
   * rate(x[3m]) at 60 s: 3). A symptom weighs at most moderate until its series has been anomalous
   * for more points than this, so a burst smeared by the rate window does not page. 1: no smear.
   */
  smear_points: positiveInt.default(1),
  /** For an error-ratio signal: the SLO, enabling multiwindow burn-rate alerting. */
  slo: z
    .object({
      objective: z.number().gt(0).lt(1),
      windows: z
        .array(
          z.object({
            long_seconds: positiveInt,
            short_seconds: positiveInt,
            factor: z.number().positive(),
          }),
        )
        .min(1)
        .default([
          { long_seconds: 3600, short_seconds: 300, factor: 14.4 },
          { long_seconds: 21_600, short_seconds: 1800, factor: 6 },
        ]),
    })
    .optional(),
});
export type SignalConfig = z.infer<typeof SignalConfigSchema>;

export const CorrelationConfigSchema = z.object({
  /**
   * Anomalies this close in time (and related in the topology) belong to one incident; it keeps
   * absorbing related anomalies while they keep coming within this window of each other.
   */
  window_seconds: positiveInt.default(600),
  /** ...up to this age: after it, new anomalies open a new incident. */
  max_incident_seconds: positiveInt.default(21_600),
  /** Anomalous points an incident needs before it pages: a single one-sample blip is only recorded. */
  min_anomalies: positiveInt.default(2),
  /**
   * Relative change from the expected value (0.5 = 50 %) a symptom anomaly must reach to count
   * towards paging (per signal: page_min_change). On a platform of hundreds of series, a latency
   * 20-30 % off its band somewhere is rare for that series and common for the platform every hour;
   * the faults people must be woken for move their symptoms by far more. 0 = every anomaly counts.
   */
  page_min_change: z.number().nonnegative().default(0.5),
  /**
   * Anomalies of one service a moderate symptom (a change under twice page_min_change) needs before
   * its incident pages: on a big platform some series drifts 50-90 % off its band for minutes every
   * day, while a fault doubles its symptoms within minutes. A change of full weight pages on its
   * second point; a moderate one only after a quarter of an hour at one-minute steps.
   */
  persistence_points: positiveInt.default(15),
  /**
   * Services with symptoms a story needs to page when the symptom that persists may be a daily
   * pattern not learned yet: on a series whose seasonal baseline has seen its hour of the day on
   * fewer than seasonal_min_days days (a series' first day, a new service), or that was anomalous
   * at the same time the day before (recurring_window_seconds). A nightly batch job on a database
   * looks like a fault of that database alone until the daily cycle is known, while a fault
   * reaches its callers. Absences and Alertmanager alerts are not held back. 1 = no such rule.
   */
  unseasoned_min_services: positiveInt.default(2),
  /**
   * Days of an hour of the day a series' seasonal baseline must have learned before a symptom there
   * counts as news on its own (see unseasoned_min_services); 0 = never held back.
   */
  seasonal_min_days: z.number().int().nonnegative().default(1),
  /**
   * How many times its signal's usual minimum change (page_min_change) a symptom that may be a
   * daily pattern must move to page on its own nonetheless, as a symptom of full weight: its
   * expected value is that much less certain (at 2, a latency 3× its expected value; a CPU with
   * page_min_change 1, 5×).
   */
  unseasoned_change_factor: z.number().min(1).default(2),
  /**
   * A symptom whose series was anomalous the same way within this many seconds of the same time the
   * day before is a daily pattern not learned yet (a nightly job's second night), held back like an
   * unseasoned one (see unseasoned_min_services); 0 = off.
   */
  recurring_window_seconds: z.number().int().nonnegative().default(1800),
  /**
   * Share of a namespace's services (with a traffic signal, at least three) whose demand must be
   * anomalously up together for a follows_demand signal of a service whose own traffic is not
   * anomalous to be judged against the platform's demand (their median ratio): a platform-wide ramp
   * such as the first Monday morning after a weekend loads every service behind the edge. 0 = off.
   */
  platform_demand_share: z.number().min(0).max(1).default(0.5),
  /**
   * Traffic (requests/s of the service's traffic signal) from which a per_request signal is taken at
   * face value. Below it the change needed to page grows like the sampling noise of a quantile or a
   * ratio, 1/√requests: a p99 resting on a handful of requests moves by half on its own.
   */
  trusted_requests_per_second: z.number().positive().default(50),
  /** An incident with no new anomaly for this long is resolved automatically. */
  resolve_after_quiet_seconds: positiveInt.default(1800),
  /** Anomalies of a service this soon after its deploy do not page (rollout restarts). */
  deploy_grace_seconds: z.number().int().nonnegative().default(120),
  /** Recovery after a maintenance window: anomalies this soon after it ends still do not page. */
  maintenance_grace_seconds: z.number().int().nonnegative().default(900),
  /** A new incident links to one resolved this recently that shared a service. */
  link_window_seconds: positiveInt.default(7200),
  /**
   * A story about to page this many calls (or fewer) from an incident already paged and active
   * joins it instead of paging again: a surge or a spreading fault reaching a far leaf. 0 = off.
   */
  join_hops: z.number().int().min(0).max(6).default(3),
});
export type CorrelationConfig = z.infer<typeof CorrelationConfigSchema>;

/**
 * Feedback-driven calibration: a series whose new labels are mostly `noisy` gets a stricter
 * threshold, one mostly `late` a looser one, a bounded step per recalibration run.
 */
export const FeedbackCalibrationConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Verdict labels (useful, noisy, late) newer than the series' last feedback change needed to move it. */
    min_labels: positiveInt.default(3),
    /** Most the tail probability (1 - min_score) may shrink or grow in one run: 2 = halved or doubled. */
    max_step_factor: z.number().gt(1).max(100).default(2),
    /** Feedback never lowers a series' min_score below this (late labels)... */
    min_score_floor: z.number().gt(0).lt(1).default(0.99),
    /** ...nor raises it above this (noisy labels). */
    min_score_ceiling: z.number().gt(0).lt(1).default(0.99999),
  })
  .refine((f) => f.min_score_floor < f.min_score_ceiling, {
    message: 'min_score_floor must be below min_score_ceiling',
    path: ['min_score_floor'],
  });
export type FeedbackCalibrationConfig = z.infer<typeof FeedbackCalibrationConfigSchema>;

export const RecalibrationConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /** node-cron expression; hourly by default, off the minute the tick runs on. */
  schedule: nonEmpty.default('17 * * * *'),
  /** History read from Prometheus for each run. */
  history_days: z.number().positive().max(35).default(7),
  /** Coarser than the tick: a week at 5 minutes is 2016 points per series. */
  step_seconds: positiveInt.default(300),
  /** Alerts a series may raise per day before its threshold is raised. */
  target_alerts_per_day: z.number().positive().default(1),
  /** How people's labels move a series' threshold (src/detection/feedback-adjustment.ts). */
  feedback: FeedbackCalibrationConfigSchema.default(FeedbackCalibrationConfigSchema.parse({})),
});
export type RecalibrationConfig = z.infer<typeof RecalibrationConfigSchema>;

/** A reaction name as Slack sends it in reaction_added: `+1`, `thumbsup`, `white_check_mark`. */
const emojiName = z
  .string()
  .trim()
  // Written as in a message (`:+1:`) or bare (`+1`): the same name.
  .transform((name) => name.replace(/^:(.*):$/, '$1'))
  .pipe(
    z.string().regex(/^[a-z0-9_+'-]+$/, 'an emoji name as Slack sends it, e.g. "+1", "thumbsup" or "white_check_mark"'),
  );

export const FeedbackConfigSchema = z
  .object({
    /** Reactions on a card that label it useful (👍); a skin tone is the same reaction. */
    useful_emoji: z.array(emojiName).default([...DEFAULT_FEEDBACK_EMOJI.useful_emoji]),
    /** Reactions on a card that label it noisy (👎). */
    noisy_emoji: z.array(emojiName).default([...DEFAULT_FEEDBACK_EMOJI.noisy_emoji]),
    /** A weekly scorecard (precision, coverage, time to acknowledge...) posted to a channel; off without it. */
    digest: z
      .object({
        channel,
        /** node-cron expression, in the server's time zone: Mondays at 09:00 by default. */
        schedule: nonEmpty.default('0 9 * * 1'),
      })
      .optional(),
  })
  .superRefine((feedback, ctx) => {
    feedback.noisy_emoji.forEach((name, i) => {
      if (feedback.useful_emoji.includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['noisy_emoji', i], message: `"${name}" is also a useful_emoji` });
      }
    });
  });
export type FeedbackConfig = z.infer<typeof FeedbackConfigSchema>;

export const ConfigSchema = z
  .object({
    prometheus: z
      .object({
        url: backendUrl('http://prometheus:9090'),
        timeout_ms: positiveInt.max(120_000).default(10_000),
        step_seconds: positiveInt.default(60),
        /**
         * Whether answers come gzipped. Gzipping is most of what a range query costs Prometheus
         * (measured: 0.33 s against 0.05 s for a 3.3 MB answer), so plain is the default; gzip
         * pays off only on a slow link (a hosted backend over the internet).
         */
        compression: z.enum(['none', 'gzip']).default('none'),
        ...httpConnectionFields,
      })
      .superRefine((block, ctx) => {
        for (const issue of httpConnectionIssues(block)) ctx.addIssue({ code: 'custom', ...issue });
      }),
    schedule: z
      .object({
        /** node-cron expression (6 fields allowed for seconds). */
        detection: nonEmpty.default('*/1 * * * *'),
      })
      .default({ detection: '*/1 * * * *' }),
    slack: z
      .object({
        mode: z.enum(['socket', 'http']).default('socket'),
        /** HTTP mode: where Bolt listens for /slack/events. */
        port: z.number().int().min(0).max(65535).default(3000),
        /** Where incidents of services without a configured team go. */
        default_channel: channel.default('#vigil-alerts'),
        timeout_ms: positiveInt.max(60_000).default(10_000),
      })
      .default({ mode: 'socket', port: 3000, default_channel: '#vigil-alerts', timeout_ms: 10_000 }),
    http: z.object({ health_port: z.number().int().min(0).max(65535).default(8080) }).default({ health_port: 8080 }),
    teams: z
      .record(
        nonEmpty,
        z.object({
          channel,
          /** Slack user ids of the team's people: whose Home tab lists the team's incidents first. */
          members: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U012ABCDEF')).default([]),
        }),
      )
      .default({}),
    services: z.array(ServiceConfigSchema).default([]),
    signals: z.array(SignalConfigSchema).min(1, 'configure at least one signal'),
    detection: DetectionConfigSchema.default(DetectionConfigSchema.parse({})),
    correlation: CorrelationConfigSchema.default(CorrelationConfigSchema.parse({})),
    recalibration: RecalibrationConfigSchema.default(RecalibrationConfigSchema.parse({})),
    /** Planned maintenance: anomalies of these services (and of their callers) in the window do not page. */
    maintenance: z
      .array(
        z
          .object({
            service: serviceName,
            namespace: nonEmpty,
            starts_at: z.iso.datetime({ offset: true }),
            ends_at: z.iso.datetime({ offset: true }),
            reason: z.string().default(''),
          })
          .refine((m) => Date.parse(m.ends_at) > Date.parse(m.starts_at), {
            message: 'ends_at must be after starts_at',
            path: ['ends_at'],
          }),
      )
      .default([]),
    /** Alertmanager's webhook (POST /alertmanager): which labels name an alert's service and namespace. */
    alertmanager_intake: AlertmanagerIntakeConfigSchema.default(AlertmanagerIntakeConfigSchema.parse({})),
    /** Call edges read from a service graph in Prometheus (Tempo, Istio), merged with depends_on. */
    topology_discovery: TopologyDiscoveryConfigSchema.default(TopologyDiscoveryConfigSchema.parse({})),
    /** Services not under `services:` (see discovery-schema.ts), their owners, and deploys read from Prometheus. */
    discovery: ServiceDiscoveryConfigSchema.default(ServiceDiscoveryConfigSchema.parse({})),
    ownership: OwnershipConfigSchema.default(OwnershipConfigSchema.parse({})),
    deploy_discovery: DeployDiscoveryConfigSchema.default(DeployDiscoveryConfigSchema.parse({})),
    /** Actions the incident card may offer; nothing runs before an allowed person approves it. */
    remediation: RemediationConfigSchema.default(RemediationConfigSchema.parse({})),
    /** Which reactions are feedback labels, and the weekly scorecard digest. */
    feedback: FeedbackConfigSchema.default(FeedbackConfigSchema.parse({})),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .superRefine((config, ctx) => {
    for (const issue of crossReferenceIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of remediationIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type VigilConfig = z.infer<typeof ConfigSchema>;

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/**
 * Checks that need the whole file: teams and depends_on that name something defined, unique names,
 * a valid cron expression. Written against `unknown` so it also runs on a file that failed other
 * checks: an operator should see every problem in one go, not one per restart.
 */
export function crossReferenceIssues(raw: unknown): CrossReferenceIssue[] {
  const issues: CrossReferenceIssue[] = [];
  const teams = field(raw, 'teams');
  const services = asArray(field(raw, 'services'));
  const names = new Set<string>();
  services.forEach((service, i) => {
    const name = field(service, 'name');
    if (typeof name !== 'string') return;
    if (names.has(name)) issues.push({ path: ['services', i, 'name'], message: `duplicate service "${name}"` });
    names.add(name);
  });
  services.forEach((service, i) => {
    const team = field(service, 'team');
    if (typeof team === 'string' && team !== '' && field(teams, team) === undefined) {
      issues.push({ path: ['services', i, 'team'], message: `team "${team}" is not defined under teams` });
    }
    asArray(field(service, 'depends_on')).forEach((dep, j) => {
      if (typeof dep === 'string' && !names.has(dep)) {
        issues.push({ path: ['services', i, 'depends_on', j], message: `unknown service "${dep}"` });
      }
    });
  });
  const signalNames = new Set<string>();
  asArray(field(raw, 'signals')).forEach((signal, i) => {
    const name = field(signal, 'name');
    if (typeof name !== 'string') return;
    if (signalNames.has(name)) issues.push({ path: ['signals', i, 'name'], message: `duplicate signal "${name}"` });
    signalNames.add(name);
  });
  const crons: Array<[Array<string>, unknown]> = [
    [['schedule', 'detection'], field(field(raw, 'schedule'), 'detection')],
    [['recalibration', 'schedule'], field(field(raw, 'recalibration'), 'schedule')],
    [['feedback', 'digest', 'schedule'], field(field(field(raw, 'feedback'), 'digest'), 'schedule')],
    [['topology_discovery', 'refresh'], field(field(raw, 'topology_discovery'), 'refresh')],
  ];
  for (const [path, expression] of crons) {
    if (typeof expression === 'string' && expression !== '' && !cron.validate(expression)) {
      issues.push({ path, message: `"${expression}" is not a cron expression (e.g. "*/1 * * * *" for every minute)` });
    }
  }
  return issues;
}
