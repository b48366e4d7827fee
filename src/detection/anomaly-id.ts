import { createHash } from 'node:crypto';

/** Deterministic: re-scoring the same point (after a restart, or twice) yields the same id. */
export function anomalyIdOf(seriesKey: string, timestampMs: number): string {
  return `an_${createHash('sha256').update(`${seriesKey}@${timestampMs}`).digest('hex').slice(0, 20)}`;
}
