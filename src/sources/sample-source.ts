import type { SignalConfig } from '../config/config-schema.js';
import type { MetricSample } from '../contracts/index.js';

export interface SampleRange {
  /** Unix milliseconds, inclusive, aligned to the step. */
  startMs: number;
  endMs: number;
  stepSeconds: number;
}

export interface SampleBatch {
  samples: MetricSample[];
  /** Series or points rejected as invalid (no service label, not a number, failed the contract). */
  rejected: number;
}

/** Where samples come from: Prometheus in production, a scenario folder in a replay. */
export interface SampleSource {
  fetch(signal: SignalConfig, range: SampleRange): Promise<SampleBatch>;
}
