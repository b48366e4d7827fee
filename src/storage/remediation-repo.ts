import type { RenderedParams } from '../remediation/render-action.js';
import type { Db } from './open-database.js';

export const LIVE_STATUSES = ['proposed', 'approved', 'executing'] as const;
export type RequestStatus =
  | (typeof LIVE_STATUSES)[number]
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'needs_attention';
export type Risk = 'low' | 'medium' | 'high';

export interface RemediationRequest {
  id: string;
  incident_id: string;
  action_id: string;
  kind: RenderedParams['kind'];
  target: string;
  params: RenderedParams;
  risk: Risk;
  status: RequestStatus;
  dry_run: boolean;
  idempotency_key: string;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  result: string | null;
  error: string | null;
  preview: string;
  slack: { channel: string; ts: string } | null;
}

export type NewRequest = Omit<
  RemediationRequest,
  'decided_by' | 'decided_at' | 'reason' | 'started_at' | 'finished_at' | 'duration_ms' | 'result' | 'error' | 'slack'
>;

export type TransitionFields = Partial<
  Pick<
    RemediationRequest,
    'decided_by' | 'decided_at' | 'reason' | 'started_at' | 'finished_at' | 'duration_ms' | 'result' | 'error'
  >
>;

export interface AuditEntry {
  seq: number;
  at: string;
  request_id: string | null;
  incident_id: string | null;
  action_id: string | null;
  target: string | null;
  actor: string;
  event: string;
  params_json: string | null;
  outcome: string;
}

export interface RemediationRepo {
  /** Stores a new request; returns the live request for the same action and target instead if there is one. */
  insert(request: NewRequest): { created: boolean; request: RemediationRequest };
  get(id: string): RemediationRequest | undefined;
  /** The proposed, approved or executing request for this action and target, if any. */
  liveFor(actionId: string, target: string): RemediationRequest | undefined;
  forIncident(incidentId: string): RemediationRequest[];
  withStatus(status: RequestStatus): RemediationRequest[];
  /**
   * Moves a request from one of `from` to `to`, setting `fields`, only if it still is in `from`:
   * true if this call made the move. The store decides who wins a race, not the caller's memory.
   */
  transition(id: string, from: readonly RequestStatus[], to: RequestStatus, fields?: TransitionFields): boolean;
  setMessage(id: string, channel: string, ts: string): void;
  /** When the action last started on this target for real (dry runs do not count). */
  lastStart(actionId: string, target: string): string | null;
  /** Real executions started at or after `since`, all actions. */
  startsSince(since: string): number;
  /** Outcomes of the action's last real executions, newest first. */
  recentOutcomes(actionId: string, limit: number): Array<{ status: RequestStatus; finished_at: string | null }>;
  countByStatus(): Record<string, number>;
  audit(entry: Omit<AuditEntry, 'seq'>): void;
  auditLog(options: { limit: number; incidentId?: string }): AuditEntry[];
  /** Runs `work` in one transaction (checks and the claim that follows them). */
  atomically<T>(work: () => T): T;
}

interface Row extends Omit<RemediationRequest, 'params' | 'dry_run' | 'slack'> {
  params_json: string;
  dry_run: number;
  slack_channel: string | null;
  slack_ts: string | null;
}

function fromRow(row: Row): RemediationRequest {
  const { params_json, dry_run, slack_channel, slack_ts, ...rest } = row;
  return {
    ...rest,
    params: JSON.parse(params_json) as RenderedParams,
    dry_run: dry_run === 1,
    slack: slack_channel && slack_ts ? { channel: slack_channel, ts: slack_ts } : null,
  };
}

const TRANSITION_COLUMNS = [
  'decided_by',
  'decided_at',
  'reason',
  'started_at',
  'finished_at',
  'duration_ms',
  'result',
  'error',
] as const;

