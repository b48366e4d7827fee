-- Feedback labels (issue 15): one current label per person per incident. Changing it replaces it;
-- taking the reaction back removes it. Each label keeps what it judged: the detectors and series
-- behind the incident when it was given, so a label still counts for the right series after the
-- incident's anomalies are pruned.
CREATE TABLE feedback_labels (
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  slack_user TEXT NOT NULL,
  label TEXT NOT NULL CHECK (label IN ('useful', 'noisy', 'late', 'duplicate', 'wrong_start', 'expected')),
  source TEXT NOT NULL CHECK (source IN ('reaction', 'menu')),
  created_at TEXT NOT NULL,
  -- JSON arrays of strings.
  detectors TEXT NOT NULL DEFAULT '[]',
  series TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (incident_id, slack_user)
);

-- The old table allowed several labels per person; the newest one is the current one.
INSERT INTO feedback_labels (incident_id, slack_user, label, source, created_at, detectors, series)
SELECT f.incident_id, f.slack_user,
  CASE f.label WHEN 'wrong_cause' THEN 'wrong_start' ELSE f.label END,
  CASE f.source WHEN 'button' THEN 'menu' ELSE f.source END,
  f.created_at,
  COALESCE((SELECT json_group_array(DISTINCT a.detector) FROM incident_anomalies ia
    JOIN anomalies a ON a.id = ia.anomaly_id WHERE ia.incident_id = f.incident_id), '[]'),
  COALESCE((SELECT json_group_array(DISTINCT a.series_key) FROM incident_anomalies ia
    JOIN anomalies a ON a.id = ia.anomaly_id WHERE ia.incident_id = f.incident_id), '[]')
FROM feedback f
WHERE f.id = (SELECT MAX(g.id) FROM feedback g WHERE g.incident_id = f.incident_id AND g.slack_user = f.slack_user);

DROP TABLE feedback;
ALTER TABLE feedback_labels RENAME TO feedback;
CREATE INDEX feedback_created ON feedback (created_at);
