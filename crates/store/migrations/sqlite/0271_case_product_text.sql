-- Links each case whose product was typed as a catalogue product's code (in any letter case)
-- or else its exact name, the oldest product first when several match, as the routing found
-- products by code or name; the text of a linked case is cleared, so what remains in
-- cases.product is only what matched nothing. Running it again changes nothing.
UPDATE cases SET product_id = (
    SELECT p.id FROM products p WHERE upper(p.code) = upper(trim(cases.product))
    ORDER BY p.created_at, p.id LIMIT 1)
WHERE product_id IS NULL AND product IS NOT NULL AND trim(product) <> '';
UPDATE cases SET product_id = (
    SELECT p.id FROM products p WHERE p.name = trim(cases.product)
    ORDER BY p.created_at, p.id LIMIT 1)
WHERE product_id IS NULL AND product IS NOT NULL AND trim(product) <> '';
UPDATE cases SET product = NULL WHERE product_id IS NOT NULL AND product IS NOT NULL;
