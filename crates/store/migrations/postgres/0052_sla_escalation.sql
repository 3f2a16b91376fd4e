-- Escalation of service-level breaches (issue 5): whom a target's breaches go to and whether the
-- case moves to them, and on each case when each clock's breach was escalated (once).
ALTER TABLE sla_targets ADD COLUMN escalate_to_id UUID REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE sla_targets ADD COLUMN reassign_on_breach BOOLEAN;
ALTER TABLE cases ADD COLUMN first_response_escalated_at TIMESTAMPTZ;
ALTER TABLE cases ADD COLUMN resolution_escalated_at TIMESTAMPTZ;
-- The sweep reads only the clocks still running and not yet escalated, by due moment, so its
-- work is the number of new breaches, not the number of cases.
CREATE INDEX cases_first_response_watch ON cases (first_response_due)
    WHERE first_response_at IS NULL AND first_response_escalated_at IS NULL
      AND resolved_at IS NULL AND closed_at IS NULL;
CREATE INDEX cases_resolution_watch ON cases (resolution_due)
    WHERE resolution_escalated_at IS NULL AND resolved_at IS NULL AND closed_at IS NULL;
