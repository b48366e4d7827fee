-- Counts and short lists for /vigil status, /vigil incidents and /metrics, answered from an index
-- instead of reading every incident: a reply must be cheap even with hundreds open (issue 12).

-- Open and acknowledged incidents with a card, newest first: their count and the first page of
-- /vigil incidents are read from this index alone. The WHERE is the one the repo's queries use,
-- word for word: SQLite only picks a partial index whose condition appears in the query.
CREATE INDEX incidents_active ON incidents (created_at DESC, id)
  WHERE status IN ('open', 'acknowledged') AND pending = 0;

-- Late cards, longest late first (/vigil status shows a few and counts the rest).
CREATE INDEX incidents_late ON incidents (late_since, id) WHERE late_reason IS NOT NULL;
