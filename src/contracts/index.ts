/**
 * The versioned contracts between Vigil's stages. Producers validate before emitting; consumers
 * reject invalid input, log it and count it. Bump SCHEMA_VERSION on any incompatible change.
 */
import { z } from 'zod';
import { compareText } from '../collections/compare-text.js';

export const SCHEMA_VERSION = '1.0' as const;

const isoTimestamp = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);

/** One point of one series; the series key is namespace/service/metric_name (+ extra labels). */
export const MetricSampleSchema = z.object({
  timestamp: isoTimestamp,
  service: nonEmpty,
  namespace: nonEmpty,
  metric_name: nonEmpty,
  value: z.number().finite(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type MetricSample = z.infer<typeof MetricSampleSchema>;

export const DirectionSchema = z.enum(['up', 'down']);
export type Direction = z.infer<typeof DirectionSchema>;

export const DetectorNameSchema = z.enum([
  'rolling_zscore',
  'robust_mad',
  'level_shift',
  'seasonal',
  'record',
  'excursion_rate',
  'novel_pattern',
  'drift',
  'slo_burn_rate',
  'absent',
  // Not a detector of Vigil's: an alert from Alertmanager, folded into correlation as an event.
  'alertmanager',
]);
export type DetectorName = z.infer<typeof DetectorNameSchema>;

/** An anomalous point with everything a responder needs to judge it in ten seconds. */
export const AnomalyEventSchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  id: nonEmpty,
  timestamp: isoTimestamp,
  series_key: nonEmpty,
  service: nonEmpty,
  namespace: nonEmpty,
  metric_name: nonEmpty,
  labels: z.record(z.string(), z.string()),
  window_seconds: z.number().int().positive(),
  value: z.number().finite(),
  expected: z.number().finite(),
  lower_bound: z.number().finite(),
  upper_bound: z.number().finite(),
  anomaly_score: z.number().min(0).max(1),
  /**
   * The first point of an episode of consecutive anomalous points of its series (see pageScore):
   * only such a point may open an incident; the rest extend one. Absent (older events, other
   * producers): it opens.
   */
  opens: z.boolean().optional(),
  /**
   * How much a symptom weighs for paging (see pagingWeight): "minor", a change below its signal's
   * page_min_change (recorded, joins incidents, shows on cards, pages nothing); "moderate", below
   * twice it (pages only once it lasts correlation.persistence_points); "burst", a full change on a
   * series anomalous for no longer than its rate window smears one sample (moderate, unless another
   * signal of the service counts at the same time). Absent: full weight (two points within a few
   * scrapes page), as for an absence, a burn-rate alert or an older event.
   */
  paging_weight: z.enum(['minor', 'moderate', 'burst']).optional(),
  /**
   * Why a symptom may be a daily pattern rather than news (set by the cycle, like paging_weight; see
   * meetsEvidenceBar): "unseasoned", its series' seasonal baseline had learned fewer than
   * correlation.seasonal_min_days days of this hour of the day (a series' first day); "recurring",
   * the same series was anomalous in the same direction at this time of day the day before (within
   * correlation.recurring_window_seconds: a nightly job's second night). Absent: news.
   */
  novelty: z.enum(['unseasoned', 'recurring']).optional(),
  detector: DetectorNameSchema,
  direction: DirectionSchema,
  /** Present when the event is an Alertmanager alert (detector "alertmanager"): what the card says. */
  alert: z
    .object({
      name: nonEmpty,
      fingerprint: nonEmpty,
      starts_at: isoTimestamp,
      /** Set once Alertmanager said it resolved. */
      ends_at: isoTimestamp.nullable(),
      severity: z.string().nullable(),
      summary: z.string().nullable(),
      generator_url: z.string().nullable(),
    })
    .optional(),
  evidence: z.object({
    sample_count: z.number().int().nonnegative(),
    baseline_points: z.number().int().nonnegative(),
    baseline_days: z.number().nonnegative(),
    /**
     * Days of this hour of the day the series' seasonal baseline had learned when the point was
     * judged (see SeriesDetector.seasonalDays): 0 in a series' first day, when a daily pattern it has
     * not seen yet (a nightly job, a morning ramp) looks like a change. Absent: unknown (no seasonal
     * detector, an alert, an older event).
     */
    seasonal_days: z.number().int().nonnegative().optional(),
    z_score: z.number().finite(),
    robust_z_score: z.number().finite(),
    missing_samples: z.number().int().nonnegative(),
    recent_deploy: z.string().nullable(),
    /** The last values of the series up to and including this point, oldest first (sparkline). */
    recent_values: z.array(z.number().finite()).max(60),
    /** Every detector's say on this point: its statistic, calibrated score 0..1, and whether it fired. */
    detectors: z
      .array(
        z.object({
          name: DetectorNameSchema,
          statistic: z.number().finite(),
          threshold: z.number().finite(),
          score: z.number().min(0).max(1),
          fired: z.boolean(),
        }),
      )
      .optional(),
  }),
});
export type AnomalyEvent = z.infer<typeof AnomalyEventSchema>;

export const IncidentStatusSchema = z.enum(['open', 'acknowledged', 'resolved', 'suppressed']);
export type IncidentStatus = z.infer<typeof IncidentStatusSchema>;

export const SeveritySchema = z.enum(['critical', 'high', 'warning']);
export type Severity = z.infer<typeof SeveritySchema>;

export const HypothesisSchema = z.object({
  probable_starting_service: nonEmpty,
  reason: nonEmpty,
  confidence: z.number().min(0).max(1),
});
export type Hypothesis = z.infer<typeof HypothesisSchema>;

export const IncidentSchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  id: nonEmpty,
  fingerprint: nonEmpty,
  status: IncidentStatusSchema,
  severity: SeveritySchema,
  services: z.array(nonEmpty).min(1),
  namespace: nonEmpty,
  team: nonEmpty,
  channel: nonEmpty,
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  last_anomaly_at: isoTimestamp,
  resolved_at: isoTimestamp.nullable(),
  hypothesis: HypothesisSchema,
  slack: z.object({ channel: nonEmpty, ts: nonEmpty }).nullable(),
  /** Below the evidence bar (e.g. a one-sample blip): recorded, never paged. */
  pending: z.boolean().default(false),
  /** When it became visible (its card was due); null while pending or suppressed. */
  opened_at: isoTimestamp.nullable().default(null),
  /** Why it does not page (maintenance window, deploy grace) while suppressed. */
  suppression_reason: z.string().nullable().default(null),
  /** Things the card must say, e.g. an overlap with a maintenance window. */
  notes: z.array(z.string()).default([]),
  /** The resolved incident this one continues (a resolved incident never absorbs new anomalies). */
  previous_incident_id: z.string().nullable().default(null),
});
export type Incident = z.infer<typeof IncidentSchema>;

