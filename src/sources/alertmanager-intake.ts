import type { AlertmanagerIntakeConfig } from '../config/alertmanager-intake-schema.js';
import { type IntakeResponse, refuseUnauthorizedIntake } from '../http/handle-events-intake.js';
import type { Intake } from '../http/start-health-server.js';
import type { Logger } from '../logger.js';
import type { AlertBatchOutcome } from '../storage/alerts-repo.js';
import { AlertmanagerWebhookSchema, type ReceivedAlert, receiveAlert } from './alertmanager-webhook.js';

/** Alerts stored per transaction (a few ms each). */
const STORE_SLICE = 200;

/** Room for MAX_ALERTS alerts of ~1 KB (see alertmanager-webhook.ts). */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** What the intake counts on /metrics: payloads by outcome, alerts by what storing them did. */
export type AlertmanagerIntakeCount = 'payload_accepted' | 'payload_invalid' | 'stored' | 'resolved' | 'duplicate';

export interface AlertmanagerIntakeOptions {
  token: string;
  config: AlertmanagerIntakeConfig;
  /** The configured service's namespace, when the alert names none. */
  namespaceOf: (service: string) => string | undefined;
  /** Stores a payload's alerts (one transaction); null while Vigil is still starting. */
  record: (alerts: readonly ReceivedAlert[]) => AlertBatchOutcome | null;
  /** Tells detection that alerts wait to be correlated. */
  arrived: () => void;
  count: (what: AlertmanagerIntakeCount, n: number) => void;
  logger: Logger;
}

/**
 * POST /alertmanager: Alertmanager's webhook (payload version 4). The bearer token is checked on
 * the headers alone (the health server reads no body before `authorize` says so). A payload is
 * valid as a whole or nothing of it is stored (400 naming the fields); each alert is stored once
 * however often Alertmanager re-sends it, and its resolved notification records its end.
 */
export function createAlertmanagerIntake(
  options: AlertmanagerIntakeOptions,
): Intake & { accept: (body: string) => Promise<IntakeResponse> } {
  const { logger, count } = options;
  const invalid = (message: string, issues?: string[]): IntakeResponse => {
    count('payload_invalid', 1);
    logger.warn({ issues: issues ?? [message] }, 'Alertmanager payload rejected; nothing stored');
    return { status: 400, body: { error: 'vigil_intake_invalid', message, ...(issues ? { issues } : {}) } };
  };
  return {
    // An alert storm is when the intake matters most: Alertmanager sends a whole group at once
    // (~0.5–1 KB an alert) and does not retry a 413, so the bound is set by the alerts, not the
    // deploy intake's 256 KiB.
    maxBytes: MAX_PAYLOAD_BYTES,
    authorize: (authorization) => refuseUnauthorizedIntake(authorization, options.token),
    async accept(body) {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return invalid('the body is not JSON');
      }
      const parsed = AlertmanagerWebhookSchema.safeParse(json);
      if (!parsed.success) {
        return invalid(
          'nothing was stored',
          parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
        );
      }
      const payload = parsed.data;
      const alerts = payload.alerts.map((a) => receiveAlert(a, payload.receiver, options.config, options.namespaceOf));
      // A storm's thousand alerts are stored a slice at a time, the event loop getting a turn
      // between slices (each alert is idempotent: slices need not be one transaction).
      const outcome: AlertBatchOutcome = { stored: 0, resolved: 0, duplicates: 0, toCorrelate: 0 };
      for (let i = 0; i < alerts.length; i += STORE_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const part = options.record(alerts.slice(i, i + STORE_SLICE));
        if (!part) return { status: 503, body: { error: 'vigil_starting', message: 'try again shortly' } };
        outcome.stored += part.stored;
        outcome.resolved += part.resolved;
        outcome.duplicates += part.duplicates;
        outcome.toCorrelate += part.toCorrelate;
      }
      count('payload_accepted', 1);
      count('stored', outcome.stored);
      count('resolved', outcome.resolved);
      count('duplicate', outcome.duplicates);
      if (outcome.toCorrelate > 0) options.arrived();
      const unowned = alerts.filter((a) => a.service === null).length;
      logger.info(
        {
          receiver: payload.receiver,
          status: payload.status,
          alerts: alerts.length,
          ...outcome,
          ...(unowned > 0 ? { without_service: unowned } : {}),
          ...(payload.truncatedAlerts > 0 ? { truncated: payload.truncatedAlerts } : {}),
        },
        'Alertmanager alerts received',
      );
      return {
        status: 200,
        body: {
          accepted: alerts.length,
          stored: outcome.stored,
          resolved: outcome.resolved,
          duplicates: outcome.duplicates,
        },
      };
    },
  };
}
