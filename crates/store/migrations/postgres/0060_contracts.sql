-- Contracts (issue 4 §7, issue 5 §2 and §7): contract templates with placeholders, contracts
-- with a customer (account and/or contact), their deal, dates, value in whole Rials, status,
-- renewal links and the reminder task; and the contract a case is about. Contracts are numbered
-- through `document_counters` like sales documents (kind `contract`).

CREATE TABLE contract_templates (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    active BOOLEAN,
    description TEXT
);
CREATE INDEX contract_templates_sort ON contract_templates (sort_key, id);
CREATE INDEX contract_templates_search ON contract_templates USING GIN (search_vector);
CREATE INDEX contract_templates_unsearched ON contract_templates (id) WHERE search_vector = ''::tsvector AND search_text <> '';

CREATE TABLE contracts (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    account_id UUID REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id UUID REFERENCES contacts(id) ON DELETE RESTRICT,
    opportunity_id UUID REFERENCES opportunities(id) ON DELETE SET NULL,
    quote_id UUID REFERENCES quotes(id) ON DELETE SET NULL,
    template_id UUID REFERENCES contract_templates(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    value BIGINT NOT NULL,
    reminder_days BIGINT,
    language TEXT,
    body TEXT,
    description TEXT,
    renews_id UUID REFERENCES contracts(id) ON DELETE SET NULL,
    renewed_by_id UUID REFERENCES contracts(id) ON DELETE SET NULL,
    approved_by UUID REFERENCES users(id) ON DELETE SET NULL,
    reminder_task_id UUID REFERENCES activities(id) ON DELETE SET NULL,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX contracts_sort ON contracts (sort_key, id);
CREATE INDEX contracts_search ON contracts USING GIN (search_vector);
CREATE INDEX contracts_unsearched ON contracts (id) WHERE search_vector = ''::tsvector AND search_text <> '';
-- Lists filtered by owner or branch (the access rights of sales people and branch staff), a
-- customer's contracts (the 360° view, the portal, customer classes), and the expiry sweep,
-- which reads only active contracts by end date.
CREATE INDEX contracts_owner_sort ON contracts (owner_id, sort_key, id);
CREATE INDEX contracts_branch_sort ON contracts (branch_id, sort_key, id);
CREATE INDEX contracts_account ON contracts (account_id, start_date);
CREATE INDEX contracts_contact ON contracts (contact_id, start_date);
CREATE INDEX contracts_expiring ON contracts (status, end_date);
CREATE UNIQUE INDEX contracts_number ON contracts (number);

ALTER TABLE cases ADD COLUMN contract_id UUID REFERENCES contracts(id) ON DELETE SET NULL;
CREATE INDEX cases_contract ON cases (contract_id);
