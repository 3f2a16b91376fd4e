-- Tagging customers from the analytics' results (issue 6): a tagging adds a tag to every
-- customer of a filtered list of the newest run (the retention list, an RFM segment, a loyalty
-- class, a tier or cell) that its requester may update. It runs as a job of the durable queue
-- with progress; a nightly tagging is done again after every recomputation, so the tag follows
-- the newest scores. `filters` is the list's query as JSON.
CREATE TABLE insight_taggings (
    id BLOB PRIMARY KEY,
    tag TEXT NOT NULL,
    filters TEXT NOT NULL,
    requested_by BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    nightly INTEGER NOT NULL,
    state TEXT NOT NULL,
    progress INTEGER NOT NULL,
    tagged INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    error TEXT
);
CREATE INDEX insight_taggings_created ON insight_taggings (created_at);
