-- Delivery of incident cards to Slack: a post whose outcome is unknown, and why a card is late.

-- Set before a card is posted and cleared once Slack's answer is known. Still set on the next try
-- means the post went unanswered (timeout, crash) and Slack may have the card: Vigil looks for it in
-- the channel's history (it carries the incident id in its message metadata) before posting again.
ALTER TABLE incidents ADD COLUMN post_attempt_channel TEXT;
ALTER TABLE incidents ADD COLUMN post_attempt_at TEXT;
-- Why the card is not in Slack as it should be (rate limited until, not in the channel, ...), since
-- when; shown by /vigil status, cleared when Slack takes the card.
ALTER TABLE incidents ADD COLUMN late_reason TEXT;
ALTER TABLE incidents ADD COLUMN late_since TEXT;
