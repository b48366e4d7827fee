import { createHash } from 'node:crypto';
import type { AnomalyEvent, Incident } from '../contracts/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RemediationService } from '../remediation/create-remediation-service.js';
import { checkBlockKitLimits, type SlackMessage } from '../slack/blocks/block-kit-limits.js';
import { buildIncidentCard, evidenceLine, type Runbook } from '../slack/blocks/build-incident-card.js';
import type { Unit } from '../slack/blocks/format-value.js';
import type { CardPublisher } from '../slack/card-publisher.js';
import type { AnomaliesRepo } from '../storage/anomalies-repo.js';
import type { IncidentsRepo } from '../storage/incidents-repo.js';

const EVIDENCE_SERIES = 12;

export interface PublishDeps {
  incidents: IncidentsRepo;
  anomalies: AnomaliesRepo;
  publisher: CardPublisher;
  runbooksOf: (service: string) => readonly Omit<Runbook, 'service'>[];
  units: ReadonlyMap<string, Unit>;
  logger: Logger;
  /** Remediation offers and request states shown on the card; absent when nothing is configured. */
  remediationCard?: Pick<RemediationService, 'offers' | 'stateLines'>;
}

export interface PublishResult {
  posted: string[];
  updated: string[];
  failed: Array<{ incidentId: string; error: string }>;
}

export function cardFor(
  incident: Incident,
  deps: Pick<PublishDeps, 'incidents' | 'anomalies' | 'runbooksOf' | 'units' | 'remediationCard'>,
): SlackMessage {
  const runbooks = incident.services.flatMap((service) => deps.runbooksOf(service).map((r) => ({ ...r, service })));
  return buildIncidentCard({
    incident,
    evidence: deps.anomalies.strongestPerSeries(incident.id, EVIDENCE_SERIES),
    anomalyCount: deps.incidents.anomalyCount(incident.id),
    runbooks,
    units: deps.units,
    decisions: deps.incidents
      .transitions(incident.id)
      .filter((t) => t.actor !== 'vigil' && (t.to_status === 'acknowledged' || t.to_status === 'resolved'))
      .reverse()
      .map((t) => ({ status: t.to_status, actor: t.actor, reason: t.reason, at: t.at })),
    ...(deps.remediationCard
      ? {
          remediation: {
            offers: deps.remediationCard.offers(incident),
            lines: deps.remediationCard.stateLines(incident.id),
          },
        }
      : {}),
  });
}

function hashOf(message: SlackMessage): string {
  return createHash('sha256').update(JSON.stringify(message)).digest('hex');
}

/** Thread replies tell what joined the story: a series not seen before in this incident. */
function newSeriesSummary(
  fresh: readonly AnomalyEvent[],
  known: ReadonlySet<string>,
  units: ReadonlyMap<string, Unit>,
): string | null {
  const bySeries = new Map<string, AnomalyEvent>();
  for (const e of fresh) {
    if (known.has(e.series_key)) continue;
    const best = bySeries.get(e.series_key);
    if (!best || e.anomaly_score > best.anomaly_score) bySeries.set(e.series_key, e);
  }
  if (bySeries.size === 0) return null;
  const lines = [...bySeries.values()].map((e) => `• ${evidenceLine(e, units.get(e.metric_name) ?? 'none')}`);
  return `${bySeries.size === 1 ? 'New anomalous series' : `${bySeries.size} new anomalous series`}:\n${lines.join('\n')}`;
}

/**
 * Brings Slack in line with the store: posts cards of new incidents, edits cards that changed (in
 * place, never a second message), and tells new series in the card's thread. A failure leaves the
 * incident unpublished, to be tried again on the next cycle: nothing is lost while Slack is down.
 */
export async function publishIncidents(incidentIds: Iterable<string>, deps: PublishDeps): Promise<PublishResult> {
  const result: PublishResult = { posted: [], updated: [], failed: [] };
  for (const id of new Set(incidentIds)) {
    const incident = deps.incidents.get(id);
    // Recorded but never paged (below the evidence bar, suppressed): no card.
    if (!incident || incident.pending || (incident.status === 'suppressed' && !incident.slack)) continue;
    const log = deps.logger.child({ incident_id: id });
    try {
      const card = cardFor(incident, deps);
      const problems = checkBlockKitLimits(card);
      if (problems.length > 0) throw new Error(`card breaks Block Kit limits: ${problems.join('; ')}`);
      const hash = hashOf(card);
      const unannounced = deps.anomalies.unannounced(id);
      if (!incident.slack) {
        const where = await deps.publisher.post(incident.channel, card);
        deps.incidents.setMessage(id, where.channel, where.ts);
        deps.incidents.setPublishedHash(id, hash);
        result.posted.push(id);
        log.info({ channel: where.channel, ts: where.ts }, 'incident card posted');
        const details = newSeriesSummary(unannounced, new Set(), deps.units);
        deps.anomalies.markAnnounced(
          id,
          unannounced.map((a) => a.id),
        );
        if (details) await deps.publisher.reply(where.channel, where.ts, `Details of ${id}\n${details}`);
        continue;
      }
      if (deps.incidents.publishedHash(id) !== hash) {
        await deps.publisher.update(incident.slack.channel, incident.slack.ts, card);
        deps.incidents.setPublishedHash(id, hash);
        result.updated.push(id);
        log.info({ channel: incident.slack.channel, ts: incident.slack.ts }, 'incident card updated');
      }
      if (unannounced.length > 0) {
        const announced = deps.anomalies.announcedSeries(id);
        const summary = newSeriesSummary(unannounced, announced, deps.units);
        deps.anomalies.markAnnounced(
          id,
          unannounced.map((a) => a.id),
        );
        if (summary) await deps.publisher.reply(incident.slack.channel, incident.slack.ts, summary);
      }
    } catch (error) {
      result.failed.push({ incidentId: id, error: errorMessage(error) });
      log.error({ err: error }, 'publishing the incident card failed; will retry next cycle');
    }
  }
  return result;
}
