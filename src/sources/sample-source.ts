import type { SignalConfig } from '../config/config-schema.js';
import type { SeriesColumns } from './series-columns.js';

export interface SampleRange {
  /** Unix milliseconds, inclusive, aligned to the step. */
  startMs: number;
  endMs: number;
  stepSeconds: number;
  /**
   * Only the series of these services (recalibration reads a signal a slice at a time); all of the
   * signal's series when absent.
   */
  services?: readonly string[];
}

export interface SampleBatch {
  /** One entry per series, its points in time order. */
  series: SeriesColumns[];
  /** Points rejected as invalid (not a number, or of a series without service identity). */
  rejected: number;
}

/** Where samples come from: Prometheus in production, a scenario folder in a replay. */
export interface SampleSource {
  fetch(signal: SignalConfig, range: SampleRange): Promise<SampleBatch>;
  /** The team labels name as the owner of a service not under `services:` (see service-ownership.ts). */
  teamOf?(service: string): string | undefined;
}
