import { type AnomalyEvent, SCHEMA_VERSION } from '../../src/contracts/index.js';
import { anomalyIdOf } from '../../src/detection/anomaly-id.js';

/** A valid AnomalyEvent for tests of the stages after detection. */
export function makeAnomaly(
  service: string,
  at: string,
  overrides: Partial<Omit<AnomalyEvent, 'evidence'>> & { evidence?: Partial<AnomalyEvent['evidence']> } = {},
): AnomalyEvent {
  const metric = overrides.metric_name ?? 'latency_p99';
  const namespace = overrides.namespace ?? 'shop';
  const key = `${namespace}/${service}/${metric}`;
  const { evidence, ...rest } = overrides;
  return {
    schema_version: SCHEMA_VERSION,
    id: anomalyIdOf(key, Date.parse(at)),
    timestamp: new Date(at).toISOString(),
    series_key: key,
    service,
    namespace,
    metric_name: metric,
    labels: {},
    window_seconds: 3600,
    value: 1.2,
    expected: 0.4,
    lower_bound: 0.3,
    upper_bound: 0.5,
    anomaly_score: 0.97,
    detector: 'robust_mad',
    direction: 'up',
    ...rest,
    evidence: {
      sample_count: 61,
      baseline_points: 60,
      baseline_days: 0.042,
      z_score: 9.1,
      robust_z_score: 11.4,
      missing_samples: 0,
      recent_deploy: null,
      recent_values: [0.4, 0.41, 0.39, 1.2],
      ...evidence,
    },
  };
}
