-- SQLite notes new accounts, contacts and leads for its full-text index without a trigger from
-- now on (see the SQLite migration of the same number). PostgreSQL keeps each row's words in the
-- row itself: nothing to change.
SELECT 1;
