-- Silences and maintenance windows declared from Slack (/vigil silence, /vigil maintenance): like
-- config maintenance windows they suppress paging, not recording. Kept here so a restart keeps them.
CREATE TABLE silences (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('silence', 'maintenance')),
  service TEXT NOT NULL,
  -- NULL: the service in any namespace.
  namespace TEXT,
  -- NULL: every metric of the service; set: one series (namespace/service/metric).
  metric_name TEXT,
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- Set when someone removed it before its end (by id or from the Remove button).
  removed_by TEXT,
  removed_at TEXT,
  CHECK (ends_at > starts_at)
);
-- What is in force or still ahead: read by /vigil silences, the Home tab and the detection thread.
CREATE INDEX silences_live ON silences (ends_at) WHERE removed_at IS NULL;
