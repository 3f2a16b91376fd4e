-- Quotes made from an opportunity (issue 4 §2, §6) keep the deal they came from. The deal's own
-- product lines are rows of sales_lines with document_kind 'opportunity' (no new table: they
-- have exactly a document line's columns, and every reader of sales_lines joins the document
-- table it wants, so they never mix with invoice lines).
ALTER TABLE quotes ADD COLUMN opportunity_id BLOB REFERENCES opportunities(id) ON DELETE SET NULL;
CREATE INDEX quotes_opportunity ON quotes (opportunity_id);
