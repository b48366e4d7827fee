import { type AnomalyEvent, AnomalyEventSchema } from '../contracts/index.js';
import type { Logger } from '../logger.js';
import { alertAnomaly } from '../sources/alert-anomaly.js';
import type { AlertsRepo } from '../storage/alerts-repo.js';

/** Alerts one cycle folds into correlation: their events, and the rows to mark once folded. */
export interface AlertBatch {
  events: AnomalyEvent[];
  rowIds: number[];
}

/**
 * Hands the detection cycle the Alertmanager alerts stored since it last looked. The store is read
 * only after the intake said an alert arrived (and once after a start, for alerts stored while the
 * thread was down): a cycle without alerts does no work for them.
 */
export interface AlertFeed {
  /** The intake stored alerts to correlate. */
  arrived(): void;
  /** The alerts to fold into this cycle, or null when none arrived. */
  take(): AlertBatch | null;
  /** The cycle folded them into incidents. */
  folded(batch: AlertBatch): void;
  /** The cycle could not: they are taken again next cycle (their events are stored once whatever happens). */
  failed(): void;
  /** Whether an alert of the incident still fires: its quiet resolution waits (asked only when it is due). */
  stillFiring(incidentId: string, now: Date): boolean;
}

/** Per cycle, so that a burst of alerts cannot make one cycle arbitrarily long. */
const BATCH_LIMIT = 500;

export function createAlertFeed(options: {
  repo: Pick<AlertsRepo, 'toCorrelate' | 'markCorrelated' | 'firingIn'>;
  /** See alertmanager_intake.assume_resolved_after_seconds. */
  assumeResolvedAfterSeconds: number;
  recentDeploy?: (service: string, namespace: string, atMs: number) => string | null;
  logger: Logger;
}): AlertFeed {
  const { repo, logger } = options;
  let pending = true;
  return {
    arrived() {
      pending = true;
    },
    take() {
      if (!pending) return null;
      const rows = repo.toCorrelate(BATCH_LIMIT);
      pending = rows.length === BATCH_LIMIT;
      if (rows.length === 0) return null;
      const events: AnomalyEvent[] = [];
      const rowIds: number[] = [];
      for (const row of rows) {
        rowIds.push(row.rowId);
        const event = alertAnomaly(
          row,
          options.recentDeploy?.(row.service, row.namespace, Date.parse(row.startsAt)) ?? null,
        );
        const check = AnomalyEventSchema.safeParse(event);
        if (check.success) events.push(check.data);
        // Marked folded with the rest: a row that cannot make a valid event never will.
        else logger.error({ fingerprint: row.fingerprint, issues: check.error.issues }, 'alert makes no valid event');
      }
      return { events, rowIds };
    },
    folded(batch) {
      repo.markCorrelated(batch.rowIds);
    },
    failed() {
      pending = true;
    },
    stillFiring(incidentId, now) {
      const seenSince = new Date(now.getTime() - options.assumeResolvedAfterSeconds * 1000).toISOString();
      return repo.firingIn(incidentId, seenSince);
    },
  };
}
