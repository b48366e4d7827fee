import { ConfigSchema, type VigilConfig } from '../../src/config/config-schema.js';

/**
 * The configuration of tests that watch one service's pods (podSeries in real-prometheus.ts): the
 * `pod_latency` series of service `api` in `prod`, as the signal `latency_p99`, Slack over HTTP.
 */
export function podLatencyConfig(prometheusUrl: string, detection?: Record<string, number>): VigilConfig {
  return ConfigSchema.parse({
    prometheus: { url: prometheusUrl, timeout_ms: 30_000 },
    slack: { mode: 'http', port: 0 },
    http: { health_port: 0 },
    teams: { core: { channel: '#core' } },
    services: [{ name: 'api', namespace: 'prod', team: 'core' }],
    signals: [{ name: 'latency_p99', query: 'pod_latency' }],
    ...(detection ? { detection } : {}),
  });
}

/** What both the crashed and the reference processes of state-after-kill run (the same for both). */
export function crashTestConfig(prometheusUrl: string): VigilConfig {
  return podLatencyConfig(prometheusUrl, {
    window_points: 30,
    min_points: 10,
    fresh_seconds: 60,
    absent_after_seconds: 300,
  });
}
