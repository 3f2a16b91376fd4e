-- Duplicate-match keys move from the clustered table `match_keys` to a full-text index.
--
-- Each contact has a dozen or more block keys (its email, phones, its name and the name with each
-- letter deleted), which are random 64-bit hashes. Stored one row each in a B-tree, every key of
-- a created contact landed on a page of its own, and SQLite wrote each such page whole to the WAL
-- at commit: some 60 KB per created contact, 1.2–1.9 GB of WAL in ten seconds of creating
-- contacts, and half the writer's time (perf, bench/http.sh). FTS5 keeps the keys of a commit in
-- memory and writes them out together as one sorted segment, merging segments as they pile up,
-- so a created contact costs a few hundred bytes of index instead of a dozen pages.
--
-- A record's keys are one document of `match_search`: its rowid is the record kind's number
-- (1 accounts, 2 contacts, 3 leads) times 2^56 plus the record's rowid in its own table, and each
-- key is a token `k<kind>x<16 hex digits>` (the key with its sign bit flipped, so that the
-- tokens sort as the signed keys do). `contentless_delete` lets a record's keys be removed by
-- rowid alone; `match_search_vocab` counts the records holding each key, for the duplicate
-- report. A write notes the record's new keys in its transaction, and the store writes the notes
-- just before each commit (peyvand_store::match_search), because FTS5 writes out a segment
-- whenever a statement that may need undoing begins, as the search indexes found (0180).
--
-- The keys are computed again at the next start (match_keys_built is emptied).
CREATE VIRTUAL TABLE match_search USING fts5(
    keys, content='', contentless_delete=1, detail=none, tokenize='ascii'
);
CREATE VIRTUAL TABLE match_search_vocab USING fts5vocab(match_search, 'row');
DROP TABLE match_keys;
DELETE FROM match_keys_built;
