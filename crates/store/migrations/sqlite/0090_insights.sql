-- The in-app analytical CRM (issue 6): each recomputation is a run; its per-customer scores and
-- market basket rules are kept under the run's id, and the pages read the newest finished run,
-- so a run being written never disturbs what people see and a failed run leaves the last good
-- one in place. Amounts are whole Rials; probabilities are fractions 0–1.
CREATE TABLE insight_runs (
    id BLOB PRIMARY KEY,
    state TEXT NOT NULL,
    stage TEXT NOT NULL,
    progress INTEGER NOT NULL,
    trigger_kind TEXT NOT NULL,
    requested_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    error TEXT,
    summary TEXT
);
CREATE INDEX insight_runs_created ON insight_runs (created_at);
CREATE TABLE insight_scores (
    run_id BLOB NOT NULL REFERENCES insight_runs(id) ON DELETE CASCADE,
    customer_id BLOB NOT NULL,
    customer_kind TEXT NOT NULL,
    orders INTEGER NOT NULL,
    first_order TEXT NOT NULL,
    last_order TEXT NOT NULL,
    recency_days INTEGER NOT NULL,
    revenue BIGINT NOT NULL,
    margin BIGINT NOT NULL,
    cost_to_serve BIGINT NOT NULL,
    profit BIGINT NOT NULL,
    r INTEGER NOT NULL,
    f INTEGER NOT NULL,
    m INTEGER NOT NULL,
    segment TEXT NOT NULL,
    p_alive REAL,
    expected_purchases REAL,
    clv BIGINT NOT NULL,
    clv_base BIGINT NOT NULL,
    clv_growth BIGINT NOT NULL,
    clv_networking BIGINT NOT NULL,
    clv_learning BIGINT NOT NULL,
    referrals INTEGER NOT NULL,
    churn_probability REAL,
    churn_reasons TEXT NOT NULL,
    tier TEXT NOT NULL,
    cell TEXT NOT NULL,
    loyalty TEXT,
    PRIMARY KEY (run_id, customer_id)
);
CREATE INDEX insight_scores_customer ON insight_scores (customer_id);
CREATE INDEX insight_scores_clv ON insight_scores (run_id, clv, customer_id);
CREATE TABLE insight_rules (
    run_id BLOB NOT NULL REFERENCES insight_runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    antecedents TEXT NOT NULL,
    consequents TEXT NOT NULL,
    support REAL NOT NULL,
    confidence REAL NOT NULL,
    lift REAL NOT NULL,
    PRIMARY KEY (run_id, position)
);
-- Lines are read per invoice for the basket, and invoices per status for the orders.
CREATE INDEX invoices_status_date ON invoices (status, issue_date);
