-- SQLite's full-text indexes merge in small steps from now on (see the SQLite migration of the
-- same number). PostgreSQL keeps each row's words in the row itself: nothing to change.
SELECT 1;
