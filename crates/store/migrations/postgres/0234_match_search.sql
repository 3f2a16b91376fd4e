-- SQLite moves its duplicate-match keys to a full-text index (see the SQLite migration of the
-- same number). PostgreSQL logs changed rows, not whole pages, and keeps them in `match_keys`.
SELECT 1;
