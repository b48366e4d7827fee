-- Detection state that survives restarts, and the audit trail of batch recalibration.

-- One row per series: its detectors' state (windows, seasonal profile, calibration), as JSON.
CREATE TABLE detector_state (
  series_key TEXT PRIMARY KEY,
  metric_name TEXT NOT NULL,
  state_json TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The current per-series alert calibration set by the batch job.
CREATE TABLE series_calibration (
  series_key TEXT PRIMARY KEY,
  min_score REAL NOT NULL CHECK (min_score >= 0 AND min_score <= 1),
  updated_at TEXT NOT NULL
);

-- Every change the batch job made, old → new and why: thresholds must be auditable.
CREATE TABLE calibration_changes (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES recalibration_runs (id),
  series_key TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value REAL,
  new_value REAL NOT NULL,
  reason TEXT NOT NULL,
  changed_at TEXT NOT NULL
);
CREATE INDEX calibration_changes_series ON calibration_changes (series_key, changed_at);

CREATE TABLE recalibration_runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  series INTEGER NOT NULL DEFAULT 0,
  changes INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
