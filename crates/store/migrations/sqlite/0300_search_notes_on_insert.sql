-- A new account, contact or lead is noted for the full-text index by the store's insert itself
-- (`Tx::insert_record`, `Tx::insert_records`, see `search_queue::NOTED_ON_INSERT`) instead of by
-- a trigger. With a trigger, every insert into these tables wrote two tables, so SQLite kept a
-- statement journal for it, copying each page the insert changed before changing it: 5.6% of
-- the writer's time per created contact (perf, bench/http.sh). Updates and deletes keep their
-- triggers: they are rarer, and a statement that changes a row may change several.
DROP TRIGGER accounts_search_insert;
DROP TRIGGER contacts_search_insert;
DROP TRIGGER leads_search_insert;
