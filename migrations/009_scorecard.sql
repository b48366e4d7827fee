-- The feedback scorecard (issue 15): incidents that paged in a time window, for everyone or for one
-- team, read from an index instead of the whole table. opened_at is when an incident paged (its card
-- was due); incidents that never paged (below the evidence bar, suppressed, merged) have none.
CREATE INDEX incidents_paged ON incidents (opened_at) WHERE opened_at IS NOT NULL;
CREATE INDEX incidents_team_paged ON incidents (team, opened_at) WHERE opened_at IS NOT NULL;
