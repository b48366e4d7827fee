import { ConfigSchema } from '../../src/config/config-schema.js';

/** The configuration both the crashed and the reference processes run (the same file for both). */
export function crashTestConfig(prometheusUrl: string) {
  return ConfigSchema.parse({
    prometheus: { url: prometheusUrl, timeout_ms: 30_000 },
    slack: { mode: 'http', port: 0 },
    http: { health_port: 0 },
    teams: { core: { channel: '#core' } },
    services: [{ name: 'api', namespace: 'prod', team: 'core' }],
    signals: [{ name: 'latency_p99', query: 'pod_latency' }],
    detection: { window_points: 30, min_points: 10, fresh_seconds: 60, absent_after_seconds: 300 },
  });
}
