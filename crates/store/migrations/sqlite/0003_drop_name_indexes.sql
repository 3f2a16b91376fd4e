-- Sorting by each kind's default field uses its sort key (0002), and equality filters on that
-- field are served by the sort-key index too (the key is a function of the value), so these
-- indexes only cost time on every insert.
DROP INDEX accounts_name;
DROP INDEX contacts_last_name;
DROP INDEX leads_last_name;
