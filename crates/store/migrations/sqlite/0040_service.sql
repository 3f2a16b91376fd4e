-- Activities and customer service (issue 5): activities with their people, cases with their
-- entries and yearly numbers, the case category tree, routing rules, service-level targets and
-- holidays. The six record tables have the columns every record kind has (version, timestamps,
-- search text, Persian sort key and full-text search) and the fields of their schemas in
-- domain::record::service.

CREATE TABLE case_categories (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_category_id BLOB REFERENCES case_categories(id) ON DELETE RESTRICT,
    description TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_categories_sort ON case_categories (sort_key, id);
CREATE VIRTUAL TABLE case_categories_search USING fts5(
    search_text, content='case_categories', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER case_categories_search_insert AFTER INSERT ON case_categories BEGIN
    INSERT INTO case_categories_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER case_categories_search_delete AFTER DELETE ON case_categories BEGIN
    INSERT INTO case_categories_search(case_categories_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER case_categories_search_update AFTER UPDATE OF search_text ON case_categories
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO case_categories_search(case_categories_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO case_categories_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE routing_rules (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER,
    match_category_id BLOB REFERENCES case_categories(id) ON DELETE SET NULL,
    match_channel TEXT,
    match_branch_id BLOB REFERENCES branches(id) ON DELETE SET NULL,
    match_keyword TEXT,
    match_customer_kind TEXT,
    match_case_type TEXT,
    assign_team_id BLOB REFERENCES teams(id) ON DELETE SET NULL,
    assign_strategy TEXT,
    assign_user_id BLOB REFERENCES users(id) ON DELETE SET NULL,
    last_assigned_user_id BLOB REFERENCES users(id) ON DELETE SET NULL,
    description TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX routing_rules_sort ON routing_rules (sort_key, id);
CREATE VIRTUAL TABLE routing_rules_search USING fts5(
    search_text, content='routing_rules', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER routing_rules_search_insert AFTER INSERT ON routing_rules BEGIN
    INSERT INTO routing_rules_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER routing_rules_search_delete AFTER DELETE ON routing_rules BEGIN
    INSERT INTO routing_rules_search(routing_rules_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER routing_rules_search_update AFTER UPDATE OF search_text ON routing_rules
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO routing_rules_search(routing_rules_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO routing_rules_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE sla_targets (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    priority TEXT NOT NULL,
    first_response_hours INTEGER NOT NULL,
    resolution_hours INTEGER NOT NULL,
    description TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sla_targets_sort ON sla_targets (sort_key, id);
CREATE VIRTUAL TABLE sla_targets_search USING fts5(
    search_text, content='sla_targets', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER sla_targets_search_insert AFTER INSERT ON sla_targets BEGIN
    INSERT INTO sla_targets_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER sla_targets_search_delete AFTER DELETE ON sla_targets BEGIN
    INSERT INTO sla_targets_search(sla_targets_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER sla_targets_search_update AFTER UPDATE OF search_text ON sla_targets
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO sla_targets_search(sla_targets_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO sla_targets_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE holidays (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    only_branch_id BLOB REFERENCES branches(id) ON DELETE CASCADE,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX holidays_sort ON holidays (sort_key, id);
CREATE VIRTUAL TABLE holidays_search USING fts5(
    search_text, content='holidays', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER holidays_search_insert AFTER INSERT ON holidays BEGIN
    INSERT INTO holidays_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER holidays_search_delete AFTER DELETE ON holidays BEGIN
    INSERT INTO holidays_search(holidays_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER holidays_search_update AFTER UPDATE OF search_text ON holidays
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO holidays_search(holidays_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO holidays_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE cases (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    number TEXT NOT NULL,
    case_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    category_id BLOB REFERENCES case_categories(id) ON DELETE RESTRICT,
    account_id BLOB REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    product TEXT,
    team_id BLOB REFERENCES teams(id) ON DELETE SET NULL,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    routing_rule_id BLOB REFERENCES routing_rules(id) ON DELETE SET NULL,
    first_response_due TEXT,
    resolution_due TEXT,
    first_response_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_sort ON cases (sort_key, id);
CREATE VIRTUAL TABLE cases_search USING fts5(
    search_text, content='cases', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_search(cases_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF search_text ON cases
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO cases_search(cases_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO cases_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE activities (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    activity_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT,
    priority TEXT,
    due_date TEXT,
    due_time TEXT,
    duration_minutes INTEGER,
    remind_minutes_before INTEGER,
    account_id BLOB REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    lead_id BLOB REFERENCES leads(id) ON DELETE SET NULL,
    case_id BLOB REFERENCES cases(id) ON DELETE SET NULL,
    place TEXT,
    agenda TEXT,
    minutes TEXT,
    description TEXT,
    team_id BLOB REFERENCES teams(id) ON DELETE SET NULL,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    due_at TEXT,
    remind_at TEXT,
    completed_at TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activities_sort ON activities (sort_key, id);
CREATE VIRTUAL TABLE activities_search USING fts5(
    search_text, content='activities', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER activities_search_insert AFTER INSERT ON activities BEGIN
    INSERT INTO activities_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER activities_search_delete AFTER DELETE ON activities BEGIN
    INSERT INTO activities_search(activities_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER activities_search_update AFTER UPDATE OF search_text ON activities
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO activities_search(activities_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO activities_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- Lists people see most: their own and their branch's activities by due moment, the agenda,
-- reminders that are due, a customer's activities and cases, an agent's or a team's open cases.
CREATE INDEX activities_owner_due ON activities (owner_id, due_at);
CREATE INDEX activities_branch_due ON activities (branch_id, due_at);
CREATE INDEX activities_remind ON activities (remind_at) WHERE remind_at IS NOT NULL AND completed_at IS NULL;
CREATE INDEX activities_account ON activities (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX activities_contact ON activities (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX activities_lead ON activities (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX activities_case ON activities (case_id) WHERE case_id IS NOT NULL;
CREATE UNIQUE INDEX cases_number ON cases (number);
CREATE INDEX cases_owner_status ON cases (owner_id, status);
CREATE INDEX cases_team_status ON cases (team_id, status);
CREATE INDEX cases_branch_status ON cases (branch_id, status);
CREATE INDEX cases_account ON cases (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX cases_contact ON cases (contact_id) WHERE contact_id IS NOT NULL;

-- The people of an activity: assignees (several people on one task) and meeting attendees,
-- inside the company (a user) or outside (a contact, or just a name).
CREATE TABLE activity_people (
    activity_id BLOB NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    user_id BLOB REFERENCES users(id) ON DELETE CASCADE,
    contact_id BLOB REFERENCES contacts(id) ON DELETE CASCADE,
    name TEXT,
    PRIMARY KEY (activity_id, role, position)
);
CREATE INDEX activity_people_user ON activity_people (user_id, role) WHERE user_id IS NOT NULL;

-- What happens on a case, kept in two kinds: internal notes (staff only) and replies to the
-- customer.
CREATE TABLE case_entries (
    id BLOB PRIMARY KEY,
    case_id BLOB NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    entry_kind TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_entries_case ON case_entries (case_id, created_at);

-- The last case number given out per (Jalali) year.
CREATE TABLE case_counters (
    year INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);
