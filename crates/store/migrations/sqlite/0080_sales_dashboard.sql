-- The customer's transactions in the 360° view and the sales dashboard (issue 4 §9, §10).
-- A customer's opportunities (the 360° view lists them by account or contact, newest first).
CREATE INDEX opportunities_account ON opportunities (account_id, created_at);
CREATE INDEX opportunities_contact ON opportunities (contact_id, created_at);
-- The dashboard's top customers: a period's invoices by issue date, covering the columns the
-- grouping reads (status, customer, placement for the access filter, total), so no row is looked
-- up.
CREATE INDEX invoices_issued ON invoices (issue_date, status, account_id, contact_id, owner_id, branch_id, total);
