import { max, min } from 'simple-statistics';
import { compareText } from '../collections/compare-text.js';
import type { Hypothesis } from '../contracts/index.js';
import { readDeployReference } from '../incidents/deploy-reference.js';
import type { IncidentDraft, ServiceEvidence } from './incident-draft.js';
import { dependsOnTransitively, type Topology } from './topology.js';

/** Onsets closer than this are treated as simultaneous: scrape and evaluation jitter. */
const SIMULTANEOUS_MS = 90_000;

/**
 * Demand that began this long before the first symptom did not drive it: a surge loads its callees
 * within minutes, while a story open on a morning ramp for half an hour may take in a fault that
 * has nothing to do with demand.
 */
const SURGE_LEAD_MS = 10 * 60_000;

/** Its traffic anomalies, if its demand moved in time to have driven the story's symptoms. */
function surgeTraffic(m: ServiceEvidence, symptomOnset: number | null): number {
  if (symptomOnset === null || m.firstTrafficAt === null) return m.traffic;
  return m.firstTrafficAt >= symptomOnset - SURGE_LEAD_MS ? m.traffic : 0;
}

/** The first symptom of the story that counts towards paging, or null. */
function symptomOnsetOf(members: readonly ServiceEvidence[]): number | null {
  let onset: number | null = null;
  for (const m of members) if (m.firstSymptomAt !== null) onset = Math.min(onset ?? m.firstSymptomAt, m.firstSymptomAt);
  return onset;
}

/**
 * When a member's part in the story began: its first anomaly, leaving out what began too early to
 * belong to the symptoms that page (see SURGE_LEAD_MS): a morning ramp's demand, and the minor
 * symptoms it brings everywhere (CPU following it); never, if that is all it has.
 */
function onsetOf(m: ServiceEvidence, symptomOnset: number | null): number {
  const never = Number.POSITIVE_INFINITY;
  const demand = surgeTraffic(m, symptomOnset) > 0 ? (m.firstTrafficAt ?? never) : never;
  const first = m.firstNonTrafficAt ?? never;
  const any = symptomOnset === null || first >= symptomOnset - SURGE_LEAD_MS ? first : never;
  return Math.min(demand, any, m.firstSymptomAt ?? never);
}

/**
 * A surge, not a fault: demand anomalies dominate, or demand moved on most services involved, in
 * time to have driven the symptoms (see SURGE_LEAD_MS).
 */
