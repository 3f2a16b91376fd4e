-- The audit trail is only ever read per record, newest first, and appended to on every change.
-- Stored as a WITHOUT ROWID table clustered on (record_kind, record_id, at, id), each entry is
-- one B-tree insert instead of three (the table, its id index, its per-record index).
CREATE TABLE audit_log_clustered (
    id BLOB NOT NULL,
    record_kind TEXT NOT NULL,
    record_id BLOB NOT NULL,
    action TEXT NOT NULL,
    actor_id BLOB,
    at TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (record_kind, record_id, at, id)
) WITHOUT ROWID;
INSERT INTO audit_log_clustered (id, record_kind, record_id, action, actor_id, at, changes)
    SELECT id, record_kind, record_id, action, actor_id, at, changes FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_clustered RENAME TO audit_log;