export function createRemediationRepo(db: Db): RemediationRepo {
  const insert = db.prepare(`INSERT INTO remediation_requests
    (id, incident_id, action_id, kind, target, params_json, risk, status, dry_run, idempotency_key,
     requested_by, requested_at, expires_at, preview)
    VALUES (@id, @incident_id, @action_id, @kind, @target, @params_json, @risk, @status, @dry_run,
     @idempotency_key, @requested_by, @requested_at, @expires_at, @preview)
    ON CONFLICT DO NOTHING`);
  const get = db.prepare('SELECT * FROM remediation_requests WHERE id = ?');
  const live = db.prepare(
    `SELECT * FROM remediation_requests WHERE action_id = ? AND target = ? AND status IN ('proposed', 'approved', 'executing')`,
  );
  const forIncident = db.prepare(
    'SELECT * FROM remediation_requests WHERE incident_id = ? ORDER BY requested_at, rowid',
  );
  const withStatus = db.prepare('SELECT * FROM remediation_requests WHERE status = ? ORDER BY requested_at, rowid');
  const setMessage = db.prepare('UPDATE remediation_requests SET slack_channel = ?, slack_ts = ? WHERE id = ?');
  const lastStart = db.prepare(
    'SELECT MAX(started_at) AS at FROM remediation_requests WHERE action_id = ? AND target = ? AND dry_run = 0 AND started_at IS NOT NULL',
  );
  const startsSince = db.prepare(
    'SELECT COUNT(*) AS n FROM remediation_requests WHERE dry_run = 0 AND started_at >= ?',
  );
  const recentOutcomes = db.prepare(
    `SELECT status, finished_at FROM remediation_requests
     WHERE action_id = ? AND dry_run = 0 AND status IN ('succeeded', 'failed', 'needs_attention')
     ORDER BY started_at DESC LIMIT ?`,
  );
  const audit = db.prepare(`INSERT INTO remediation_audit
    (at, request_id, incident_id, action_id, target, actor, event, params_json, outcome)
    VALUES (@at, @request_id, @incident_id, @action_id, @target, @actor, @event, @params_json, @outcome)`);
  const auditAll = db.prepare('SELECT * FROM remediation_audit ORDER BY seq DESC LIMIT ?');
  const auditIncident = db.prepare('SELECT * FROM remediation_audit WHERE incident_id = ? ORDER BY seq DESC LIMIT ?');
  const countByStatus = db.prepare('SELECT status, COUNT(*) AS n FROM remediation_requests GROUP BY status');
  const transitions = new Map<string, ReturnType<Db['prepare']>>();

  return {
    insert(request) {
      const { params, dry_run, ...rest } = request;
      const created =
        insert.run({ ...rest, params_json: JSON.stringify(params), dry_run: dry_run ? 1 : 0 }).changes > 0;
      const stored = created
        ? (get.get(request.id) as Row)
        : ((live.get(request.action_id, request.target) as Row | undefined) ?? (get.get(request.id) as Row));
      return { created, request: fromRow(stored) };
    },
    get: (id) => {
      const row = get.get(id) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    liveFor: (actionId, target) => {
      const row = live.get(actionId, target) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    forIncident: (incidentId) => (forIncident.all(incidentId) as Row[]).map(fromRow),
    withStatus: (status) => (withStatus.all(status) as Row[]).map(fromRow),
    transition(id, from, to, fields = {}) {
      const columns = TRANSITION_COLUMNS.filter((c) => fields[c] !== undefined);
      const key = `${from.join(',')}|${columns.join(',')}`;
      let statement = transitions.get(key);
      if (!statement) {
        statement = db.prepare(
          `UPDATE remediation_requests SET status = @to${columns.map((c) => `, ${c} = @${c}`).join('')}
           WHERE id = @id AND status IN (${from.map((_, i) => `@from${i}`).join(', ')})`,
        );
        transitions.set(key, statement);
      }
      const values: Record<string, unknown> = { id, to };
      from.forEach((status, i) => {
        values[`from${i}`] = status;
      });
      for (const c of columns) values[c] = fields[c];
      return statement.run(values).changes === 1;
    },
    setMessage: (id, channel, ts) => {
      setMessage.run(channel, ts, id);
    },
    lastStart: (actionId, target) => (lastStart.get(actionId, target) as { at: string | null }).at,
    startsSince: (since) => (startsSince.get(since) as { n: number }).n,
    recentOutcomes: (actionId, limit) =>
      recentOutcomes.all(actionId, limit) as Array<{ status: RequestStatus; finished_at: string | null }>,
    countByStatus: () =>
      Object.fromEntries((countByStatus.all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n])),
    audit: (entry) => {
      audit.run(entry);
    },
    auditLog: ({ limit, incidentId }) =>
      (incidentId ? auditIncident.all(incidentId, limit) : auditAll.all(limit)) as AuditEntry[],
    atomically: (work) => db.transaction(work)(),
  };
}
