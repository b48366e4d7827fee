-- Remediation requests and their audit log. A request is stored before anything runs; its status
-- only moves forward, by conditional updates, so a double click or a retried interaction cannot run
-- an action twice.

CREATE TABLE remediation_requests (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  action_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  -- The service the action targets (one of the incident's services).
  target TEXT NOT NULL,
  -- Parameters as rendered from config when requested: exactly what runs.
  params_json TEXT NOT NULL,
  risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
  status TEXT NOT NULL CHECK (status IN (
    'proposed', 'approved', 'executing', 'succeeded', 'failed', 'rejected', 'expired', 'needs_attention')),
  dry_run INTEGER NOT NULL,
  -- incident/action/target: at most one live request per action and target (see the index below).
  idempotency_key TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  reason TEXT,
  started_at TEXT,
  finished_at TEXT,
  duration_ms INTEGER,
  result TEXT,
  error TEXT,
  preview TEXT NOT NULL,
  slack_channel TEXT,
  slack_ts TEXT
);
-- One live request per action and target, whichever incident asks: two clicks, one request.
CREATE UNIQUE INDEX remediation_requests_live
  ON remediation_requests (action_id, target) WHERE status IN ('proposed', 'approved', 'executing');
CREATE INDEX remediation_requests_incident ON remediation_requests (incident_id, requested_at);
CREATE INDEX remediation_requests_started ON remediation_requests (started_at) WHERE started_at IS NOT NULL;

-- Append-only: every request, decision, refusal, execution and result, with who and when.
CREATE TABLE remediation_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  request_id TEXT,
  incident_id TEXT,
  action_id TEXT,
  target TEXT,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  params_json TEXT,
  outcome TEXT NOT NULL DEFAULT ''
);
CREATE INDEX remediation_audit_incident ON remediation_audit (incident_id, seq);
CREATE TRIGGER remediation_audit_no_update BEFORE UPDATE ON remediation_audit
BEGIN
  SELECT RAISE(ABORT, 'remediation_audit is append-only');
END;
CREATE TRIGGER remediation_audit_no_delete BEFORE DELETE ON remediation_audit
BEGIN
  SELECT RAISE(ABORT, 'remediation_audit is append-only');
END;
