-- Customer classification (issue 4 §8). The class a recompute gave each account and contact: a
-- class name of the scheme an administrator set (kept in `settings` under `classification`),
-- matched by price lists' `customer_classes`. Users never write it.
ALTER TABLE accounts ADD COLUMN customer_class TEXT;
ALTER TABLE contacts ADD COLUMN customer_class TEXT;
-- Lists filtered by class, in their usual order, are served from one index each.
CREATE INDEX accounts_class_sort ON accounts (customer_class, sort_key, id);
CREATE INDEX contacts_class_sort ON contacts (customer_class, sort_key, id);
-- The measures of a period read only that period's invoices.
CREATE INDEX invoices_issue_date ON invoices (issue_date);

-- One row per recompute, asked for by an administrator or by the nightly schedule: its progress
-- while it runs (the page and the API poll it), then the number of customers per class and of
-- classes changed. It is the log of class changes: customers' audit trails are not flooded
-- with one entry each per night. The work itself is a job of the durable queue (`jobs`).
CREATE TABLE classification_runs (
    id BLOB PRIMARY KEY,
    origin TEXT NOT NULL,
    night TEXT,
    state TEXT NOT NULL,
    requested_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    counts TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
-- At most one nightly run per night, whichever process queues it first.
CREATE UNIQUE INDEX classification_runs_night ON classification_runs (night);
