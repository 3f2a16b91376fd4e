-- A case names its product as a catalogue record (issue 5 §2), no longer as free text. The old
-- text stays in cases.product, read-only; 0271 links the cases whose text matches a product.
ALTER TABLE cases ADD COLUMN product_id BLOB REFERENCES products(id) ON DELETE SET NULL;
CREATE INDEX cases_product ON cases (product_id) WHERE product_id IS NOT NULL;
