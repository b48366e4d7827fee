import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Ratio, Scorecard } from '../feedback/scorecard.js';
import type { CycleOutcome } from '../pipeline/create-detection-cycle.js';
import type { AlertmanagerIntakeCount } from '../sources/alertmanager-intake.js';

export interface MetricsSources {
  openIncidents: () => number;
  feedbackByLabel: () => Record<string, number>;
  remediationByStatus: () => Record<string, number>;
  /**
   * The feedback scorecard of the last `days` (every team), undefined while starting; without this
   * source, no scorecard gauges.
   */
  scorecard?: (days: number) => Scorecard | undefined;
}

/** The windows the scorecard gauges are computed over, as their `window` label says. */
export const SCORECARD_WINDOWS = [
  { window: '7d', days: 7 },
  { window: '30d', days: 30 },
] as const;
/**
 * A scorecard is a few indexed queries; a scrape asks for several gauges of each window, and
 * Prometheus scrapes every 15-60 s: each window is read at most this often.
 */
const SCORECARD_TTL_MS = 30_000;

/** Where an error nothing else caught surfaced (the process-level guard). */
export type UnexpectedErrorOrigin = 'unhandledRejection' | 'uncaughtException';

export interface VigilMetrics {
  registry: Registry;
  observeCycle(outcome: CycleOutcome): void;
  countUnexpectedError(origin: UnexpectedErrorOrigin): void;
  /** POST /alertmanager: payloads accepted or invalid, alerts stored, resolved or re-sent. */
  countAlertmanagerIntake(what: AlertmanagerIntakeCount, n: number): void;
}

/** The bot's own /metrics: is detection running, what does it find, what fails. */
export function createMetrics(sources: MetricsSources): VigilMetrics {
  const registry = new Registry();
  // Unprefixed, under their standard names (process_cpu_seconds_total, nodejs_*): the usual Node.js
  // dashboards and alerts work as they are. Vigil's own metrics all start with vigil_.
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'vigil_cycle_duration_seconds',
    help: 'Duration of detection cycles.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const cycles = new Counter({
    name: 'vigil_cycles_total',
    help: 'Detection cycles by outcome.',
    labelNames: ['status'],
    registers: [registry],
  });
  const series = new Gauge({
    name: 'vigil_series_scored',
    help: 'Series scored in the last cycle.',
    registers: [registry],
  });
  const samples = new Counter({
    name: 'vigil_samples_total',
    help: 'Samples read from sources.',
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'vigil_samples_rejected_total',
    help: 'Samples rejected as invalid (no service label, not a number).',
    registers: [registry],
  });
  const anomalies = new Counter({
    name: 'vigil_anomalies_total',
    help: 'Anomalies detected, by detector.',
    labelNames: ['detector'],
    registers: [registry],
  });
  const invalid = new Counter({
    name: 'vigil_invalid_events_total',
    help: 'Events that failed their contract and were dropped.',
    registers: [registry],
  });
  const sourceErrors = new Counter({
    name: 'vigil_source_errors_total',
    help: 'Signals whose fetch failed (Prometheus down, query rejected, garbage).',
    registers: [registry],
  });
  const publishErrors = new Counter({
    name: 'vigil_slack_publish_errors_total',
    help: 'Incident cards Slack did not accept (retried next cycle).',
    registers: [registry],
  });
  const unexpected = new Counter({
    name: 'vigil_unexpected_errors_total',
    help: 'Errors nothing else caught, logged and survived by the process-level guard (a bug: alert on any).',
    labelNames: ['origin'],
    registers: [registry],
  });
  // Both series exist from the start, so an alert on their increase has something to compare with.
  for (const origin of ['unhandledRejection', 'uncaughtException'] as const) unexpected.inc({ origin }, 0);
  const alertmanagerIntake = new Counter({
    name: 'vigil_alertmanager_intake_total',
    help: 'POST /alertmanager: payloads (payload_accepted, payload_invalid) and alerts (stored, resolved, duplicate).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'vigil_incidents_open',
    help: 'Open or acknowledged incidents.',
    registers: [registry],
    collect() {
      this.set(sources.openIncidents());
    },
  });
  new Gauge({
    name: 'vigil_feedback',
    help: 'Feedback labels given on incidents.',
    labelNames: ['label'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [label, count] of Object.entries(sources.feedbackByLabel())) this.set({ label }, count);
    },
  });
  new Gauge({
    name: 'vigil_remediation_requests',
    help: 'Remediation requests by status (needs_attention: interrupted, a human must check).',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, count] of Object.entries(sources.remediationByStatus())) this.set({ status }, count);
    },
  });
  const scorecard = sources.scorecard;
  if (scorecard) {
    const cached = new Map<number, { at: number; card: Scorecard }>();
    const cardOf = (days: number): Scorecard | undefined => {
      const hit = cached.get(days);
      if (hit && performance.now() - hit.at < SCORECARD_TTL_MS) return hit.card;
      const card = scorecard(days);
      if (card) cached.set(days, { at: performance.now(), card });
      return card;
    };
    // One sample per window; a figure with nothing behind it (a ratio with nothing to divide by:
    // "no labels yet") has no sample, absent rather than NaN.
    const windowGauge = (name: string, help: string, pick: (card: Scorecard) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['window'],
        registers: [registry],
        collect() {
          this.reset();
          for (const { window, days } of SCORECARD_WINDOWS) {
            const card = cardOf(days);
            const value = card ? pick(card) : null;
            if (value !== null) this.set({ window }, value);
          }
        },
      });
    const ratioGauge = (name: string, help: string, pick: (card: Scorecard) => Ratio) =>
      windowGauge(name, help, (card) => pick(card).value);
    const countGauge = windowGauge;
    ratioGauge(
      'vigil_alert_precision',
      'Share of labelled incidents that paged in the window whose verdict is useful (0..1).',
      (c) => c.precision,
    );
    ratioGauge(
      'vigil_false_positive_rate',
      'Share of labelled incidents that paged in the window whose verdict is noisy (0..1).',
      (c) => c.falsePositiveRate,
    );
    ratioGauge(
      'vigil_label_coverage',
      'Share of incidents that paged in the window with at least one feedback label (0..1).',
      (c) => c.coverage,
    );
    countGauge('vigil_incidents_paged', 'Incidents that paged in the window.', (c) => c.paged);
    countGauge('vigil_incidents_labelled', 'Incidents that paged in the window and have a label.', (c) => c.labelled);
  }
  return {
    registry,
    observeCycle(outcome) {
      duration.observe(outcome.duration_ms / 1000);
      cycles.inc({ status: outcome.status });
      series.set(outcome.series_scored);
      samples.inc(outcome.samples);
      rejected.inc(outcome.rejectedSamples);
      invalid.inc(outcome.invalidAnomalies);
      for (const [detector, n] of Object.entries(outcome.anomaliesByDetector)) anomalies.inc({ detector }, n);
      sourceErrors.inc(outcome.errors.filter((e) => e.startsWith('signal ')).length);
      publishErrors.inc(outcome.publish?.failed.length ?? 0);
    },
    countUnexpectedError(origin) {
      unexpected.inc({ origin });
    },
    countAlertmanagerIntake(what, n) {
      alertmanagerIntake.inc({ outcome: what }, n);
    },
  };
}
