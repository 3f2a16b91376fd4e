-- SQLite stores the audit trail clustered by record in this version (see the SQLite migration
-- of the same name). PostgreSQL keeps its heap table with the per-record index of 0001; this
-- file keeps the two migration histories in step.
SELECT 1;
