import type { Unit } from '../slack/blocks/format-value.js';
import type { SeriesAnomalyPoint } from '../storage/series-anomalies-repo.js';
import type { IncidentChartInput } from './render-incident-chart.js';

export interface ChartData {
  title: string;
  unit: Unit;
  startMs: number;
  endMs: number;
  /** The series' points over the window (from the signal's source), in time order. */
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
  /** The series' anomalous points in the incident, in time order. */
  anomalies: readonly SeriesAnomalyPoint[];
  deploys: ReadonlyArray<{ timestampMs: number; label: string }>;
}

/**
 * What the chart's band means: the expected range the detector reported with each anomalous point
 * (its lower and upper bound), held until the next one; before the first anomaly, the range at the
 * onset, which the detector drew from the history before it. Vigil keeps no expected range for
 * points that were not anomalous, so a quiet stretch shows the range last known to hold there.
 */
export function bandAt(
  timestamps: ArrayLike<number>,
  anomalies: readonly SeriesAnomalyPoint[],
): IncidentChartInput['band'] {
  const band: Array<{ timestampMs: number; lower: number; upper: number } | null> = [];
  if (anomalies.length === 0) return band;
  let next = 0;
  let current = anomalies[0] as SeriesAnomalyPoint;
  const times = anomalies.map((a) => Date.parse(a.ts));
  for (let i = 0; i < timestamps.length; i += 1) {
    const t = timestamps[i] as number;
    while (next < anomalies.length && (times[next] as number) <= t) {
      current = anomalies[next] as SeriesAnomalyPoint;
      next += 1;
    }
    band.push({ timestampMs: t, lower: current.lower_bound, upper: current.upper_bound });
  }
  return band;
}

/** The renderer's input for one series of an incident: line, band, anomalous points, onset and deploys. */
export function buildChartInput(data: ChartData): IncidentChartInput {
  const inWindow = data.anomalies.filter((a) => {
    const t = Date.parse(a.ts);
    return t >= data.startMs && t <= data.endMs;
  });
  const first = inWindow[0];
  // A detector's lower bound can go below zero (mean minus a few sigmas); for a series that never
  // does (a latency, a rate) that only means "no lower limit", and is drawn as zero.
  let nonNegative = true;
  for (let i = 0; i < data.values.length && nonNegative; i += 1) nonNegative = (data.values[i] as number) >= 0;
  const band = bandAt(data.timestamps, inWindow).map((b) => (b && nonNegative && b.lower < 0 ? { ...b, lower: 0 } : b));
  return {
    title: data.title,
    unit: data.unit,
    startMs: data.startMs,
    endMs: data.endMs,
    timestamps: data.timestamps,
    values: data.values,
    band,
    anomalies: inWindow.map((a) => ({ timestampMs: Date.parse(a.ts), value: a.value })),
    onsetMs: first ? Date.parse(first.ts) : null,
    deploys: data.deploys.filter((d) => d.timestampMs >= data.startMs && d.timestampMs <= data.endMs),
  };
}
