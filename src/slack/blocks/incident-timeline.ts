import { compareText } from '../../collections/compare-text.js';
import type { Incident, IncidentTransition } from '../../contracts/index.js';
import { readDeployReference } from '../../incidents/deploy-reference.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';

/** One series' part in the incident (AnomaliesRepo.seriesSpans). */
export interface TimelineSpan {
  series_key: string;
  service: string;
  metric_name: string;
  first_at: string;
  last_at: string;
  recent_deploy: string | null;
}

export interface TimelineInput {
  incident: Pick<Incident, 'created_at' | 'last_anomaly_at' | 'resolved_at' | 'status' | 'updated_at'>;
  /** Series of the incident, any order. */
  spans: readonly TimelineSpan[];
  /** Its status changes, any order; Vigil's own (actor "vigil") are the automatic ones. */
  transitions: readonly Pick<IncidentTransition, 'to_status' | 'actor' | 'reason' | 'at'>[];
}

/** Services named on the timeline one by one; the rest are counted. */
const SPREAD_SHOWN = 6;
const VIGIL = 'vigil';

const hhmm = (iso: string) => `${iso.slice(11, 16)}`;

/** "42 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** When the anomalies stopped: the latest anomaly of any of its series (minor ones included). */
export function anomaliesStoppedAt(input: Pick<TimelineInput, 'incident' | 'spans'>): string {
  let last = input.incident.last_anomaly_at;
  for (const s of input.spans) if (s.last_at > last) last = s.last_at;
  return last;
}

/**
 * How long it lasted: from the first anomaly to the last once resolved (not to the resolution,
 * which waits for a quiet spell), or, while it goes on, to the card's last update (the card is
 * pure, so "now" is the moment it was rebuilt).
 */
export function durationPhrase(incident: TimelineInput['incident'], stoppedAt = incident.last_anomaly_at): string {
  const start = Date.parse(incident.created_at);
  if (incident.resolved_at) {
    const end = Math.max(start, Math.min(Date.parse(stoppedAt), Date.parse(incident.resolved_at)));
    return `lasted ${formatDuration(end - start)} (${hhmm(incident.created_at)}–${hhmm(new Date(end).toISOString())} UTC)`;
  }
  return `ongoing for ${formatDuration(Date.parse(incident.updated_at) - start)} (as of ${hhmm(incident.updated_at)} UTC)`;
}

/**
 * The incident's story in time order, one line each: first anomaly, spread to each other service
 * (when its first anomaly came), deploys, acknowledgement (who, when), when the anomalies stopped,
 * resolution (how: quiet, or by whom) and how long it lasted. Times are UTC, HH:MM.
 */
export function timelineLines(input: TimelineInput): string[] {
  const entries: Array<{ at: string; order: number; text: string }> = [];
  const firstOf = new Map<string, { at: string; metrics: string[] }>();
  for (const s of [...input.spans].sort((a, b) => compareText(a.first_at, b.first_at))) {
    const seen = firstOf.get(s.service);
    if (seen) {
      if (s.first_at === seen.at) seen.metrics.push(s.metric_name);
    } else firstOf.set(s.service, { at: s.first_at, metrics: [s.metric_name] });
  }
  const services = [...firstOf.entries()];
  services.forEach(([service, first], i) => {
    const what = `*${escapeMrkdwn(service)}* (${first.metrics.map(escapeMrkdwn).join(', ')})`;
    if (i === 0) entries.push({ at: first.at, order: 1, text: `first anomaly: ${what}` });
    else if (i <= SPREAD_SHOWN) entries.push({ at: first.at, order: 2, text: `spread to ${what}` });
  });
  if (services.length > SPREAD_SHOWN + 1) {
    const last = services[services.length - 1]?.[1].at ?? input.incident.last_anomaly_at;
    entries.push({ at: last, order: 2, text: `…and ${services.length - SPREAD_SHOWN - 1} more services by then` });
  }
  const deploys = new Map<string, { at: string; text: string }>();
  for (const s of input.spans) {
    if (!s.recent_deploy) continue;
    const { version, atMs } = readDeployReference(s.recent_deploy);
    if (atMs === null || deploys.has(version)) continue;
    deploys.set(version, { at: new Date(atMs).toISOString(), text: `deploy of *${escapeMrkdwn(version)}*` });
  }
  for (const d of deploys.values()) entries.push({ at: d.at, order: 0, text: d.text });
  for (const t of input.transitions) {
    if (t.to_status === 'acknowledged') {
      entries.push({ at: t.at, order: 3, text: `acknowledged by ${mention(t.actor)}` });
    }
  }
  const resolvedBy = [...input.transitions].reverse().find((t) => t.to_status === 'resolved');
  const stopped = anomaliesStoppedAt(input);
  if (input.incident.status === 'resolved' || input.incident.resolved_at) {
    entries.push({
      at: stopped,
      order: 4,
      text: `anomalies stopped (last anomaly) · ${durationPhrase(input.incident, stopped)}`,
    });
    const at = input.incident.resolved_at ?? resolvedBy?.at ?? input.incident.updated_at;
    const how =
      !resolvedBy || resolvedBy.actor === VIGIL
        ? `resolved automatically: ${escapeMrkdwn(resolvedBy?.reason ?? 'quiet')}`
        : `resolved by ${mention(resolvedBy.actor)}${resolvedBy.reason ? `: ${escapeMrkdwn(resolvedBy.reason)}` : ''}`;
    entries.push({ at, order: 5, text: how });
  } else {
    entries.push({ at: stopped, order: 4, text: `latest anomaly so far · ${durationPhrase(input.incident)}` });
  }
  entries.sort((a, b) => compareText(a.at, b.at) || a.order - b.order);
  return entries.map((e) => `\`${hhmm(e.at)}\` ${e.text}`);
}
