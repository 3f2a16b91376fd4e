-- Sales documents (issue 4, PRODUCT.md §3): the catalogue (products and services, bundles,
-- price lists with per-product prices), quotes, orders and invoices with their lines, payments,
-- the counters that number documents per kind, branch and Jalali year, and each role's largest
-- discount without approval. Amounts are whole Rials (BIGINT), percentages whole basis points.

CREATE TABLE products (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    product_kind TEXT NOT NULL,
    unit TEXT,
    base_price INTEGER NOT NULL,
    tax_rate_bp INTEGER,
    active INTEGER,
    description TEXT
);
CREATE INDEX products_sort ON products (sort_key, id);
CREATE TABLE price_lists (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    valid_from TEXT,
    valid_until TEXT,
    active INTEGER,
    customer_kinds TEXT,
    customer_tags TEXT,
    customer_classes TEXT,
    description TEXT
);
CREATE INDEX price_lists_sort ON price_lists (sort_key, id);
CREATE TABLE price_list_items (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    price_list_id BLOB NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product_id BLOB NOT NULL REFERENCES products(id) ON DELETE RESTRICT,
    unit_price INTEGER NOT NULL
);
CREATE INDEX price_list_items_sort ON price_list_items (sort_key, id);
CREATE TABLE bundle_items (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    bundle_id BLOB NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    product_id BLOB NOT NULL REFERENCES products(id) ON DELETE RESTRICT,
    quantity INTEGER NOT NULL
);
CREATE INDEX bundle_items_sort ON bundle_items (sort_key, id);
CREATE TABLE quotes (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    account_id BLOB REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id BLOB REFERENCES contacts(id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    issue_date TEXT,
    valid_until TEXT,
    subtotal INTEGER NOT NULL,
    discount_total INTEGER NOT NULL,
    tax_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    max_discount_bp INTEGER,
    approval TEXT NOT NULL,
    approved_by BLOB REFERENCES users(id) ON DELETE RESTRICT,
    order_id BLOB,
    description TEXT,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX quotes_sort ON quotes (sort_key, id);
CREATE TABLE orders (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    account_id BLOB REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id BLOB REFERENCES contacts(id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    issue_date TEXT,
    delivery_date TEXT,
    subtotal INTEGER NOT NULL,
    discount_total INTEGER NOT NULL,
    tax_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    max_discount_bp INTEGER,
    approval TEXT NOT NULL,
    approved_by BLOB REFERENCES users(id) ON DELETE RESTRICT,
    quote_id BLOB REFERENCES quotes(id) ON DELETE SET NULL,
    invoice_id BLOB,
    description TEXT,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX orders_sort ON orders (sort_key, id);
CREATE TABLE invoices (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    account_id BLOB REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id BLOB REFERENCES contacts(id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    issue_date TEXT,
    due_date TEXT,
    subtotal INTEGER NOT NULL,
    discount_total INTEGER NOT NULL,
    tax_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    paid_total INTEGER NOT NULL,
    max_discount_bp INTEGER,
    approval TEXT NOT NULL,
    approved_by BLOB REFERENCES users(id) ON DELETE RESTRICT,
    order_id BLOB REFERENCES orders(id) ON DELETE SET NULL,
    description TEXT,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX invoices_sort ON invoices (sort_key, id);
CREATE TABLE payments (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    invoice_id BLOB NOT NULL REFERENCES invoices(id) ON DELETE RESTRICT,
    amount INTEGER NOT NULL,
    paid_on TEXT NOT NULL,
    method TEXT NOT NULL,
    reference TEXT,
    description TEXT,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX payments_sort ON payments (sort_key, id);
CREATE UNIQUE INDEX products_code ON products (code);
CREATE UNIQUE INDEX price_list_items_product ON price_list_items (price_list_id, product_id);
CREATE INDEX price_list_items_by_product ON price_list_items (product_id);
CREATE UNIQUE INDEX bundle_items_product ON bundle_items (bundle_id, product_id);
CREATE INDEX bundle_items_by_product ON bundle_items (product_id);
-- A document's number is unique; documents are listed per owner or branch (access rights)
-- and per customer (the 360° view).
CREATE UNIQUE INDEX quotes_number ON quotes (number);
CREATE INDEX quotes_owner_sort ON quotes (owner_id, sort_key, id);
CREATE INDEX quotes_branch_sort ON quotes (branch_id, sort_key, id);
CREATE INDEX quotes_account ON quotes (account_id, issue_date);
CREATE INDEX quotes_contact ON quotes (contact_id, issue_date);
CREATE UNIQUE INDEX orders_number ON orders (number);
CREATE INDEX orders_owner_sort ON orders (owner_id, sort_key, id);
CREATE INDEX orders_branch_sort ON orders (branch_id, sort_key, id);
CREATE INDEX orders_account ON orders (account_id, issue_date);
CREATE INDEX orders_contact ON orders (contact_id, issue_date);
CREATE UNIQUE INDEX invoices_number ON invoices (number);
CREATE INDEX invoices_owner_sort ON invoices (owner_id, sort_key, id);
CREATE INDEX invoices_branch_sort ON invoices (branch_id, sort_key, id);
CREATE INDEX invoices_account ON invoices (account_id, issue_date);
CREATE INDEX invoices_contact ON invoices (contact_id, issue_date);
CREATE INDEX payments_invoice ON payments (invoice_id, paid_on);
CREATE INDEX payments_owner ON payments (owner_id, id);
CREATE INDEX payments_branch ON payments (branch_id, id);

-- The lines of quotes, orders and invoices. Not a record kind: a line exists only inside its
-- document and changes together with the document's totals (domain::sales::totals). The
-- amounts are stored as computed, so a document reads back exactly what was printed.
CREATE TABLE sales_lines (
    id BLOB PRIMARY KEY,
    document_kind TEXT NOT NULL,
    document_id BLOB NOT NULL,
    position INTEGER NOT NULL,
    product_id BLOB REFERENCES products(id) ON DELETE RESTRICT,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    discount_bp INTEGER NOT NULL,
    tax_bp INTEGER NOT NULL,
    gross INTEGER NOT NULL,
    discount INTEGER NOT NULL,
    net INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    total INTEGER NOT NULL
);
CREATE INDEX sales_lines_document ON sales_lines (document_id, position);
CREATE INDEX sales_lines_product ON sales_lines (product_id);

-- The last number handed out per document kind, branch and Jalali year. Incremented inside the
-- transaction that creates the document, so numbers have no gaps: a rolled-back document gives
-- its number back.
CREATE TABLE document_counters (
    document_kind TEXT NOT NULL,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (document_kind, branch_id, year)
);

-- Each role's largest line discount (basis points) without a manager's approval.
ALTER TABLE roles ADD COLUMN max_discount_bp INTEGER;
UPDATE roles SET max_discount_bp = 10000 WHERE name = 'admin' AND builtin = 1;
UPDATE roles SET max_discount_bp = 2000 WHERE name = 'branch_manager' AND builtin = 1;
UPDATE roles SET max_discount_bp = 1000 WHERE name = 'sales_manager' AND builtin = 1;
UPDATE roles SET max_discount_bp = 500 WHERE name = 'sales_rep' AND builtin = 1;

-- Full-text search as in 0005_search.sql.
CREATE VIRTUAL TABLE products_search USING fts5(
    search_text, content='products', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_search(products_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER products_search_update AFTER UPDATE OF search_text ON products
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO products_search(products_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO products_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE price_lists_search USING fts5(
    search_text, content='price_lists', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER price_lists_search_insert AFTER INSERT ON price_lists BEGIN
    INSERT INTO price_lists_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER price_lists_search_delete AFTER DELETE ON price_lists BEGIN
    INSERT INTO price_lists_search(price_lists_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER price_lists_search_update AFTER UPDATE OF search_text ON price_lists
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO price_lists_search(price_lists_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO price_lists_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE price_list_items_search USING fts5(
    search_text, content='price_list_items', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER price_list_items_search_insert AFTER INSERT ON price_list_items BEGIN
    INSERT INTO price_list_items_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER price_list_items_search_delete AFTER DELETE ON price_list_items BEGIN
    INSERT INTO price_list_items_search(price_list_items_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER price_list_items_search_update AFTER UPDATE OF search_text ON price_list_items
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO price_list_items_search(price_list_items_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO price_list_items_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE bundle_items_search USING fts5(
    search_text, content='bundle_items', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER bundle_items_search_insert AFTER INSERT ON bundle_items BEGIN
    INSERT INTO bundle_items_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER bundle_items_search_delete AFTER DELETE ON bundle_items BEGIN
    INSERT INTO bundle_items_search(bundle_items_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER bundle_items_search_update AFTER UPDATE OF search_text ON bundle_items
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO bundle_items_search(bundle_items_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO bundle_items_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE quotes_search USING fts5(
    search_text, content='quotes', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER quotes_search_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER quotes_search_delete AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_search(quotes_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER quotes_search_update AFTER UPDATE OF search_text ON quotes
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO quotes_search(quotes_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO quotes_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE orders_search USING fts5(
    search_text, content='orders', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_search(orders_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF search_text ON orders
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO orders_search(orders_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO orders_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE invoices_search USING fts5(
    search_text, content='invoices', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER invoices_search_insert AFTER INSERT ON invoices BEGIN
    INSERT INTO invoices_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER invoices_search_delete AFTER DELETE ON invoices BEGIN
    INSERT INTO invoices_search(invoices_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER invoices_search_update AFTER UPDATE OF search_text ON invoices
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO invoices_search(invoices_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO invoices_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE VIRTUAL TABLE payments_search USING fts5(
    search_text, content='payments', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER payments_search_insert AFTER INSERT ON payments BEGIN
    INSERT INTO payments_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER payments_search_delete AFTER DELETE ON payments BEGIN
    INSERT INTO payments_search(payments_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER payments_search_update AFTER UPDATE OF search_text ON payments
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO payments_search(payments_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO payments_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- Built-in roles of an existing installation get their rights on the new kinds (new
-- installations get them from the application's definitions when the roles are created).
-- Roles are matched by name and only while still marked built in.
UPDATE roles SET grants = json_set(grants, '$.scopes', json_patch(json_extract(grants, '$.scopes'), json('{"quote":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"order":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"invoice":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"payment":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"product":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"price_list":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"price_list_item":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"bundle_item":{"read":"all","create":"all","update":"all","delete":"all","export":"all"}}'))) WHERE name = 'admin' AND builtin = 1;
UPDATE roles SET grants = json_set(grants, '$.scopes', json_patch(json_extract(grants, '$.scopes'), json('{"quote":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"order":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"invoice":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"payment":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'))) WHERE name = 'branch_manager' AND builtin = 1;
UPDATE roles SET grants = json_set(grants, '$.scopes', json_patch(json_extract(grants, '$.scopes'), json('{"quote":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"order":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"invoice":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"payment":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'))) WHERE name = 'sales_manager' AND builtin = 1;
UPDATE roles SET grants = json_set(grants, '$.scopes', json_patch(json_extract(grants, '$.scopes'), json('{"quote":{"read":"own","create":"own","update":"own"},"order":{"read":"own","create":"own","update":"own"},"invoice":{"read":"own","create":"own","update":"own"},"payment":{"read":"own","create":"own","update":"own"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'))) WHERE name = 'sales_rep' AND builtin = 1;
UPDATE roles SET grants = json_set(grants, '$.scopes', json_patch(json_extract(grants, '$.scopes'), json('{"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'))) WHERE name = 'marketing' AND builtin = 1;
UPDATE roles SET grants = json_set(grants, '$.scopes', json_patch(json_extract(grants, '$.scopes'), json('{"quote":{"read":"branch"},"order":{"read":"branch"},"invoice":{"read":"branch"},"payment":{"read":"branch"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'))) WHERE name = 'service_agent' AND builtin = 1;
UPDATE roles SET grants = json_set(grants, '$.scopes', json_patch(json_extract(grants, '$.scopes'), json('{"quote":{"read":"branch"},"order":{"read":"branch"},"invoice":{"read":"branch"},"payment":{"read":"branch"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'))) WHERE name = 'viewer' AND builtin = 1;
