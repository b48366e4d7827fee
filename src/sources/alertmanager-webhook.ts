import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertmanagerIntakeConfig } from '../config/alertmanager-intake-schema.js';

const labels = z.record(z.string(), z.string());
/** The most alerts one payload may carry. */
export const MAX_ALERTS = 1000;
// Alertmanager writes nanoseconds ("…:02.123456789Z"); "0001-01-01T00:00:00Z" is its "not yet".
const timestamp = z.iso.datetime({ offset: true });

/** One alert of Alertmanager's webhook payload, version 4. */
const WebhookAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: timestamp,
  endsAt: timestamp,
  generatorURL: z.string().max(4000).default(''),
  fingerprint: z.string().min(1).max(128),
});

/**
 * Alertmanager's webhook payload, version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 */
export const AlertmanagerWebhookSchema = z.object({
  version: z.literal('4'),
  receiver: z.string(),
  status: z.enum(['firing', 'resolved']),
  // Bounds what one request makes us parse and store in one transaction (tens of ms); a bigger
  // group needs max_alerts in webhook_config (the rest is counted in truncatedAlerts).
  alerts: z.array(WebhookAlertSchema).min(1).max(MAX_ALERTS),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(''),
  groupKey: z.string().default(''),
  truncatedAlerts: z.number().int().nonnegative().default(0),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhookSchema>;
type WebhookAlert = AlertmanagerWebhook['alerts'][number];

/** An alert as Vigil keeps it: tied to a service (or to none) and a namespace. */
export interface ReceivedAlert {
  fingerprint: string;
  /** Milliseconds precision, ISO: with the fingerprint, the alert's identity. */
  startsAt: string;
  /** When it resolved; null while firing. */
  endsAt: string | null;
  status: 'firing' | 'resolved';
  alertname: string;
  /** Null when none of the configured service labels is on the alert: recorded, not correlated. */
  service: string | null;
  namespace: string;
  severity: string | null;
  summary: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorUrl: string | null;
  receiver: string;
  /** The id of the anomaly event it becomes in correlation. */
  anomalyId: string;
}

const iso = (t: string) => new Date(Date.parse(t)).toISOString();

/** Deterministic, so the same alert received twice is the same event. */
export function alertAnomalyIdOf(fingerprint: string, startsAt: string): string {
  return `am_${createHash('sha256').update(`${fingerprint}@${startsAt}`).digest('hex').slice(0, 20)}`;
}

/**
 * Ties a webhook alert to its service and namespace: the first of the configured service labels it
 * carries names the service; the namespace label, else the configured service's namespace, else the
 * default namespace.
 */
export function receiveAlert(
  alert: WebhookAlert,
  receiver: string,
  config: AlertmanagerIntakeConfig,
  namespaceOf: (service: string) => string | undefined,
): ReceivedAlert {
  const service = config.service_labels.map((l) => alert.labels[l]).find((v) => v !== undefined && v !== '') ?? null;
  const namespace =
    alert.labels[config.namespace_label] || (service ? namespaceOf(service) : undefined) || config.default_namespace;
  const startsAt = iso(alert.startsAt);
  const summary = alert.annotations.summary ?? alert.annotations.description ?? alert.annotations.message ?? null;
  return {
    fingerprint: alert.fingerprint,
    startsAt,
    endsAt: alert.status === 'resolved' ? iso(alert.endsAt) : null,
    status: alert.status,
    alertname: alert.labels.alertname || 'unnamed alert',
    service,
    namespace,
    severity: alert.labels.severity || null,
    summary: summary || null,
    labels: alert.labels,
    annotations: alert.annotations,
    generatorUrl: alert.generatorURL || null,
    receiver,
    anomalyId: alertAnomalyIdOf(alert.fingerprint, startsAt),
  };
}
