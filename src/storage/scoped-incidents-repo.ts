import type { Db } from './open-database.js';

/** What a backtest covers: one signal (all its services) or one service (all signals). */
export type BacktestScope = { kind: 'signal'; signal: string } | { kind: 'service'; service: string };

export interface ScopedIncidentsRepo {
  /**
   * Incidents that paged (got a card) with an anomaly in the scope between fromIso and toIso,
   * oldest first, at most `limit`: read through anomalies_metric_ts / anomalies_service_ts.
   */
  pagedIds(scope: BacktestScope, fromIso: string, toIso: string, limit: number): string[];
}

export function createScopedIncidentsRepo(db: Db): ScopedIncidentsRepo {
  const select = (column: 'metric_name' | 'service') =>
    db.prepare(`SELECT i.id AS id FROM incidents i
      WHERE i.opened_at IS NOT NULL AND i.pending = 0 AND i.id IN (
        SELECT ia.incident_id FROM anomalies a JOIN incident_anomalies ia ON ia.anomaly_id = a.id
        WHERE a.${column} = @name AND a.ts BETWEEN @from AND @to)
      ORDER BY i.opened_at, i.id LIMIT @limit`);
  const bySignal = select('metric_name');
  const byService = select('service');
  return {
    pagedIds(scope, from, to, limit) {
      const statement = scope.kind === 'signal' ? bySignal : byService;
      const name = scope.kind === 'signal' ? scope.signal : scope.service;
      return (statement.all({ name, from, to, limit }) as Array<{ id: string }>).map((r) => r.id);
    },
  };
}
