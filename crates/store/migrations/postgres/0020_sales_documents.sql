-- Sales documents (issue 4, PRODUCT.md §3): the catalogue (products and services, bundles,
-- price lists with per-product prices), quotes, orders and invoices with their lines, payments,
-- the counters that number documents per kind, branch and Jalali year, and each role's largest
-- discount without approval. Amounts are whole Rials (BIGINT), percentages whole basis points.

CREATE TABLE products (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    product_kind TEXT NOT NULL,
    unit TEXT,
    base_price BIGINT NOT NULL,
    tax_rate_bp BIGINT,
    active BOOLEAN,
    description TEXT
);
CREATE INDEX products_sort ON products (sort_key, id);
CREATE TABLE price_lists (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    valid_from DATE,
    valid_until DATE,
    active BOOLEAN,
    customer_kinds TEXT,
    customer_tags TEXT,
    customer_classes TEXT,
    description TEXT
);
CREATE INDEX price_lists_sort ON price_lists (sort_key, id);
CREATE TABLE price_list_items (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    price_list_id UUID NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product_id UUID NOT NULL REFERENCES products(id) ON DELETE RESTRICT,
    unit_price BIGINT NOT NULL
);
CREATE INDEX price_list_items_sort ON price_list_items (sort_key, id);
CREATE TABLE bundle_items (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    bundle_id UUID NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    product_id UUID NOT NULL REFERENCES products(id) ON DELETE RESTRICT,
    quantity BIGINT NOT NULL
);
CREATE INDEX bundle_items_sort ON bundle_items (sort_key, id);
CREATE TABLE quotes (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    account_id UUID REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id UUID REFERENCES contacts(id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    issue_date DATE,
    valid_until DATE,
    subtotal BIGINT NOT NULL,
    discount_total BIGINT NOT NULL,
    tax_total BIGINT NOT NULL,
    total BIGINT NOT NULL,
    max_discount_bp BIGINT,
    approval TEXT NOT NULL,
    approved_by UUID REFERENCES users(id) ON DELETE RESTRICT,
    order_id UUID,
    description TEXT,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX quotes_sort ON quotes (sort_key, id);
CREATE TABLE orders (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    account_id UUID REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id UUID REFERENCES contacts(id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    issue_date DATE,
    delivery_date DATE,
    subtotal BIGINT NOT NULL,
    discount_total BIGINT NOT NULL,
    tax_total BIGINT NOT NULL,
    total BIGINT NOT NULL,
    max_discount_bp BIGINT,
    approval TEXT NOT NULL,
    approved_by UUID REFERENCES users(id) ON DELETE RESTRICT,
    quote_id UUID REFERENCES quotes(id) ON DELETE SET NULL,
    invoice_id UUID,
    description TEXT,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX orders_sort ON orders (sort_key, id);
CREATE TABLE invoices (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    account_id UUID REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id UUID REFERENCES contacts(id) ON DELETE RESTRICT,
    status TEXT NOT NULL,
    issue_date DATE,
    due_date DATE,
    subtotal BIGINT NOT NULL,
    discount_total BIGINT NOT NULL,
    tax_total BIGINT NOT NULL,
    total BIGINT NOT NULL,
    paid_total BIGINT NOT NULL,
    max_discount_bp BIGINT,
    approval TEXT NOT NULL,
    approved_by UUID REFERENCES users(id) ON DELETE RESTRICT,
    order_id UUID REFERENCES orders(id) ON DELETE SET NULL,
    description TEXT,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX invoices_sort ON invoices (sort_key, id);
CREATE TABLE payments (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    invoice_id UUID NOT NULL REFERENCES invoices(id) ON DELETE RESTRICT,
    amount BIGINT NOT NULL,
    paid_on DATE NOT NULL,
    method TEXT NOT NULL,
    reference TEXT,
    description TEXT,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
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
    id UUID PRIMARY KEY,
    document_kind TEXT NOT NULL,
    document_id UUID NOT NULL,
    position BIGINT NOT NULL,
    product_id UUID REFERENCES products(id) ON DELETE RESTRICT,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    tax_bp BIGINT NOT NULL,
    gross BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    net BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    total BIGINT NOT NULL
);
CREATE INDEX sales_lines_document ON sales_lines (document_id, position);
CREATE INDEX sales_lines_product ON sales_lines (product_id);

-- The last number handed out per document kind, branch and Jalali year. Incremented inside the
-- transaction that creates the document, so numbers have no gaps: a rolled-back document gives
-- its number back.
CREATE TABLE document_counters (
    document_kind TEXT NOT NULL,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (document_kind, branch_id, year)
);

-- Each role's largest line discount (basis points) without a manager's approval.
ALTER TABLE roles ADD COLUMN max_discount_bp BIGINT;
UPDATE roles SET max_discount_bp = 10000 WHERE name = 'admin' AND builtin = TRUE;
UPDATE roles SET max_discount_bp = 2000 WHERE name = 'branch_manager' AND builtin = TRUE;
UPDATE roles SET max_discount_bp = 1000 WHERE name = 'sales_manager' AND builtin = TRUE;
UPDATE roles SET max_discount_bp = 500 WHERE name = 'sales_rep' AND builtin = TRUE;

-- Full-text search as in 0005_search.sql.
ALTER TABLE products ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX products_search ON products USING GIN (search_vector);
CREATE INDEX products_unsearched ON products (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE price_lists ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX price_lists_search ON price_lists USING GIN (search_vector);
CREATE INDEX price_lists_unsearched ON price_lists (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE price_list_items ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX price_list_items_search ON price_list_items USING GIN (search_vector);
CREATE INDEX price_list_items_unsearched ON price_list_items (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE bundle_items ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX bundle_items_search ON bundle_items USING GIN (search_vector);
CREATE INDEX bundle_items_unsearched ON bundle_items (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE quotes ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX quotes_search ON quotes USING GIN (search_vector);
CREATE INDEX quotes_unsearched ON quotes (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE orders ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX orders_search ON orders USING GIN (search_vector);
CREATE INDEX orders_unsearched ON orders (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE invoices ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX invoices_search ON invoices USING GIN (search_vector);
CREATE INDEX invoices_unsearched ON invoices (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE payments ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX payments_search ON payments USING GIN (search_vector);
CREATE INDEX payments_unsearched ON payments (id) WHERE search_vector = ''::tsvector AND search_text <> '';

-- Built-in roles of an existing installation get their rights on the new kinds (new
-- installations get them from the application's definitions when the roles are created).
-- Roles are matched by name and only while still marked built in.
UPDATE roles SET grants = jsonb_set(grants::jsonb, '{scopes}', COALESCE(grants::jsonb -> 'scopes', '{}'::jsonb) || '{"quote":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"order":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"invoice":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"payment":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"product":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"price_list":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"price_list_item":{"read":"all","create":"all","update":"all","delete":"all","export":"all"},"bundle_item":{"read":"all","create":"all","update":"all","delete":"all","export":"all"}}'::jsonb)::text WHERE name = 'admin' AND builtin = TRUE;
UPDATE roles SET grants = jsonb_set(grants::jsonb, '{scopes}', COALESCE(grants::jsonb -> 'scopes', '{}'::jsonb) || '{"quote":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"order":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"invoice":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"payment":{"read":"subtree","create":"subtree","update":"subtree","delete":"subtree","export":"subtree"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'::jsonb)::text WHERE name = 'branch_manager' AND builtin = TRUE;
UPDATE roles SET grants = jsonb_set(grants::jsonb, '{scopes}', COALESCE(grants::jsonb -> 'scopes', '{}'::jsonb) || '{"quote":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"order":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"invoice":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"payment":{"read":"team","create":"team","update":"team","delete":"team","export":"team"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'::jsonb)::text WHERE name = 'sales_manager' AND builtin = TRUE;
UPDATE roles SET grants = jsonb_set(grants::jsonb, '{scopes}', COALESCE(grants::jsonb -> 'scopes', '{}'::jsonb) || '{"quote":{"read":"own","create":"own","update":"own"},"order":{"read":"own","create":"own","update":"own"},"invoice":{"read":"own","create":"own","update":"own"},"payment":{"read":"own","create":"own","update":"own"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'::jsonb)::text WHERE name = 'sales_rep' AND builtin = TRUE;
UPDATE roles SET grants = jsonb_set(grants::jsonb, '{scopes}', COALESCE(grants::jsonb -> 'scopes', '{}'::jsonb) || '{"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'::jsonb)::text WHERE name = 'marketing' AND builtin = TRUE;
UPDATE roles SET grants = jsonb_set(grants::jsonb, '{scopes}', COALESCE(grants::jsonb -> 'scopes', '{}'::jsonb) || '{"quote":{"read":"branch"},"order":{"read":"branch"},"invoice":{"read":"branch"},"payment":{"read":"branch"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'::jsonb)::text WHERE name = 'service_agent' AND builtin = TRUE;
UPDATE roles SET grants = jsonb_set(grants::jsonb, '{scopes}', COALESCE(grants::jsonb -> 'scopes', '{}'::jsonb) || '{"quote":{"read":"branch"},"order":{"read":"branch"},"invoice":{"read":"branch"},"payment":{"read":"branch"},"product":{"read":"all"},"price_list":{"read":"all"},"price_list_item":{"read":"all"},"bundle_item":{"read":"all"}}'::jsonb)::text WHERE name = 'viewer' AND builtin = TRUE;
