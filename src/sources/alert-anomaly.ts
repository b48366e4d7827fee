import { type AnomalyEvent, SCHEMA_VERSION, seriesKeyOf } from '../contracts/index.js';
import type { AlertToCorrelate } from '../storage/alerts-repo.js';

/**
 * An Alertmanager alert as an event of correlation: it joins the stories of Vigil's own anomalies
 * by service, namespace and time (its start), and the card tells it as an alert (`alert`). The
 * numbers a detector would give are neutral: an alert is not a measurement. Its score is the
 * highest, so that it leads the card's evidence: someone wrote that rule.
 */
export function alertAnomaly(alert: AlertToCorrelate, recentDeploy: string | null): AnomalyEvent {
  const metricName = `alert:${alert.alertname}`;
  return {
    schema_version: SCHEMA_VERSION,
    id: alert.anomalyId,
    timestamp: alert.startsAt,
    series_key: seriesKeyOf({
      namespace: alert.namespace,
      service: alert.service,
      metric_name: metricName,
      labels: { fingerprint: alert.fingerprint },
    }),
    service: alert.service,
    namespace: alert.namespace,
    metric_name: metricName,
    labels: alert.labels,
    window_seconds: 60,
    value: 1,
    expected: 0,
    lower_bound: 0,
    upper_bound: 0,
    anomaly_score: 1,
    opens: true,
    detector: 'alertmanager',
    direction: 'up',
    alert: {
      name: alert.alertname,
      fingerprint: alert.fingerprint,
      starts_at: alert.startsAt,
      ends_at: alert.endsAt,
      severity: alert.severity,
      summary: alert.summary,
      generator_url: alert.generatorUrl,
    },
    evidence: {
      sample_count: 1,
      baseline_points: 0,
      baseline_days: 0,
      z_score: 0,
      robust_z_score: 0,
      missing_samples: 0,
      recent_deploy: recentDeploy,
      recent_values: [],
    },
  };
}
