-- Alerts received from Alertmanager's webhook (POST /alertmanager). Alertmanager re-sends an alert
-- on every group update and retry: one row per alert, identified as Alertmanager does by its
-- fingerprint and the start of its firing (a rule that fires again later is a new alert).
CREATE TABLE alertmanager_alerts (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  -- Set by the first resolved notification; NULL while firing.
  ends_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  alertname TEXT NOT NULL,
  -- NULL: no label named a service (recorded only, never correlated).
  service TEXT,
  namespace TEXT NOT NULL,
  severity TEXT,
  summary TEXT,
  labels_json TEXT NOT NULL,
  annotations_json TEXT NOT NULL,
  generator_url TEXT,
  receiver TEXT NOT NULL,
  received_at TEXT NOT NULL,
  -- The latest notification that carried it: Alertmanager re-sends a firing alert every
  -- repeat_interval, so one neither re-sent nor resolved for long is taken as gone.
  last_seen_at TEXT NOT NULL,
  resolved_received_at TEXT,
  -- The anomaly event it becomes in correlation (anomalies.id).
  anomaly_id TEXT NOT NULL,
  -- 1 until the detection cycle has folded it into correlation: what the cycle reads, only after
  -- the intake said something arrived.
  to_correlate INTEGER NOT NULL DEFAULT 0 CHECK (to_correlate IN (0, 1)),
  UNIQUE (fingerprint, starts_at)
);
CREATE INDEX alertmanager_alerts_to_correlate ON alertmanager_alerts (id) WHERE to_correlate = 1;
-- Whether an incident's alerts still fire (its quiet resolution waits for them).
CREATE INDEX alertmanager_alerts_firing ON alertmanager_alerts (anomaly_id) WHERE ends_at IS NULL;
