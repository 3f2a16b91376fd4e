-- Activities and customer service (issue 5): activities with their people, cases with their
-- entries and yearly numbers, the case category tree, routing rules, service-level targets and
-- holidays. The six record tables have the columns every record kind has (version, timestamps,
-- search text, Persian sort key and full-text search) and the fields of their schemas in
-- domain::record::service.

CREATE TABLE case_categories (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_category_id UUID REFERENCES case_categories(id) ON DELETE RESTRICT,
    description TEXT,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX case_categories_sort ON case_categories (sort_key, id);
CREATE INDEX case_categories_search ON case_categories USING GIN (search_vector);

CREATE TABLE routing_rules (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    active BOOLEAN,
    match_category_id UUID REFERENCES case_categories(id) ON DELETE SET NULL,
    match_channel TEXT,
    match_branch_id UUID REFERENCES branches(id) ON DELETE SET NULL,
    match_keyword TEXT,
    match_customer_kind TEXT,
    match_case_type TEXT,
    assign_team_id UUID REFERENCES teams(id) ON DELETE SET NULL,
    assign_strategy TEXT,
    assign_user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    last_assigned_user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    description TEXT,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX routing_rules_sort ON routing_rules (sort_key, id);
CREATE INDEX routing_rules_search ON routing_rules USING GIN (search_vector);

CREATE TABLE sla_targets (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    priority TEXT NOT NULL,
    first_response_hours BIGINT NOT NULL,
    resolution_hours BIGINT NOT NULL,
    description TEXT,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX sla_targets_sort ON sla_targets (sort_key, id);
CREATE INDEX sla_targets_search ON sla_targets USING GIN (search_vector);

CREATE TABLE holidays (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    date DATE NOT NULL,
    only_branch_id UUID REFERENCES branches(id) ON DELETE CASCADE,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX holidays_sort ON holidays (sort_key, id);
CREATE INDEX holidays_search ON holidays USING GIN (search_vector);

CREATE TABLE cases (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    number TEXT NOT NULL,
    case_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    category_id UUID REFERENCES case_categories(id) ON DELETE RESTRICT,
    account_id UUID REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id UUID REFERENCES contacts(id) ON DELETE SET NULL,
    product TEXT,
    team_id UUID REFERENCES teams(id) ON DELETE SET NULL,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    routing_rule_id UUID REFERENCES routing_rules(id) ON DELETE SET NULL,
    first_response_due TIMESTAMPTZ,
    resolution_due TIMESTAMPTZ,
    first_response_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX cases_sort ON cases (sort_key, id);
CREATE INDEX cases_search ON cases USING GIN (search_vector);

CREATE TABLE activities (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    activity_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT,
    priority TEXT,
    due_date DATE,
    due_time TEXT,
    duration_minutes BIGINT,
    remind_minutes_before BIGINT,
    account_id UUID REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id UUID REFERENCES contacts(id) ON DELETE SET NULL,
    lead_id UUID REFERENCES leads(id) ON DELETE SET NULL,
    case_id UUID REFERENCES cases(id) ON DELETE SET NULL,
    place TEXT,
    agenda TEXT,
    minutes TEXT,
    description TEXT,
    team_id UUID REFERENCES teams(id) ON DELETE SET NULL,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    due_at TIMESTAMPTZ,
    remind_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX activities_sort ON activities (sort_key, id);
CREATE INDEX activities_search ON activities USING GIN (search_vector);

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
    activity_id UUID NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    role TEXT NOT NULL,
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    contact_id UUID REFERENCES contacts(id) ON DELETE CASCADE,
    name TEXT,
    PRIMARY KEY (activity_id, role, position)
);
CREATE INDEX activity_people_user ON activity_people (user_id, role) WHERE user_id IS NOT NULL;

-- What happens on a case, kept in two kinds: internal notes (staff only) and replies to the
-- customer.
CREATE TABLE case_entries (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    entry_kind TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_entries_case ON case_entries (case_id, created_at);

-- The last case number given out per (Jalali) year.
CREATE TABLE case_counters (
    year BIGINT PRIMARY KEY,
    last_number BIGINT NOT NULL
);
