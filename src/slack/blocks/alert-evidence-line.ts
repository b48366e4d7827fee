import type { AnomalyEvent } from '../../contracts/index.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

type AlertEvidence = NonNullable<AnomalyEvent['alert']>;

/** A summary annotation can be a paragraph: a line of evidence keeps its start. */
const MAX_SUMMARY = 300;

const hhmm = (iso: string) => iso.slice(11, 16);

/**
 * An Alertmanager alert's line of evidence, e.g. "*checkout-api* Alertmanager: HighErrorRate firing
 * since 05:02 UTC (severity critical): 5% of checkout requests fail", or "fired 05:02–05:09 UTC,
 * resolved" once Alertmanager said so.
 */
export function alertEvidenceLine(event: AnomalyEvent, alert: AlertEvidence): string {
  const state = alert.ends_at
    ? `fired ${hhmm(alert.starts_at)}–${hhmm(alert.ends_at)} UTC, resolved`
    : `firing since ${hhmm(alert.starts_at)} UTC`;
  const severity = alert.severity ? ` (severity ${escapeMrkdwn(alert.severity)})` : '';
  const summary = alert.summary ? `: ${escapeMrkdwn(truncate(alert.summary.replace(/\s+/g, ' '), MAX_SUMMARY))}` : '';
  return `*${escapeMrkdwn(event.service)}* Alertmanager: ${escapeMrkdwn(alert.name)} ${state}${severity}${summary}`;
}
