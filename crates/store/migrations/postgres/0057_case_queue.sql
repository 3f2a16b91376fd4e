-- An agent's queue (issue 5): their cases in one status, in the list's default order (number),
-- read a page at a time from one index however many cases they have.
CREATE INDEX cases_owner_status_sort ON cases (owner_id, status, sort_key, id);
