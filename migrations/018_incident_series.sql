-- Per incident and series, what its card and thread read (src/storage/incident-series.ts keeps it as
-- anomalies are linked): the card's evidence, timeline and "new series" reply read a row per series
-- instead of sorting every anomaly of the incident (a long outage is thousands) on the thread that
-- acks Slack. A database from before this migration is filled the first time it is opened.
CREATE TABLE incident_series (
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  series_key TEXT NOT NULL,
  service TEXT NOT NULL,
  metric_name TEXT NOT NULL,
  count INTEGER NOT NULL,
  -- Its first anomaly: the earliest (ties: the smaller id).
  first_at TEXT NOT NULL,
  first_id TEXT NOT NULL,
  last_at TEXT NOT NULL,
  -- Its strongest anomaly, ties to the latest (then the smaller id): the card's evidence.
  top_id TEXT NOT NULL,
  top_score REAL NOT NULL,
  top_at TEXT NOT NULL,
  -- Its strongest anomaly, ties to the earliest (then the smaller id): how the thread introduces it.
  early_top_id TEXT NOT NULL,
  early_top_at TEXT NOT NULL,
  -- 1 once one of its anomalies was told in the card's thread.
  told INTEGER NOT NULL,
  PRIMARY KEY (incident_id, series_key)
);
CREATE INDEX incident_series_strongest ON incident_series (incident_id, top_score DESC, series_key);
-- What is not told yet in a card's thread, read every cycle the card is published: a seek, not a
-- walk through every link of a long incident.
CREATE INDEX incident_anomalies_untold ON incident_anomalies (incident_id) WHERE announced = 0;
