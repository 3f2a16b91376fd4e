-- The full-text indexes are written once per commit instead of once per statement.
--
-- FTS5 keeps the words of its latest inserts in memory and writes them out as a new segment
-- whenever a savepoint begins, and SQLite begins one for every statement that may need undoing
-- on its own: every insert into a table with triggers. So each record written got a segment of
-- its own (with its eight prefix indexes), and merging those segments again was a fifth of the
-- writer's time for a created contact, the savepoints' page copies another (perf, bench/http.sh).
--
-- The triggers now only note which rows changed, with the words the index holds for them (the
-- first note of a row in a transaction wins: that is what the index still holds). The store
-- applies the notes just before each commit (peyvand_store::search_queue), so a group-commit
-- batch or an import writes each index once. A note left by a writer that did not apply it is
-- applied by the next commit that does.
CREATE TABLE pending_search_rows (
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    -- Whether the index holds words for the row, and which: the row's text when it was noted.
    indexed INTEGER NOT NULL,
    old_text TEXT,
    PRIMARY KEY (table_name, row_id)
) WITHOUT ROWID;

DROP TRIGGER accounts_search_insert;
DROP TRIGGER accounts_search_delete;
DROP TRIGGER accounts_search_update;
CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('accounts', new.rowid, 0, NULL);
END;
CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('accounts', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER accounts_search_update AFTER UPDATE OF search_text ON accounts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('accounts', old.rowid, 1, old.search_text);
END;
DROP TRIGGER contacts_search_insert;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_update;
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contacts', new.rowid, 0, NULL);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contacts', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contacts', old.rowid, 1, old.search_text);
END;
DROP TRIGGER leads_search_insert;
DROP TRIGGER leads_search_delete;
DROP TRIGGER leads_search_update;
CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('leads', new.rowid, 0, NULL);
END;
CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('leads', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER leads_search_update AFTER UPDATE OF search_text ON leads
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('leads', old.rowid, 1, old.search_text);
END;
DROP TRIGGER users_search_insert;
DROP TRIGGER users_search_delete;
DROP TRIGGER users_search_update;
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('users', new.rowid, 0, NULL);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('users', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF search_text ON users
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('users', old.rowid, 1, old.search_text);
END;
DROP TRIGGER teams_search_insert;
DROP TRIGGER teams_search_delete;
DROP TRIGGER teams_search_update;
CREATE TRIGGER teams_search_insert AFTER INSERT ON teams BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('teams', new.rowid, 0, NULL);
END;
CREATE TRIGGER teams_search_delete AFTER DELETE ON teams BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('teams', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER teams_search_update AFTER UPDATE OF search_text ON teams
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('teams', old.rowid, 1, old.search_text);
END;
DROP TRIGGER roles_search_insert;
DROP TRIGGER roles_search_delete;
DROP TRIGGER roles_search_update;
CREATE TRIGGER roles_search_insert AFTER INSERT ON roles BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('roles', new.rowid, 0, NULL);
END;
CREATE TRIGGER roles_search_delete AFTER DELETE ON roles BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('roles', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER roles_search_update AFTER UPDATE OF search_text ON roles
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('roles', old.rowid, 1, old.search_text);
END;
DROP TRIGGER branches_search_insert;
DROP TRIGGER branches_search_delete;
DROP TRIGGER branches_search_update;
CREATE TRIGGER branches_search_insert AFTER INSERT ON branches BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('branches', new.rowid, 0, NULL);
END;
CREATE TRIGGER branches_search_delete AFTER DELETE ON branches BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('branches', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER branches_search_update AFTER UPDATE OF search_text ON branches
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('branches', old.rowid, 1, old.search_text);
END;
DROP TRIGGER products_search_insert;
DROP TRIGGER products_search_delete;
DROP TRIGGER products_search_update;
CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('products', new.rowid, 0, NULL);
END;
CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('products', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER products_search_update AFTER UPDATE OF search_text ON products
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('products', old.rowid, 1, old.search_text);
END;
DROP TRIGGER price_lists_search_insert;
DROP TRIGGER price_lists_search_delete;
DROP TRIGGER price_lists_search_update;
CREATE TRIGGER price_lists_search_insert AFTER INSERT ON price_lists BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('price_lists', new.rowid, 0, NULL);
END;
CREATE TRIGGER price_lists_search_delete AFTER DELETE ON price_lists BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('price_lists', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER price_lists_search_update AFTER UPDATE OF search_text ON price_lists
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('price_lists', old.rowid, 1, old.search_text);
END;
DROP TRIGGER price_list_items_search_insert;
DROP TRIGGER price_list_items_search_delete;
DROP TRIGGER price_list_items_search_update;
CREATE TRIGGER price_list_items_search_insert AFTER INSERT ON price_list_items BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('price_list_items', new.rowid, 0, NULL);
END;
CREATE TRIGGER price_list_items_search_delete AFTER DELETE ON price_list_items BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('price_list_items', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER price_list_items_search_update AFTER UPDATE OF search_text ON price_list_items
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('price_list_items', old.rowid, 1, old.search_text);
END;
DROP TRIGGER bundle_items_search_insert;
DROP TRIGGER bundle_items_search_delete;
DROP TRIGGER bundle_items_search_update;
CREATE TRIGGER bundle_items_search_insert AFTER INSERT ON bundle_items BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('bundle_items', new.rowid, 0, NULL);
END;
CREATE TRIGGER bundle_items_search_delete AFTER DELETE ON bundle_items BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('bundle_items', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER bundle_items_search_update AFTER UPDATE OF search_text ON bundle_items
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('bundle_items', old.rowid, 1, old.search_text);
END;
DROP TRIGGER quotes_search_insert;
DROP TRIGGER quotes_search_delete;
DROP TRIGGER quotes_search_update;
CREATE TRIGGER quotes_search_insert AFTER INSERT ON quotes BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('quotes', new.rowid, 0, NULL);
END;
CREATE TRIGGER quotes_search_delete AFTER DELETE ON quotes BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('quotes', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER quotes_search_update AFTER UPDATE OF search_text ON quotes
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('quotes', old.rowid, 1, old.search_text);
END;
DROP TRIGGER orders_search_insert;
DROP TRIGGER orders_search_delete;
DROP TRIGGER orders_search_update;
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('orders', new.rowid, 0, NULL);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('orders', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF search_text ON orders
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('orders', old.rowid, 1, old.search_text);
END;
DROP TRIGGER invoices_search_insert;
DROP TRIGGER invoices_search_delete;
DROP TRIGGER invoices_search_update;
CREATE TRIGGER invoices_search_insert AFTER INSERT ON invoices BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('invoices', new.rowid, 0, NULL);
END;
CREATE TRIGGER invoices_search_delete AFTER DELETE ON invoices BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('invoices', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER invoices_search_update AFTER UPDATE OF search_text ON invoices
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('invoices', old.rowid, 1, old.search_text);
END;
DROP TRIGGER payments_search_insert;
DROP TRIGGER payments_search_delete;
DROP TRIGGER payments_search_update;
CREATE TRIGGER payments_search_insert AFTER INSERT ON payments BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('payments', new.rowid, 0, NULL);
END;
CREATE TRIGGER payments_search_delete AFTER DELETE ON payments BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('payments', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER payments_search_update AFTER UPDATE OF search_text ON payments
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('payments', old.rowid, 1, old.search_text);
END;
DROP TRIGGER pipelines_search_insert;
DROP TRIGGER pipelines_search_delete;
DROP TRIGGER pipelines_search_update;
CREATE TRIGGER pipelines_search_insert AFTER INSERT ON pipelines BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('pipelines', new.rowid, 0, NULL);
END;
CREATE TRIGGER pipelines_search_delete AFTER DELETE ON pipelines BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('pipelines', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER pipelines_search_update AFTER UPDATE OF search_text ON pipelines
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('pipelines', old.rowid, 1, old.search_text);
END;
DROP TRIGGER pipeline_stages_search_insert;
DROP TRIGGER pipeline_stages_search_delete;
DROP TRIGGER pipeline_stages_search_update;
CREATE TRIGGER pipeline_stages_search_insert AFTER INSERT ON pipeline_stages BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('pipeline_stages', new.rowid, 0, NULL);
END;
CREATE TRIGGER pipeline_stages_search_delete AFTER DELETE ON pipeline_stages BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('pipeline_stages', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER pipeline_stages_search_update AFTER UPDATE OF search_text ON pipeline_stages
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('pipeline_stages', old.rowid, 1, old.search_text);
END;
DROP TRIGGER loss_reasons_search_insert;
DROP TRIGGER loss_reasons_search_delete;
DROP TRIGGER loss_reasons_search_update;
CREATE TRIGGER loss_reasons_search_insert AFTER INSERT ON loss_reasons BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('loss_reasons', new.rowid, 0, NULL);
END;
CREATE TRIGGER loss_reasons_search_delete AFTER DELETE ON loss_reasons BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('loss_reasons', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER loss_reasons_search_update AFTER UPDATE OF search_text ON loss_reasons
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('loss_reasons', old.rowid, 1, old.search_text);
END;
DROP TRIGGER opportunities_search_insert;
DROP TRIGGER opportunities_search_delete;
DROP TRIGGER opportunities_search_update;
CREATE TRIGGER opportunities_search_insert AFTER INSERT ON opportunities BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('opportunities', new.rowid, 0, NULL);
END;
CREATE TRIGGER opportunities_search_delete AFTER DELETE ON opportunities BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('opportunities', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER opportunities_search_update AFTER UPDATE OF search_text ON opportunities
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('opportunities', old.rowid, 1, old.search_text);
END;
DROP TRIGGER sales_targets_search_insert;
DROP TRIGGER sales_targets_search_delete;
DROP TRIGGER sales_targets_search_update;
CREATE TRIGGER sales_targets_search_insert AFTER INSERT ON sales_targets BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sales_targets', new.rowid, 0, NULL);
END;
CREATE TRIGGER sales_targets_search_delete AFTER DELETE ON sales_targets BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sales_targets', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER sales_targets_search_update AFTER UPDATE OF search_text ON sales_targets
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sales_targets', old.rowid, 1, old.search_text);
END;
DROP TRIGGER case_categories_search_insert;
DROP TRIGGER case_categories_search_delete;
DROP TRIGGER case_categories_search_update;
CREATE TRIGGER case_categories_search_insert AFTER INSERT ON case_categories BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('case_categories', new.rowid, 0, NULL);
END;
CREATE TRIGGER case_categories_search_delete AFTER DELETE ON case_categories BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('case_categories', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER case_categories_search_update AFTER UPDATE OF search_text ON case_categories
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('case_categories', old.rowid, 1, old.search_text);
END;
DROP TRIGGER routing_rules_search_insert;
DROP TRIGGER routing_rules_search_delete;
DROP TRIGGER routing_rules_search_update;
CREATE TRIGGER routing_rules_search_insert AFTER INSERT ON routing_rules BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('routing_rules', new.rowid, 0, NULL);
END;
CREATE TRIGGER routing_rules_search_delete AFTER DELETE ON routing_rules BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('routing_rules', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER routing_rules_search_update AFTER UPDATE OF search_text ON routing_rules
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('routing_rules', old.rowid, 1, old.search_text);
END;
DROP TRIGGER sla_targets_search_insert;
DROP TRIGGER sla_targets_search_delete;
DROP TRIGGER sla_targets_search_update;
CREATE TRIGGER sla_targets_search_insert AFTER INSERT ON sla_targets BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sla_targets', new.rowid, 0, NULL);
END;
CREATE TRIGGER sla_targets_search_delete AFTER DELETE ON sla_targets BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sla_targets', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER sla_targets_search_update AFTER UPDATE OF search_text ON sla_targets
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sla_targets', old.rowid, 1, old.search_text);
END;
DROP TRIGGER holidays_search_insert;
DROP TRIGGER holidays_search_delete;
DROP TRIGGER holidays_search_update;
CREATE TRIGGER holidays_search_insert AFTER INSERT ON holidays BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('holidays', new.rowid, 0, NULL);
END;
CREATE TRIGGER holidays_search_delete AFTER DELETE ON holidays BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('holidays', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER holidays_search_update AFTER UPDATE OF search_text ON holidays
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('holidays', old.rowid, 1, old.search_text);
END;
DROP TRIGGER cases_search_insert;
DROP TRIGGER cases_search_delete;
DROP TRIGGER cases_search_update;
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('cases', new.rowid, 0, NULL);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('cases', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF search_text ON cases
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('cases', old.rowid, 1, old.search_text);
END;
DROP TRIGGER activities_search_insert;
DROP TRIGGER activities_search_delete;
DROP TRIGGER activities_search_update;
CREATE TRIGGER activities_search_insert AFTER INSERT ON activities BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('activities', new.rowid, 0, NULL);
END;
CREATE TRIGGER activities_search_delete AFTER DELETE ON activities BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('activities', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER activities_search_update AFTER UPDATE OF search_text ON activities
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('activities', old.rowid, 1, old.search_text);
END;
DROP TRIGGER contract_templates_search_insert;
DROP TRIGGER contract_templates_search_delete;
DROP TRIGGER contract_templates_search_update;
CREATE TRIGGER contract_templates_search_insert AFTER INSERT ON contract_templates BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contract_templates', new.rowid, 0, NULL);
END;
CREATE TRIGGER contract_templates_search_delete AFTER DELETE ON contract_templates BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contract_templates', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER contract_templates_search_update AFTER UPDATE OF search_text ON contract_templates
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contract_templates', old.rowid, 1, old.search_text);
END;
DROP TRIGGER contracts_search_insert;
DROP TRIGGER contracts_search_delete;
DROP TRIGGER contracts_search_update;
CREATE TRIGGER contracts_search_insert AFTER INSERT ON contracts BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contracts', new.rowid, 0, NULL);
END;
CREATE TRIGGER contracts_search_delete AFTER DELETE ON contracts BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contracts', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER contracts_search_update AFTER UPDATE OF search_text ON contracts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('contracts', old.rowid, 1, old.search_text);
END;
