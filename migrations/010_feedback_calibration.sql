-- Feedback-driven calibration (issue 15, part 3): what people's labels did to each series' threshold.
-- 010, not 009: 009 is another branch's.

-- One row per series that has ever been labelled: its feedback multiplier on the tail probability
-- (1 - min_score) the alert-rate calibration sets, and up to which label it has been moved, so that
-- the same labels never move it twice. The label counts are a snapshot taken by the last
-- recalibration, so `/vigil explain` reads one row instead of scanning every label.
CREATE TABLE series_feedback (
  series_key TEXT PRIMARY KEY,
  -- < 1: stricter than the alert rate alone (noisy); > 1: looser (late). 1: feedback changed nothing.
  tail_factor REAL NOT NULL DEFAULT 1 CHECK (tail_factor > 0),
  -- created_at of the newest label the last change counted; labels up to it are spent. NULL: none yet.
  labels_through TEXT,
  -- JSON objects label → count: every current label of the series, and those newer than labels_through.
  labels_json TEXT NOT NULL DEFAULT '{}',
  pending_json TEXT NOT NULL DEFAULT '{}',
  counted_at TEXT NOT NULL
);

-- Every change feedback made, with the labels that justified it: thresholds must be auditable.
CREATE TABLE feedback_calibration_changes (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES recalibration_runs (id),
  series_key TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('raise', 'lower')),
  old_factor REAL NOT NULL,
  new_factor REAL NOT NULL,
  old_min_score REAL,
  new_min_score REAL NOT NULL,
  -- JSON: label → count of the labels counted, and the labels themselves
  -- ([{incident_id, slack_user, label, created_at}], the first 50).
  counts_json TEXT NOT NULL,
  labels_json TEXT NOT NULL,
  labels_through TEXT NOT NULL,
  reason TEXT NOT NULL,
  changed_at TEXT NOT NULL
);
CREATE INDEX feedback_calibration_changes_series ON feedback_calibration_changes (series_key, id);
