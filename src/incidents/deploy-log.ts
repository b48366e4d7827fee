import type { DeployEvent } from '../contracts/index.js';

/** How long after a deploy an anomaly counts as "shortly after a deploy". */
export const RECENT_DEPLOY_MS = 30 * 60_000;

export interface DeployLog {
  add(event: DeployEvent): void;
  /** The version deployed to the service within RECENT_DEPLOY_MS before `atMs`, if any. */
  recentDeploy(service: string, namespace: string, atMs: number): string | null;
}

export function createDeployLog(initial: readonly DeployEvent[] = []): DeployLog {
  const byService = new Map<string, Array<{ at: number; version: string }>>();
  const log: DeployLog = {
    add(event) {
      const key = `${event.namespace}/${event.service}`;
      const list = byService.get(key) ?? [];
      list.push({ at: Date.parse(event.timestamp), version: event.version || 'unknown version' });
      list.sort((a, b) => a.at - b.at);
      byService.set(key, list);
    },
    recentDeploy(service, namespace, atMs) {
      const list = byService.get(`${namespace}/${service}`);
      if (!list) return null;
      for (let i = list.length - 1; i >= 0; i -= 1) {
        const d = list[i] as { at: number; version: string };
        if (d.at > atMs) continue;
        return atMs - d.at <= RECENT_DEPLOY_MS ? d.version : null;
      }
      return null;
    },
  };
  for (const e of initial) log.add(e);
  return log;
}
