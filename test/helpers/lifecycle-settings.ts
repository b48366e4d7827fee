import type { LifecycleSettings } from '../../src/incidents/apply-anomalies.js';

/** The configuration defaults as lifecycle settings; tests override what they study. */
export function lifecycleSettings(overrides: Partial<LifecycleSettings> = {}): LifecycleSettings {
  return {
    windowSeconds: 600,
    maxIncidentSeconds: 21_600,
    resolveAfterQuietSeconds: 1800,
    minAnomalies: 2,
    linkWindowSeconds: 7200,
    ...overrides,
  };
}
