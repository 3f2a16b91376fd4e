-- The duplicate-match keys' index with shorter words and smaller document rowids
-- (peyvand_store::match_search).
--
-- Each key is a word of its own in `match_search`, stored with its document's rowid in full,
-- and FTS5 writes those bytes again at every level of merging. The words were `k2x` and 16 hex
-- digits and the rowids had the record's kind in their high bits (a nine-byte varint each);
-- now a word is the kind's digit and 13 base-36 digits, and a rowid is four times the record's
-- rowid plus its kind (three or four bytes). Measured on FTS5 alone (12 records of 14 keys a
-- commit, a merge step each): 24.8 -> 15.9 bytes a key, 20 -> 16 us a record.
--
-- The index is made again empty and the keys are computed again at the next start
-- (match_keys_built is emptied), as when it was first made (0234).
DROP TABLE match_search_vocab;
DROP TABLE match_search;
CREATE VIRTUAL TABLE match_search USING fts5(
    keys, content='', contentless_delete=1, detail=none, tokenize='ascii'
);
CREATE VIRTUAL TABLE match_search_vocab USING fts5vocab(match_search, 'row');
INSERT INTO match_search(match_search, rank) VALUES ('automerge', 0);
INSERT INTO match_search(match_search, rank) VALUES ('usermerge', 8);
DELETE FROM match_keys_built;
