import { createHash } from 'node:crypto';
import type { ChartAttacher } from '../charts/create-chart-attacher.js';
import type { AnomalyEvent, Incident } from '../contracts/index.js';
import { ErrorCode, errorMessage, isVigilError } from '../errors.js';
import { createTimeSlicer, type TimeSlicer } from '../event-loop/create-time-slicer.js';
import { DEFAULT_FEEDBACK_EMOJI, type FeedbackEmoji } from '../feedback/reaction-labels.js';
import type { Logger } from '../logger.js';
import type { RemediationService } from '../remediation/create-remediation-service.js';
import { checkBlockKitLimits, type SlackMessage } from '../slack/blocks/block-kit-limits.js';
import { buildIncidentCard, evidenceLine, type Runbook } from '../slack/blocks/build-incident-card.js';
import type { Unit } from '../slack/blocks/format-value.js';
import type { CardLocation, CardPublisher } from '../slack/card-publisher.js';
import type { AnomaliesRepo } from '../storage/anomalies-repo.js';
import type { FeedbackRepo } from '../storage/feedback-repo.js';
import type { IncidentsRepo } from '../storage/incidents-repo.js';

const EVIDENCE_SERIES = 12;
/** Series read for the card's timeline and evidence times (earliest first): more than a card shows. */
const TIMELINE_SERIES = 50;
/**
 * New cards charted in one run: a catch-up after an outage can open hundreds, and their charts
 * (a query, a render, an upload each) would hold the next cycle back; the rest keep their sparkline.
 */
const CHARTS_PER_RUN = 10;
/**
 * New series told in one thread reply: the strongest first ones, then how many more. A catch-up
 * after an outage can bring hundreds; nobody reads a reply that long, and the card's evidence and
 * `/vigil` commands have the rest.
 */
export const NEW_SERIES_TOLD = 15;
/**
 * An unanswered post is looked for in the channel from a little before it was sent: Slack's
 * message ts come from Slack's clock, not ours.
 */
const ATTEMPT_MARGIN_MS = 5 * 60_000;

export interface PublishDeps {
  incidents: IncidentsRepo;
  anomalies: AnomaliesRepo;
  /** The labels on each card are counted from here. */
  feedback: Pick<FeedbackRepo, 'countsForIncident'>;
  /** The reactions the card invites (feedback.useful_emoji / noisy_emoji); default 👍/👎. */
  feedbackEmoji?: FeedbackEmoji;
  publisher: CardPublisher;
  runbooksOf: (service: string) => readonly Omit<Runbook, 'service'>[];
  units: ReadonlyMap<string, Unit>;
  logger: Logger;
  /** Remediation offers and request states shown on the card; absent when nothing is configured. */
  remediationCard?: Pick<RemediationService, 'offers' | 'stateLines'>;
  /** Puts the incident's chart in the card's thread when the card first goes out; absent: no charts. */
  chart?: ChartAttacher;
  /**
   * Wall clock for post attempts and late cards (default: now). Not the cycle's clock: an attempt's
   * time is compared with Slack's message ts.
   */
  now?: () => Date;
}

export interface PublishResult {
  posted: string[];
  updated: string[];
  failed: Array<{ incidentId: string; error: string }>;
}

/**
 * The incident's card, built from the store. Its reads grow with the incident (a long outage is
 * thousands of anomalies, each read sorting them all): with a `slicer`, Slack's requests get a turn
 * between them, so that one card is never one long block of the thread that acks Slack.
 */
