-- SQLite's duplicate-match keys' index is made again with shorter words (see the SQLite
-- migration of the same number). PostgreSQL keeps the keys as numbers in `match_keys`: nothing
-- to change.
SELECT 1;
