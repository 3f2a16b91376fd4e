-- The in-app analytical CRM (issue 6): each recomputation is a run; its per-customer scores and
-- market basket rules are kept under the run's id, and the pages read the newest finished run,
-- so a run being written never disturbs what people see and a failed run leaves the last good
-- one in place. Amounts are whole Rials; probabilities are fractions 0–1.
CREATE TABLE insight_runs (
    id UUID PRIMARY KEY,
    state TEXT NOT NULL,
    stage TEXT NOT NULL,
    progress BIGINT NOT NULL,
    trigger_kind TEXT NOT NULL,
    requested_by UUID REFERENCES users(id) ON DELETE SET NULL,
    as_of DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    error TEXT,
    summary TEXT
);
CREATE INDEX insight_runs_created ON insight_runs (created_at);
CREATE TABLE insight_scores (
    run_id UUID NOT NULL REFERENCES insight_runs(id) ON DELETE CASCADE,
    customer_id UUID NOT NULL,
    customer_kind TEXT NOT NULL,
    orders BIGINT NOT NULL,
    first_order DATE NOT NULL,
    last_order DATE NOT NULL,
    recency_days BIGINT NOT NULL,
    revenue BIGINT NOT NULL,
    margin BIGINT NOT NULL,
    cost_to_serve BIGINT NOT NULL,
    profit BIGINT NOT NULL,
    r BIGINT NOT NULL,
    f BIGINT NOT NULL,
    m BIGINT NOT NULL,
    segment TEXT NOT NULL,
    p_alive DOUBLE PRECISION,
    expected_purchases DOUBLE PRECISION,
    clv BIGINT NOT NULL,
    clv_base BIGINT NOT NULL,
    clv_growth BIGINT NOT NULL,
    clv_networking BIGINT NOT NULL,
    clv_learning BIGINT NOT NULL,
    referrals BIGINT NOT NULL,
    churn_probability DOUBLE PRECISION,
    churn_reasons TEXT NOT NULL,
    tier TEXT NOT NULL,
    cell TEXT NOT NULL,
    loyalty TEXT,
    PRIMARY KEY (run_id, customer_id)
);
CREATE INDEX insight_scores_customer ON insight_scores (customer_id);
CREATE INDEX insight_scores_clv ON insight_scores (run_id, clv, customer_id);
CREATE TABLE insight_rules (
    run_id UUID NOT NULL REFERENCES insight_runs(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    antecedents TEXT NOT NULL,
    consequents TEXT NOT NULL,
    support DOUBLE PRECISION NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    lift DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, position)
);
-- Lines are read per invoice for the basket, and invoices per status for the orders.
CREATE INDEX invoices_status_date ON invoices (status, issue_date);
