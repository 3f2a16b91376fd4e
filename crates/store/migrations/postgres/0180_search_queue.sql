-- SQLite only: its full-text indexes are now written once per commit (see the SQLite
-- migration of the same number). PostgreSQL keeps each row's words in the row itself.
SELECT 1;
