-- Detector state as bytes (src/detection/series-state-blob.ts): a series' typed arrays copied as
-- they are, saved a share of the series per cycle (src/pipeline/create-state-checkpoints.ts).
-- 007, not 006: 006_incident_summaries.sql is another branch's.
CREATE TABLE series_state (
  series_key TEXT PRIMARY KEY,
  identity_json TEXT NOT NULL,
  state BLOB NOT NULL,
  -- The series' last point in the state, ms since the epoch.
  last_ts INTEGER NOT NULL,
  saved_at TEXT NOT NULL
);

-- The JSON rows of 002 are dropped, not converted: the fused detector reads only its own bytes (one
-- representation, no second restore path kept for a one-off), and that JSON could not continue a
-- series exactly anyway (it lost which detectors were mid-episode). What the upgrade forgets comes
-- back by itself: the windows from the first cycle's warm-up fetch, the seasonal profiles from the
-- next recalibration, the score calibration as points arrive; min_score (series_calibration) stays.
DROP TABLE detector_state;