export const IncidentTransitionSchema = z.object({
  incident_id: nonEmpty,
  from_status: IncidentStatusSchema.nullable(),
  to_status: IncidentStatusSchema,
  actor: nonEmpty,
  reason: nonEmpty,
  at: isoTimestamp,
});
export type IncidentTransition = z.infer<typeof IncidentTransitionSchema>;

/**
 * What a person says about an incident: it was worth the page (`useful`), not (`noisy`), came
 * `late`, repeated another incident (`duplicate`), named the wrong starting service
 * (`wrong_start`), or was planned work (`expected`, e.g. maintenance).
 */
export const FeedbackLabelSchema = z.enum(['useful', 'noisy', 'late', 'duplicate', 'wrong_start', 'expected']);
export type FeedbackLabel = z.infer<typeof FeedbackLabelSchema>;

/** One person's current label on one incident (a new one replaces it), with what it judged. */
export const FeedbackSchema = z.object({
  incident_id: nonEmpty,
  slack_user: nonEmpty,
  label: FeedbackLabelSchema,
  source: z.enum(['reaction', 'menu']),
  created_at: isoTimestamp,
  /** The detectors behind the incident's anomalies when the label was given. */
  detectors: z.array(z.string()),
  /** The series behind the incident's anomalies when the label was given. */
  series: z.array(z.string()),
});
export type Feedback = z.infer<typeof FeedbackSchema>;

export const DeployEventSchema = z.object({
  type: z.literal('deploy'),
  service: nonEmpty,
  namespace: nonEmpty,
  version: z.string().default(''),
  timestamp: isoTimestamp,
});
export const MaintenanceEventSchema = z.object({
  type: z.literal('maintenance'),
  service: nonEmpty,
  namespace: nonEmpty,
  starts_at: isoTimestamp,
  ends_at: isoTimestamp,
  reason: z.string().default(''),
});
export const OpsEventSchema = z.discriminatedUnion('type', [DeployEventSchema, MaintenanceEventSchema]);
export type DeployEvent = z.infer<typeof DeployEventSchema>;
export type MaintenanceEvent = z.infer<typeof MaintenanceEventSchema>;
export type OpsEvent = z.infer<typeof OpsEventSchema>;

export function seriesKeyOf(sample: Pick<MetricSample, 'namespace' | 'service' | 'metric_name' | 'labels'>): string {
  const base = `${sample.namespace}/${sample.service}/${sample.metric_name}`;
  const extra = Object.entries(sample.labels ?? {})
    .sort(([a], [b]) => compareText(a, b))
    .map(([k, v]) => `${k}=${v}`);
  return extra.length === 0 ? base : `${base}{${extra.join(',')}}`;
}
