-- Incident lifecycle: evidence threshold, suppression, links between stories, transitions with
-- who and why; deploy and maintenance events from the intake.

-- 1 while an incident has not met the evidence bar (e.g. a single one-sample blip): recorded, no card.
ALTER TABLE incidents ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
-- When it became visible (its card was due); created_at is when its first anomaly was recorded.
ALTER TABLE incidents ADD COLUMN opened_at TEXT;
-- Why it does not page (maintenance window, deploy grace), if it is suppressed.
ALTER TABLE incidents ADD COLUMN suppression_reason TEXT;
-- Maintenance windows it overlapped, said on the card.
ALTER TABLE incidents ADD COLUMN notes_json TEXT NOT NULL DEFAULT '[]';
-- A resolved incident never absorbs new anomalies: the new story links to the old one.
ALTER TABLE incidents ADD COLUMN previous_incident_id TEXT REFERENCES incidents (id);

CREATE TABLE incident_transitions (
  id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX incident_transitions_incident ON incident_transitions (incident_id, id);

CREATE TABLE ops_events (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('deploy', 'maintenance')),
  service TEXT NOT NULL,
  namespace TEXT NOT NULL,
  version TEXT,
  at TEXT,
  starts_at TEXT,
  ends_at TEXT,
  reason TEXT,
  source TEXT NOT NULL,
  received_at TEXT NOT NULL
);
-- The same event sent twice (a retried webhook) is stored once.
CREATE UNIQUE INDEX ops_events_identity
  ON ops_events (type, service, namespace, COALESCE(at, ''), COALESCE(starts_at, ''), COALESCE(ends_at, ''));

-- Whether an anomaly fell in a maintenance window or deploy grace period: it is recorded with the
-- incident but does not make it page.
ALTER TABLE incident_anomalies ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