export function isTrafficLed(members: readonly ServiceEvidence[]): boolean {
  const onset = symptomOnsetOf(members);
  const traffic = members.reduce((n, m) => n + surgeTraffic(m, onset), 0);
  const total = members.reduce((n, m) => n + m.count - m.traffic, 0) + traffic;
  // Demand moved on most of the services involved (at least three), or most anomalies are demand.
  const withTraffic = members.filter((m) => surgeTraffic(m, onset) > 0).length;
  return total > 0 && (traffic / total >= 0.4 || (withTraffic >= 3 && withTraffic * 2 >= members.length));
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

function list(names: readonly string[]): string {
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** "deployed 4 min before (payment-api 1.4.2, 04:56 UTC)": when, as the card's timeline shows it. */
function deployedBefore(reference: string, onsetMs: number): string {
  const { version, atMs } = readDeployReference(reference);
  if (atMs === null) return `deployed shortly before (${version})`;
  const minutes = Math.max(0, Math.round((onsetMs - atMs) / 60_000));
  return `deployed ${minutes < 1 ? 'less than a minute' : `${minutes} min`} before (${version}, ${hhmm(atMs)} UTC)`;
}

/**
 * `names`, saying which of them the config does not link and only the service graph (tracing, a
 * mesh) does: a responder who knows the configured map should know this link was measured.
 */
function listWithSource(names: readonly string[], linkedByConfig: (name: string) => boolean): string {
  const fromGraph = names.filter((n) => !linkedByConfig(n));
  if (fromGraph.length === 0) return list(names);
  if (fromGraph.length === names.length) return `${list(names)} (from the service graph)`;
  return `${list(names)} (${list(fromGraph)} from the service graph)`;
}

/**
 * The probable starting service: the earliest onset; among near-simultaneous onsets, the one the
 * others depend on (the deepest callee), then the one with most anomalies. The confidence rises with
 * a clear lead in time, a topology that explains the others, and a recent deploy. A hypothesis, not
 * a root cause: the reason says what it is based on.
 */
export function rankHypothesis(draft: IncidentDraft, topology: Topology): Hypothesis {
  const members = [...draft.members.values()];
  const others = (s: ServiceEvidence) => members.filter((m) => m.service !== s.service);
  // A fault in a callee shows up in its callers: the start is the callee the others depend on. A
  // traffic surge enters at an edge service and loads what it calls: the start is that caller.
  const traffic = isTrafficLed(members);
  const onset = symptomOnsetOf(members);
  const explained = (s: ServiceEvidence) =>
    others(s).filter((o) =>
      traffic
        ? dependsOnTransitively(topology, s.service, o.service)
        : dependsOnTransitively(topology, o.service, s.service),
    ).length;
  const startOf = new Map(members.map((m) => [m.service, onsetOf(m, onset)]));
  // firstAt when nothing but early demand is known, so that every member has a start.
  const start = (m: ServiceEvidence) => {
    const s = startOf.get(m.service) as number;
    return Number.isFinite(s) ? s : m.firstAt;
  };
  const late = (m: ServiceEvidence) => (Number.isFinite(startOf.get(m.service) as number) ? 0 : 1);
  const timely = members.filter((m) => late(m) === 0);
  const earliest = min((timely.length > 0 ? timely : members).map(start));
  const ranked = [...members].sort((a, b) => {
    if (traffic) {
      // A surge is told by where it entered, not by which service twitched first: the caller of
      // the most other anomalous services (with demand anomalies of its own) starts the story.
      const ta = surgeTraffic(a, onset) > 0 ? 1 : 0;
      const tb = surgeTraffic(b, onset) > 0 ? 1 : 0;
      if (ta !== tb) return tb - ta;
      if (explained(a) !== explained(b)) return explained(b) - explained(a);
      return start(a) - start(b) || compareText(a.service, b.service);
    }
    // Early demand alone says nothing of where a fault began.
    if (late(a) !== late(b)) return late(a) - late(b);
    const aEarly = start(a) - earliest < SIMULTANEOUS_MS ? 0 : 1;
    const bEarly = start(b) - earliest < SIMULTANEOUS_MS ? 0 : 1;
    if (aEarly !== bEarly) return aEarly - bEarly;
    if (aEarly === 0 && explained(a) !== explained(b)) return explained(b) - explained(a);
    if (start(a) !== start(b)) return start(a) - start(b);
    if (a.count !== b.count) return b.count - a.count;
    return compareText(a.service, b.service);
  });
  const top = ranked[0] as ServiceEvidence;
  const rest = ranked.slice(1);
  // The signals are all those of the service so far, not only the first: said apart from the time,
  // which must agree with the first time on the card's evidence.
  const parts = [`earliest anomaly (${hhmm(start(top))} UTC; anomalous signals: ${top.metrics.join(', ')})`];
  let confidence: number;
  if (rest.length === 0) {
    confidence = 0.5;
    parts.push('the only service affected so far');
  } else {
    confidence = 0.35;
    const nextOnset = min(rest.map(start));
    const leadMin = Math.round((nextOnset - start(top)) / 60_000);
    if (nextOnset - start(top) >= SIMULTANEOUS_MS) confidence += 0.2;
    const callers = rest
      .filter((r) =>
        traffic
          ? dependsOnTransitively(topology, top.service, r.service)
          : dependsOnTransitively(topology, r.service, top.service),
      )
      .map((r) => r.service);
    if (callers.length > 0 && traffic) {
      confidence += callers.length === rest.length ? 0.2 : 0.1;
      parts.push(
        `traffic entered here and loaded what it calls: ${listWithSource(callers, (c) => dependsOnTransitively(topology, top.service, c, true))} followed` +
          (leadMin >= 1 ? ` within ${Math.max(1, Math.round((max(rest.map(start)) - start(top)) / 60_000))} min` : ''),
      );
    } else if (callers.length > 0) {
      const callerList = listWithSource(callers, (c) => dependsOnTransitively(topology, c, top.service, true));
      confidence += callers.length === rest.length ? 0.2 : 0.1;
      parts.push(
        leadMin >= 1
          ? `its callers ${callerList} followed within ${Math.max(1, Math.round((max(rest.map(start)) - start(top)) / 60_000))} min`
          : `its callers ${callerList} are affected too`,
      );
    } else {
      parts.push(
        `${list(rest.map((r) => r.service))} ${leadMin >= 1 ? `followed ${leadMin} min later` : 'started at the same time'}`,
      );
    }
  }
  if (top.recentDeploy) {
    confidence += 0.1;
    parts.push(deployedBefore(top.recentDeploy, start(top)));
  }
  return {
    probable_starting_service: top.service,
    reason: `${top.service}: ${parts.join('; ')}.`,
    confidence: Math.min(0.95, Math.round(confidence * 100) / 100),
  };
}
