import type { DeployEvent, MaintenanceEvent, OpsEvent } from '../contracts/index.js';
import { dependsOnTransitively, type Topology } from '../correlation/topology.js';
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
  suppression(service: string, namespace: string, atMs: number): Suppression | null;
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
  const windows: Array<{ service: string; namespace: string; from: number; to: number; reason: string }> = [];
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
    suppression(service, namespace, atMs) {
      for (const w of windows) {
        if (w.namespace !== namespace || atMs < w.from || atMs > w.to + options.maintenanceGraceMs) continue;
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
