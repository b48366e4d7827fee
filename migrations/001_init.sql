-- Vigil's first schema: anomalies, incidents (with their Slack message), links, feedback, cycles.
-- Times are ISO-8601 UTC text (sortable); JSON columns hold arrays/objects validated by src/contracts.

CREATE TABLE anomalies (
  id TEXT PRIMARY KEY,
  series_key TEXT NOT NULL,
  service TEXT NOT NULL,
  namespace TEXT NOT NULL,
  metric_name TEXT NOT NULL,
  detector TEXT NOT NULL,
  ts TEXT NOT NULL,
  value REAL NOT NULL,
  expected REAL NOT NULL,
  lower_bound REAL NOT NULL,
  upper_bound REAL NOT NULL,
  score REAL NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
  event_json TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX anomalies_ts ON anomalies (ts);
CREATE INDEX anomalies_service_ts ON anomalies (service, ts);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved', 'suppressed')),
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'warning')),
  namespace TEXT NOT NULL,
  team TEXT NOT NULL,
  channel TEXT NOT NULL,
  services_json TEXT NOT NULL,
  hypothesis_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_anomaly_at TEXT NOT NULL,
  resolved_at TEXT,
  slack_channel TEXT,
  slack_ts TEXT,
  -- Hash of the last card Slack accepted: a change is published only when the card differs.
  published_hash TEXT
);
CREATE INDEX incidents_status ON incidents (status);
CREATE UNIQUE INDEX incidents_slack_message ON incidents (slack_channel, slack_ts) WHERE slack_ts IS NOT NULL;

CREATE TABLE incident_anomalies (
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  anomaly_id TEXT NOT NULL REFERENCES anomalies (id) ON DELETE CASCADE,
  -- Whether this anomaly has been told in the card's thread yet.
  announced INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (incident_id, anomaly_id)
);
CREATE INDEX incident_anomalies_anomaly ON incident_anomalies (anomaly_id);

CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  slack_user TEXT NOT NULL,
  label TEXT NOT NULL CHECK (label IN ('useful', 'noisy', 'late', 'duplicate', 'wrong_cause')),
  source TEXT NOT NULL CHECK (source IN ('reaction', 'button')),
  created_at TEXT NOT NULL,
  UNIQUE (incident_id, slack_user, label, source)
);

CREATE TABLE detection_cycles (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  series_scored INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  anomalies INTEGER NOT NULL,
  incidents_opened INTEGER NOT NULL,
  incidents_updated INTEGER NOT NULL,
  errors_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'failed'))
);
