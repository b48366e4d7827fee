-- Shadow (challenger) detectors (issue 15, part 5). A challenger scores the same stream as the
-- champion every tick and never pages: what it would have opened is kept here, apart from the
-- champion's incidents and anomalies, which it never touches.

-- One row per incident the challenger would have opened (paged), updated while it grows.
CREATE TABLE shadow_incidents (
  id TEXT PRIMARY KEY,
  challenger TEXT NOT NULL,
  namespace TEXT NOT NULL,
  -- When it would have paged (the cycle's time), its first anomaly, its latest anomaly that counts.
  opened_at TEXT NOT NULL,
  onset_at TEXT NOT NULL,
  last_anomaly_at TEXT NOT NULL,
  resolved_at TEXT,
  -- JSON arrays of strings (series: the first 200).
  services_json TEXT NOT NULL,
  series_json TEXT NOT NULL,
  detectors_json TEXT NOT NULL,
  anomalies INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX shadow_incidents_opened ON shadow_incidents (challenger, opened_at);

-- /vigil shadow reads the champion's pages of a window by when they opened, from this index.
CREATE INDEX IF NOT EXISTS incidents_opened_at ON incidents (opened_at) WHERE opened_at IS NOT NULL;

-- Each champion a start-up found configured, when it differed from the one before (the first start
-- records the first champion): time, from → to, the settings it changed, and whether the new one ran
-- as a challenger first (a promotion).
CREATE TABLE champion_changes (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  from_name TEXT,
  to_name TEXT NOT NULL,
  settings_json TEXT NOT NULL,
  -- {"setting": [old, new], ...}; {} for the first champion.
  diff_json TEXT NOT NULL,
  was_challenger INTEGER NOT NULL
);

-- Challengers a start-up found configured, with their overrides (to tell a promotion from a rename).
CREATE TABLE shadow_challengers (
  name TEXT PRIMARY KEY,
  overrides_json TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
);
