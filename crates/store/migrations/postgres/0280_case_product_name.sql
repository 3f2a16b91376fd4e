-- The words of a case's catalogue product (its code and name), kept on the case so the case's
-- search finds it by them (issue 5 §2): before 0270 the typed product was searchable text, and
-- linking it to the catalogue must not make cases harder to find.
--
-- The application fills the column and rewrites the case's search text with the same Persian
-- normalisation as every write: at start-up for the cases linked before this migration (the
-- partial index finds them at no cost once there are none), on every create and update of a
-- case, and for a product's cases when the product's code or name changes.
ALTER TABLE cases ADD COLUMN product_name TEXT;
CREATE INDEX cases_product_unnamed ON cases (id)
    WHERE product_id IS NOT NULL AND product_name IS NULL;
