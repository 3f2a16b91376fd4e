-- Contracts (issue 4 §7, issue 5 §2 and §7): contract templates with placeholders, contracts
-- with a customer (account and/or contact), their deal, dates, value in whole Rials, status,
-- renewal links and the reminder task; and the contract a case is about. Contracts are numbered
-- through `document_counters` like sales documents (kind `contract`).

CREATE TABLE contract_templates (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    active INTEGER,
    description TEXT
);
CREATE INDEX contract_templates_sort ON contract_templates (sort_key, id);
CREATE VIRTUAL TABLE contract_templates_search USING fts5(
    search_text, content='contract_templates', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER contract_templates_search_insert AFTER INSERT ON contract_templates BEGIN
    INSERT INTO contract_templates_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER contract_templates_search_delete AFTER DELETE ON contract_templates BEGIN
    INSERT INTO contract_templates_search(contract_templates_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER contract_templates_search_update AFTER UPDATE OF search_text ON contract_templates
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO contract_templates_search(contract_templates_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO contract_templates_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE contracts (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    account_id BLOB REFERENCES accounts(id) ON DELETE RESTRICT,
    contact_id BLOB REFERENCES contacts(id) ON DELETE RESTRICT,
    opportunity_id BLOB REFERENCES opportunities(id) ON DELETE SET NULL,
    quote_id BLOB REFERENCES quotes(id) ON DELETE SET NULL,
    template_id BLOB REFERENCES contract_templates(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    value INTEGER NOT NULL,
    reminder_days INTEGER,
    language TEXT,
    body TEXT,
    description TEXT,
    renews_id BLOB REFERENCES contracts(id) ON DELETE SET NULL,
    renewed_by_id BLOB REFERENCES contracts(id) ON DELETE SET NULL,
    approved_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    reminder_task_id BLOB REFERENCES activities(id) ON DELETE SET NULL,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);
CREATE INDEX contracts_sort ON contracts (sort_key, id);
CREATE VIRTUAL TABLE contracts_search USING fts5(
    search_text, content='contracts', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER contracts_search_insert AFTER INSERT ON contracts BEGIN
    INSERT INTO contracts_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER contracts_search_delete AFTER DELETE ON contracts BEGIN
    INSERT INTO contracts_search(contracts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER contracts_search_update AFTER UPDATE OF search_text ON contracts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO contracts_search(contracts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO contracts_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
-- Lists filtered by owner or branch (the access rights of sales people and branch staff), a
-- customer's contracts (the 360° view, the portal, customer classes), and the expiry sweep,
-- which reads only active contracts by end date.
CREATE INDEX contracts_owner_sort ON contracts (owner_id, sort_key, id);
CREATE INDEX contracts_branch_sort ON contracts (branch_id, sort_key, id);
CREATE INDEX contracts_account ON contracts (account_id, start_date);
CREATE INDEX contracts_contact ON contracts (contact_id, start_date);
CREATE INDEX contracts_expiring ON contracts (status, end_date);
CREATE UNIQUE INDEX contracts_number ON contracts (number);

ALTER TABLE cases ADD COLUMN contract_id BLOB REFERENCES contracts(id) ON DELETE SET NULL;
CREATE INDEX cases_contract ON cases (contract_id);
