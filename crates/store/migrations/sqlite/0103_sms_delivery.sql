-- Delivery reports of sent SMS (issue 5 §5): the gateway's id of each message a job sent, where
-- the gateway last said it was (pending, delivered, failed, unknown) and when it was asked. The
-- worker asks only about pending ones, read through a partial index.
ALTER TABLE jobs ADD COLUMN provider_id TEXT;
ALTER TABLE jobs ADD COLUMN delivery TEXT;
ALTER TABLE jobs ADD COLUMN delivery_checked_at TEXT;
CREATE INDEX jobs_delivery_watch ON jobs (delivery_checked_at) WHERE delivery = 'pending';
