import { type OpsEvent, OpsEventSchema } from '../contracts/index.js';
import type { Db } from './open-database.js';

export interface OpsEventsRepo {
  /** Stores the event unless the same one is already there; true if it was new. */
  add(event: OpsEvent, source: string, receivedAt: string): boolean;
  all(): OpsEvent[];
  /** Deploys at, and maintenance windows overlapping, [fromIso, toIso] (a backtest's period). */
  between(fromIso: string, toIso: string): OpsEvent[];
}

export function createOpsEventsRepo(db: Db): OpsEventsRepo {
  const insert = db.prepare(`INSERT OR IGNORE INTO ops_events
    (type, service, namespace, version, at, starts_at, ends_at, reason, source, received_at)
    VALUES (@type, @service, @namespace, @version, @at, @starts_at, @ends_at, @reason, @source, @received_at)`);
  const all = db.prepare('SELECT * FROM ops_events ORDER BY id');
  const between = db.prepare(`SELECT * FROM ops_events
    WHERE (type = 'deploy' AND at BETWEEN @from AND @to) OR (type = 'maintenance' AND starts_at <= @to AND ends_at >= @from)
    ORDER BY id`);
  const toEvent = (r: Record<string, string | null>): OpsEvent =>
    OpsEventSchema.parse(
      r.type === 'deploy'
        ? { type: 'deploy', service: r.service, namespace: r.namespace, version: r.version ?? '', timestamp: r.at }
        : {
            type: 'maintenance',
            service: r.service,
            namespace: r.namespace,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            reason: r.reason ?? '',
          },
    );
  return {
    add(event, source, receivedAt) {
      const row =
        event.type === 'deploy'
          ? { version: event.version, at: event.timestamp, starts_at: null, ends_at: null, reason: null }
          : { version: null, at: null, starts_at: event.starts_at, ends_at: event.ends_at, reason: event.reason };
      return (
        insert.run({
          type: event.type,
          service: event.service,
          namespace: event.namespace,
          ...row,
          source,
          received_at: receivedAt,
        }).changes > 0
      );
    },
    all: () => (all.all() as Array<Record<string, string | null>>).map(toEvent),
    between: (from, to) => (between.all({ from, to }) as Array<Record<string, string | null>>).map(toEvent),
  };
}
