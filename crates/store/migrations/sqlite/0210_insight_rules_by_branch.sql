-- Market basket rules per branch (issue 6): besides the company-wide rules, each run mines the
-- invoices of every branch's subtree (the branch and those below it), so the basket tab follows
-- the branch picker. A rule's `branch_id` names its branch; NULL is the company-wide set (every
-- rule written before this migration). `position` stays unique within the run: a set's rules
-- follow one another, highest lift first.
ALTER TABLE insight_rules ADD COLUMN branch_id BLOB;
CREATE INDEX insight_rules_branch ON insight_rules (run_id, branch_id, position);
-- One row per set a run mined: how many invoices (baskets) it was mined from, so a branch with
-- too few for rules is told apart from one whose invoices gave none.
CREATE TABLE insight_rule_sets (
    run_id BLOB NOT NULL REFERENCES insight_runs(id) ON DELETE CASCADE,
    branch_id BLOB,
    invoices BIGINT NOT NULL
);
CREATE UNIQUE INDEX insight_rule_sets_branch ON insight_rule_sets (run_id, branch_id);
