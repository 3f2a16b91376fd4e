-- Sales pipeline (issue 4): pipelines with 3-7 ordered stages and their win probabilities, the
-- administrators' list of loss reasons, opportunities, sales targets, and the stage history of
-- every opportunity that the funnel report and the average time in stage are computed from.
-- Record tables have the columns every kind has (version, timestamps, search text, sort key)
-- and their full-text index, like the foundation's tables.

CREATE TABLE pipelines (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    is_default BOOLEAN,
    description TEXT,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX pipelines_sort ON pipelines (sort_key, id);
CREATE INDEX pipelines_search ON pipelines USING GIN (search_vector);
CREATE INDEX pipelines_unsearched ON pipelines (id) WHERE search_vector = ''::tsvector AND search_text <> '';

CREATE TABLE pipeline_stages (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    pipeline_id UUID NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    probability BIGINT NOT NULL,
    description TEXT,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX pipeline_stages_sort ON pipeline_stages (sort_key, id);
CREATE INDEX pipeline_stages_search ON pipeline_stages USING GIN (search_vector);
CREATE INDEX pipeline_stages_unsearched ON pipeline_stages (id) WHERE search_vector = ''::tsvector AND search_text <> '';

CREATE TABLE loss_reasons (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    active BOOLEAN,
    description TEXT,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX loss_reasons_sort ON loss_reasons (sort_key, id);
CREATE INDEX loss_reasons_search ON loss_reasons USING GIN (search_vector);
CREATE INDEX loss_reasons_unsearched ON loss_reasons (id) WHERE search_vector = ''::tsvector AND search_text <> '';

CREATE TABLE opportunities (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    account_id UUID REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id UUID REFERENCES contacts(id) ON DELETE SET NULL,
    amount BIGINT NOT NULL,
    expected_close DATE,
    pipeline_id UUID REFERENCES pipelines(id) ON DELETE RESTRICT,
    stage_id UUID REFERENCES pipeline_stages(id) ON DELETE RESTRICT,
    status TEXT,
    loss_reason_id UUID REFERENCES loss_reasons(id) ON DELETE RESTRICT,
    lead_id UUID REFERENCES leads(id) ON DELETE SET NULL,
    source TEXT,
    tags TEXT,
    description TEXT,
    stage_entered_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    cycle_days BIGINT,
    owner_id UUID NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX opportunities_sort ON opportunities (sort_key, id);
CREATE INDEX opportunities_search ON opportunities USING GIN (search_vector);
CREATE INDEX opportunities_unsearched ON opportunities (id) WHERE search_vector = ''::tsvector AND search_text <> '';

CREATE TABLE sales_targets (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    team_id UUID REFERENCES teams(id) ON DELETE CASCADE,
    branch_id UUID NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    period TEXT NOT NULL,
    calendar TEXT,
    starts_on DATE NOT NULL,
    ends_on DATE,
    metric TEXT NOT NULL,
    target_value BIGINT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX sales_targets_sort ON sales_targets (sort_key, id);
CREATE INDEX sales_targets_search ON sales_targets USING GIN (search_vector);
CREATE INDEX sales_targets_unsearched ON sales_targets (id) WHERE search_vector = ''::tsvector AND search_text <> '';

-- A stage's position is unique within its pipeline (the board's column order).
CREATE UNIQUE INDEX pipeline_stages_order ON pipeline_stages (pipeline_id, position);

-- Opportunities: lists by owner and branch (also how access rights filter), the board (open deals
-- of a pipeline by stage), the forecast (open deals by expected close date) and the funnel's won
-- and lost deals (by the moment they were closed). The report indexes cover every column their
-- query reads, so a year of a million deals is read from one index range in order, without a
-- lookup of each row (on PostgreSQL the extra columns are INCLUDEd, for index-only scans).
CREATE INDEX opportunities_owner_sort ON opportunities (owner_id, sort_key, id);
CREATE INDEX opportunities_branch_sort ON opportunities (branch_id, sort_key, id);
CREATE INDEX opportunities_board ON opportunities (pipeline_id, status, stage_id) INCLUDE (owner_id, branch_id, amount);
CREATE INDEX opportunities_board_cards ON opportunities (pipeline_id, stage_id, status, sort_key, id);
CREATE INDEX opportunities_forecast ON opportunities (status, expected_close) INCLUDE (pipeline_id, stage_id, owner_id, branch_id, amount);
CREATE INDEX opportunities_closed ON opportunities (status, closed_at) INCLUDE (pipeline_id, stage_id, loss_reason_id, owner_id, branch_id, amount, cycle_days);
-- The funnel's lead conversion counts the deals that came from leads, created in the period.
CREATE INDEX opportunities_from_leads ON opportunities (created_at) WHERE lead_id IS NOT NULL;
-- ...and the leads created in the period.
CREATE INDEX leads_created ON leads (created_at);
CREATE INDEX sales_targets_branch_sort ON sales_targets (branch_id, sort_key, id);

-- Every stay of an opportunity in a stage: entered, left (NULL while it is there) and the seconds
-- it stayed. The opportunity's pipeline, owner, branch and amount are copied in (and kept in step
-- when they change), so the funnel groups this table alone over a period instead of joining a
-- million opportunities; owner_id and branch_id are also what access rights filter on.
CREATE TABLE opportunity_stage_history (
    id UUID PRIMARY KEY,
    opportunity_id UUID NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    pipeline_id UUID NOT NULL,
    stage_id UUID NOT NULL,
    owner_id UUID NOT NULL,
    branch_id UUID NOT NULL,
    amount BIGINT NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    left_at TIMESTAMPTZ,
    seconds_in_stage BIGINT
);
CREATE INDEX opportunity_stage_history_entered ON opportunity_stage_history (pipeline_id, stage_id, entered_at) INCLUDE (owner_id, branch_id, amount, left_at, seconds_in_stage);
-- The funnel's index covers its columns too and is ordered by stage, so that the stays of a
-- period are read as one range per stage, already grouped (no sort of a million rows); the
-- second finds an opportunity's current stay.
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (opportunity_id, left_at);
