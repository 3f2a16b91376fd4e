-- Duplicate matching (issue 3): the block keys of every customer record (domain::duplicate),
-- so that the possible duplicates of a record are found with one indexed lookup per key and
-- the duplicate report groups on this table instead of loading every record. `kind` is a small
-- number fixed by the application (1 accounts, 2 contacts, 3 leads); `block_key` is the stable
-- 64-bit hash as a signed integer. Clustered on (kind, block_key, record_id), so a record's keys
-- cost one B-tree insert each and nothing else.
CREATE TABLE match_keys (
    kind INTEGER NOT NULL,
    block_key INTEGER NOT NULL,
    record_id BLOB NOT NULL,
    PRIMARY KEY (kind, block_key, record_id)
) WITHOUT ROWID;
-- Which kinds' keys have been computed for every record (filled by the application at start,
-- for records written before this table existed).
CREATE TABLE match_keys_built (
    kind INTEGER PRIMARY KEY
);