export async function cardFor(
  incident: Incident,
  deps: Pick<
    PublishDeps,
    'incidents' | 'anomalies' | 'feedback' | 'feedbackEmoji' | 'runbooksOf' | 'units' | 'remediationCard'
  >,
  slicer?: TimeSlicer,
): Promise<SlackMessage> {
  const turn = async () => {
    if (slicer?.due()) await slicer.pause();
  };
  const evidence = deps.anomalies.strongestPerSeries(incident.id, EVIDENCE_SERIES);
  await turn();
  const anomalyCount = deps.incidents.anomalyCount(incident.id);
  await turn();
  const spans = deps.anomalies.seriesSpans(incident.id, TIMELINE_SERIES);
  await turn();
  const transitions = deps.incidents.transitions(incident.id);
  const runbooks = incident.services.flatMap((service) => deps.runbooksOf(service).map((r) => ({ ...r, service })));
  return buildIncidentCard({
    incident,
    evidence,
    anomalyCount,
    timeline: { spans, transitions },
    runbooks,
    units: deps.units,
    decisions: transitions
      .filter((t) => t.actor !== 'vigil' && (t.to_status === 'acknowledged' || t.to_status === 'resolved'))
      .reverse()
      .map((t) => ({ status: t.to_status, actor: t.actor, reason: t.reason, at: t.at })),
    feedback: {
      counts: deps.feedback.countsForIncident(incident.id),
      emoji: deps.feedbackEmoji ?? DEFAULT_FEEDBACK_EMOJI,
    },
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

/**
 * Thread replies tell what joined the story: a series not seen before in this incident, by its
 * strongest anomaly (AnomaliesRepo.untold picks them).
 */
function newSeriesSummary(
  untold: { newSeries: readonly AnomalyEvent[]; newSeriesTotal: number },
  units: ReadonlyMap<string, Unit>,
): string | null {
  const { newSeries, newSeriesTotal: total } = untold;
  if (newSeries.length === 0) return null;
  const lines = newSeries.map((e) => `• ${evidenceLine(e, units.get(e.metric_name) ?? 'none')}`);
  if (total > newSeries.length) lines.push(`…and ${total - newSeries.length} more series`);
  return `${total === 1 ? 'New anomalous series' : `${total} new anomalous series`}:\n${lines.join('\n')}`;
}

/** The card could not have been posted: Slack refused it, or the call never left (rate-limit gate). */
function provesNotPosted(error: unknown): boolean {
  return isVigilError(error) && error.code !== ErrorCode.SlackPostUnknown;
}

/**
 * Posts the incident's card once. A post recorded as sent whose answer never came may be in Slack
 * already: the channel's history is searched for it (the card carries the incident id) and what is
 * found is adopted instead of posting a second card.
 */
async function postOnce(
  incident: Incident,
  card: SlackMessage,
  deps: PublishDeps,
  now: () => Date,
  log: Logger,
): Promise<CardLocation> {
  const attempt = deps.incidents.postAttempt(incident.id);
  if (attempt) {
    const since = new Date(Date.parse(attempt.at) - ATTEMPT_MARGIN_MS);
    const found = await deps.publisher.findCard(attempt.channel, incident.id, since);
    if (found) {
      log.info(
        { channel: found.channel, ts: found.ts },
        'the unanswered post reached Slack; card adopted, not posted again',
      );
      return found;
    }
  }
  deps.incidents.markPostAttempt(incident.id, incident.channel, now().toISOString());
  try {
    return await deps.publisher.post(incident.channel, card, incident.id);
  } catch (error) {
    if (provesNotPosted(error)) deps.incidents.clearPostAttempt(incident.id);
    throw error;
  }
}

/**
 * Brings Slack in line with the store: posts cards of new incidents, edits cards that changed (in
 * place, never a second message), and tells new series in the card's thread. A failure leaves the
 * incident unpublished, to be tried again on the next cycle (nothing is lost while Slack is down),
 * and records why its card is late for /vigil status.
 */
export async function publishIncidents(incidentIds: Iterable<string>, deps: PublishDeps): Promise<PublishResult> {
  const result: PublishResult = { posted: [], updated: [], failed: [] };
  const now = deps.now ?? (() => new Date());
  // Each incident is a few queries and a card to build: between them, Slack's requests get a turn.
  const slicer = createTimeSlicer();
  const charts: Array<{ incident: Incident; where: CardLocation }> = [];
  for (const id of new Set(incidentIds)) {
    if (slicer.due()) await slicer.pause();
    const incident = deps.incidents.get(id);
    // Recorded but never paged (below the evidence bar, suppressed): no card. Nor once such a story
    // resolves: a silenced or maintenance-held incident must not page as "Resolved" at its end.
    if (!incident || incident.pending || (incident.status === 'suppressed' && !incident.slack)) continue;
    if (incident.status === 'resolved' && !incident.slack && incident.opened_at === null) continue;
    const log = deps.logger.child({ incident_id: id });
    // Once the card is in Slack as it should be, a failed thread reply does not make it late.
    let cardInSlack = false;
    try {
      if (slicer.due()) await slicer.pause();
      const card = await cardFor(incident, deps, slicer);
      const problems = checkBlockKitLimits(card);
      if (problems.length > 0) throw new Error(`card breaks Block Kit limits: ${problems.join('; ')}`);
      const hash = hashOf(card);
      if (slicer.due()) await slicer.pause();
      const untold = deps.anomalies.untold(id, NEW_SERIES_TOLD);
      if (!incident.slack) {
        const where = await postOnce(incident, card, deps, now, log);
        deps.incidents.setMessage(id, where.channel, where.ts);
        deps.incidents.setPublishedHash(id, hash);
        result.posted.push(id);
        log.info({ channel: where.channel, ts: where.ts }, 'incident card posted');
        const details = newSeriesSummary(untold, deps.units);
        deps.anomalies.markAnnounced(id, untold.ids);
        deps.incidents.setLate(id, null, now().toISOString());
        cardInSlack = true;
        if (deps.chart && charts.length < CHARTS_PER_RUN) charts.push({ incident, where });
        if (details) await deps.publisher.reply(where.channel, where.ts, `Details of ${id}\n${details}`);
        continue;
      }
      if (deps.incidents.publishedHash(id) !== hash) {
        await deps.publisher.update(incident.slack.channel, incident.slack.ts, card);
        deps.incidents.setPublishedHash(id, hash);
        result.updated.push(id);
        log.info({ channel: incident.slack.channel, ts: incident.slack.ts }, 'incident card updated');
      }
      deps.incidents.setLate(id, null, now().toISOString());
      cardInSlack = true;
      if (untold.ids.length > 0) {
        const summary = newSeriesSummary(untold, deps.units);
        deps.anomalies.markAnnounced(id, untold.ids);
        if (summary) await deps.publisher.reply(incident.slack.channel, incident.slack.ts, summary);
      }
    } catch (error) {
      result.failed.push({ incidentId: id, error: errorMessage(error) });
      if (!cardInSlack) deps.incidents.setLate(id, errorMessage(error), now().toISOString());
      log.error(
        { err: error, code: (error as { code?: unknown }).code },
        'publishing the incident card failed; will retry next cycle',
      );
    }
  }
  // Charts once every new card is out: a query, a render and an upload each must not hold back
  // the next incident's page. attach never throws (a refused upload leaves the sparkline).
  for (const { incident, where } of charts) await deps.chart?.attach(incident, where);
  if (charts.length > 0) deps.chart?.release();
  return result;
}
