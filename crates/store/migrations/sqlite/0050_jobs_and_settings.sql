-- The durable job queue (notifications by email and SMS, later SLA sweeps). A job is claimed by
-- a worker for a lease; a lease that runs out (the worker died) makes the job claimable again.
CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    run_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Due jobs in order, and jobs whose lease ran out.
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_leases ON jobs (state, locked_until);

-- Settings of the organisation that are not records, one JSON document per key (for example
-- the email and SMS channels, whose secrets are kept here and never shown back).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
