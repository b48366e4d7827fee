import type { DeployEvent, MaintenanceEvent, OpsEvent } from '../contracts/index.js';
import { dependsOnTransitively, type Topology } from '../correlation/topology.js';
import { type Silence, silenceTarget } from '../silences/silence.js';
// The reason is typed in Slack and ends up in the card's notes (mrkdwn): escaped, never a mention.
import { escapeMrkdwn } from '../slack/blocks/mrkdwn.js';
import { deployReference } from './deploy-reference.js';

/** How long after a deploy an anomaly counts as "shortly after a deploy" (evidence and ranking). */
export const RECENT_DEPLOY_MS = 30 * 60_000;

export interface Suppression {
  reason: string;
  /** A maintenance window (said on the card), as opposed to a deploy grace period. */
  maintenance: boolean;
}

/** Deploys and maintenance windows: what the intake and replays feed, what detection and paging read. */
export interface OpsCalendar {
  add(event: OpsEvent): void;
  /** The version deployed to the service within RECENT_DEPLOY_MS before `atMs`, and when (see deployReference). */
  recentDeploy(service: string, namespace: string, atMs: number): string | null;
  /**
   * Why an anomaly of this service at this time must not page, if it must not: a maintenance window
   * of the service or of a service it depends on (maintenance of a database explains its callers'
   * errors), or a deploy of the service within the grace period.
   */
  suppression(service: string, namespace: string, atMs: number, metricName?: string): Suppression | null;
  /**
   * A silence or maintenance window declared from Slack (stored in `silences`): maintenance acts as
   * a configured window; a silence holds only its own service or series, for exactly its time.
   */
  addSilence(silence: Silence): void;
  /** Someone removed it before its end: pages again from now on. */
  removeSilence(id: string): void;
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

export interface OpsCalendarOptions {
  topology: Topology;
  deployGraceMs: number;
  /** Recovery after a maintenance window: its effects do not page for this long after it ends. */
  maintenanceGraceMs: number;
}

export function createOpsCalendar(options: OpsCalendarOptions, initial: readonly OpsEvent[] = []): OpsCalendar {
  const deploys = new Map<string, Array<{ at: number; version: string }>>();
  /** namespace null: the service in any namespace (a Slack maintenance naming only a service). */
  const windows: Array<{
    service: string;
    namespace: string | null;
    from: number;
    to: number;
    reason: string;
    id?: string;
  }> = [];
  const silences = new Map<string, { silence: Silence; from: number; to: number }>();
  const key = (namespace: string, service: string) => `${namespace}/${service}`;

  function lastDeploy(service: string, namespace: string, atMs: number): { at: number; version: string } | null {
    const list = deploys.get(key(namespace, service));
    if (!list) return null;
    for (let i = list.length - 1; i >= 0; i -= 1) {
      const d = list[i] as { at: number; version: string };
      if (d.at <= atMs) return d;
    }
    return null;
  }

  const calendar: OpsCalendar = {
    add(event) {
      if (event.type === 'deploy') {
        const e = event as DeployEvent;
        const list = deploys.get(key(e.namespace, e.service)) ?? [];
        list.push({ at: Date.parse(e.timestamp), version: e.version || 'unknown version' });
        list.sort((a, b) => a.at - b.at);
        deploys.set(key(e.namespace, e.service), list);
      } else {
        const m = event as MaintenanceEvent;
        windows.push({
          service: m.service,
          namespace: m.namespace,
          from: Date.parse(m.starts_at),
          to: Date.parse(m.ends_at),
          reason: m.reason,
        });
      }
    },
    recentDeploy(service, namespace, atMs) {
      const d = lastDeploy(service, namespace, atMs);
      return d && atMs - d.at <= RECENT_DEPLOY_MS ? deployReference(d.version, d.at) : null;
    },
    addSilence(silence) {
      const from = Date.parse(silence.starts_at);
      const to = Date.parse(silence.ends_at);
      if (silence.kind === 'silence') {
        silences.set(silence.id, { silence, from, to });
        return;
      }
      if (windows.some((w) => w.id === silence.id)) return;
      const by = `declared by <@${silence.created_by}> as ${silence.id}`;
      windows.push({
        id: silence.id,
        service: silence.service,
        namespace: silence.namespace,
        from,
        to,
        reason: silence.reason ? `${escapeMrkdwn(silence.reason)}, ${by}` : by,
      });
    },
    removeSilence(id) {
      silences.delete(id);
      const at = windows.findIndex((w) => w.id === id);
      if (at >= 0) windows.splice(at, 1);
    },
    suppression(service, namespace, atMs, metricName) {
      // Few at a time (people declare them): a scan per anomaly, like the configured windows.
      for (const { silence: s, from, to } of silences.values()) {
        if (atMs < from || atMs > to || s.service !== service) continue;
        if (
          (s.namespace !== null && s.namespace !== namespace) ||
          (s.metric_name !== null && s.metric_name !== metricName)
        )
          continue;
        const why = s.reason ? `${escapeMrkdwn(s.reason)}, ` : '';
        return {
          reason: `silence ${s.id} of ${silenceTarget(s)} by <@${s.created_by}> (${why}${hhmm(from)}–${hhmm(to)} UTC)`,
          maintenance: true,
        };
      }
      for (const w of windows) {
        if (
          (w.namespace !== null && w.namespace !== namespace) ||
          atMs < w.from ||
          atMs > w.to + options.maintenanceGraceMs
        )
          continue;
        if (w.service === service || dependsOnTransitively(options.topology, service, w.service)) {
          const what = w.service === service ? w.service : `${w.service}, which ${service} depends on`;
          const recovering = atMs > w.to ? ', recovering' : '';
          return {
            reason: `maintenance of ${what} (${w.reason || 'no reason given'}, ${hhmm(w.from)}–${hhmm(w.to)} UTC${recovering})`,
            maintenance: true,
          };
        }
      }
      const d = lastDeploy(service, namespace, atMs);
      if (d && atMs - d.at <= options.deployGraceMs) {
        return { reason: `deploy grace period after ${d.version} at ${hhmm(d.at)} UTC`, maintenance: false };
      }
      return null;
    },
  };
  for (const e of initial) calendar.add(e);
  return calendar;
}
