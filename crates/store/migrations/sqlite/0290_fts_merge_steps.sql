-- The full-text indexes merge their segments in small steps, one at each commit, instead of
-- FTS5's automatic merging (peyvand_store::search_queue::MERGE_PAGES).
--
-- With automerge, FTS5 counts the leaf pages each commit writes and, each time the count passes
-- a multiple of 64, merges 64 pages for every level of the index in that one commit. Under a
-- stream of created contacts, about fifty commits in ten seconds did so, taking 8–40 ms each
-- while every write queued behind them waited: they made the create's p99 (bench/http.sh,
-- docs/benchmarks.md). With automerge off, the store asks each index that a commit wrote to for
-- a bounded merge of its own after the commit's notes, so that no commit takes much longer than
-- the others. A merge combines eight segments of a level instead of four (`usermerge`): each
-- word is written again at fewer levels, which makes up for the steps' cost (with four, 5–9%
-- fewer creates a second; with eight, as many as before), while a search reads a few more
-- segments. Bulk loads still merge sixteen at a time while they run (peyvand_store::bulk).
INSERT INTO accounts_search(accounts_search, rank) VALUES ('automerge', 0);
INSERT INTO accounts_search(accounts_search, rank) VALUES ('usermerge', 8);
INSERT INTO contacts_search(contacts_search, rank) VALUES ('automerge', 0);
INSERT INTO contacts_search(contacts_search, rank) VALUES ('usermerge', 8);
INSERT INTO leads_search(leads_search, rank) VALUES ('automerge', 0);
INSERT INTO leads_search(leads_search, rank) VALUES ('usermerge', 8);
INSERT INTO users_search(users_search, rank) VALUES ('automerge', 0);
INSERT INTO users_search(users_search, rank) VALUES ('usermerge', 8);
INSERT INTO teams_search(teams_search, rank) VALUES ('automerge', 0);
INSERT INTO teams_search(teams_search, rank) VALUES ('usermerge', 8);
INSERT INTO roles_search(roles_search, rank) VALUES ('automerge', 0);
INSERT INTO roles_search(roles_search, rank) VALUES ('usermerge', 8);
INSERT INTO branches_search(branches_search, rank) VALUES ('automerge', 0);
INSERT INTO branches_search(branches_search, rank) VALUES ('usermerge', 8);
INSERT INTO products_search(products_search, rank) VALUES ('automerge', 0);
INSERT INTO products_search(products_search, rank) VALUES ('usermerge', 8);
INSERT INTO price_lists_search(price_lists_search, rank) VALUES ('automerge', 0);
INSERT INTO price_lists_search(price_lists_search, rank) VALUES ('usermerge', 8);
INSERT INTO price_list_items_search(price_list_items_search, rank) VALUES ('automerge', 0);
INSERT INTO price_list_items_search(price_list_items_search, rank) VALUES ('usermerge', 8);
INSERT INTO bundle_items_search(bundle_items_search, rank) VALUES ('automerge', 0);
INSERT INTO bundle_items_search(bundle_items_search, rank) VALUES ('usermerge', 8);
INSERT INTO quotes_search(quotes_search, rank) VALUES ('automerge', 0);
INSERT INTO quotes_search(quotes_search, rank) VALUES ('usermerge', 8);
INSERT INTO orders_search(orders_search, rank) VALUES ('automerge', 0);
INSERT INTO orders_search(orders_search, rank) VALUES ('usermerge', 8);
INSERT INTO invoices_search(invoices_search, rank) VALUES ('automerge', 0);
INSERT INTO invoices_search(invoices_search, rank) VALUES ('usermerge', 8);
INSERT INTO payments_search(payments_search, rank) VALUES ('automerge', 0);
INSERT INTO payments_search(payments_search, rank) VALUES ('usermerge', 8);
INSERT INTO pipelines_search(pipelines_search, rank) VALUES ('automerge', 0);
INSERT INTO pipelines_search(pipelines_search, rank) VALUES ('usermerge', 8);
INSERT INTO pipeline_stages_search(pipeline_stages_search, rank) VALUES ('automerge', 0);
INSERT INTO pipeline_stages_search(pipeline_stages_search, rank) VALUES ('usermerge', 8);
INSERT INTO loss_reasons_search(loss_reasons_search, rank) VALUES ('automerge', 0);
INSERT INTO loss_reasons_search(loss_reasons_search, rank) VALUES ('usermerge', 8);
INSERT INTO opportunities_search(opportunities_search, rank) VALUES ('automerge', 0);
INSERT INTO opportunities_search(opportunities_search, rank) VALUES ('usermerge', 8);
INSERT INTO sales_targets_search(sales_targets_search, rank) VALUES ('automerge', 0);
INSERT INTO sales_targets_search(sales_targets_search, rank) VALUES ('usermerge', 8);
INSERT INTO case_categories_search(case_categories_search, rank) VALUES ('automerge', 0);
INSERT INTO case_categories_search(case_categories_search, rank) VALUES ('usermerge', 8);
INSERT INTO routing_rules_search(routing_rules_search, rank) VALUES ('automerge', 0);
INSERT INTO routing_rules_search(routing_rules_search, rank) VALUES ('usermerge', 8);
INSERT INTO sla_targets_search(sla_targets_search, rank) VALUES ('automerge', 0);
INSERT INTO sla_targets_search(sla_targets_search, rank) VALUES ('usermerge', 8);
INSERT INTO holidays_search(holidays_search, rank) VALUES ('automerge', 0);
INSERT INTO holidays_search(holidays_search, rank) VALUES ('usermerge', 8);
INSERT INTO cases_search(cases_search, rank) VALUES ('automerge', 0);
INSERT INTO cases_search(cases_search, rank) VALUES ('usermerge', 8);
INSERT INTO activities_search(activities_search, rank) VALUES ('automerge', 0);
INSERT INTO activities_search(activities_search, rank) VALUES ('usermerge', 8);
INSERT INTO contract_templates_search(contract_templates_search, rank) VALUES ('automerge', 0);
INSERT INTO contract_templates_search(contract_templates_search, rank) VALUES ('usermerge', 8);
INSERT INTO contracts_search(contracts_search, rank) VALUES ('automerge', 0);
INSERT INTO contracts_search(contracts_search, rank) VALUES ('usermerge', 8);
INSERT INTO sms_templates_search(sms_templates_search, rank) VALUES ('automerge', 0);
INSERT INTO sms_templates_search(sms_templates_search, rank) VALUES ('usermerge', 8);
INSERT INTO match_search(match_search, rank) VALUES ('automerge', 0);
INSERT INTO match_search(match_search, rank) VALUES ('usermerge', 8);
