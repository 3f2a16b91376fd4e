-- An agent's queue (issue 5) as a service agent sees it: their cases in one status, limited to
-- the branches they may read (the access filter adds `branch_id IN (…)`). The queue index of
-- 0057 lacked the branch, so counting the queue ("more than 10,000") read every case row to
-- check it: 10,001 row lookups per page. With the branch as the index's last column the count
-- and the page check it in the index, and the index still serves the list's order.
DROP INDEX cases_owner_status_sort;
CREATE INDEX cases_owner_status_sort ON cases (owner_id, status, sort_key, id, branch_id);
