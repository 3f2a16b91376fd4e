-- While a case waits for the customer its service-level clocks stand still (issue 5 §4): the
-- moment it began waiting is kept here, and on resuming the due moments move later by the
-- working time of the wait.
ALTER TABLE cases ADD COLUMN sla_paused_at TIMESTAMPTZ;
