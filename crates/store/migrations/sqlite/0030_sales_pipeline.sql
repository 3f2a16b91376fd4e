-- Sales pipeline (issue 4): pipelines with 3-7 ordered stages and their win probabilities, the
-- administrators' list of loss reasons, opportunities, sales targets, and the stage history of
-- every opportunity that the funnel report and the average time in stage are computed from.
-- Record tables have the columns every kind has (version, timestamps, search text, sort key)
-- and their full-text index, like the foundation's tables.

CREATE TABLE pipelines (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    is_default INTEGER,
    description TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pipelines_sort ON pipelines (sort_key, id);
CREATE VIRTUAL TABLE pipelines_search USING fts5(
    search_text, content='pipelines', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER pipelines_search_insert AFTER INSERT ON pipelines BEGIN
    INSERT INTO pipelines_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER pipelines_search_delete AFTER DELETE ON pipelines BEGIN
    INSERT INTO pipelines_search(pipelines_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER pipelines_search_update AFTER UPDATE OF search_text ON pipelines
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO pipelines_search(pipelines_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO pipelines_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE pipeline_stages (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    probability INTEGER NOT NULL,
    description TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pipeline_stages_sort ON pipeline_stages (sort_key, id);
CREATE VIRTUAL TABLE pipeline_stages_search USING fts5(
    search_text, content='pipeline_stages', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER pipeline_stages_search_insert AFTER INSERT ON pipeline_stages BEGIN
    INSERT INTO pipeline_stages_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER pipeline_stages_search_delete AFTER DELETE ON pipeline_stages BEGIN
    INSERT INTO pipeline_stages_search(pipeline_stages_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER pipeline_stages_search_update AFTER UPDATE OF search_text ON pipeline_stages
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO pipeline_stages_search(pipeline_stages_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO pipeline_stages_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE loss_reasons (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    active INTEGER,
    description TEXT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX loss_reasons_sort ON loss_reasons (sort_key, id);
CREATE VIRTUAL TABLE loss_reasons_search USING fts5(
    search_text, content='loss_reasons', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER loss_reasons_search_insert AFTER INSERT ON loss_reasons BEGIN
    INSERT INTO loss_reasons_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER loss_reasons_search_delete AFTER DELETE ON loss_reasons BEGIN
    INSERT INTO loss_reasons_search(loss_reasons_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER loss_reasons_search_update AFTER UPDATE OF search_text ON loss_reasons
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO loss_reasons_search(loss_reasons_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO loss_reasons_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE opportunities (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    account_id BLOB REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    amount INTEGER NOT NULL,
    expected_close TEXT,
    pipeline_id BLOB REFERENCES pipelines(id) ON DELETE RESTRICT,
    stage_id BLOB REFERENCES pipeline_stages(id) ON DELETE RESTRICT,
    status TEXT,
    loss_reason_id BLOB REFERENCES loss_reasons(id) ON DELETE RESTRICT,
    lead_id BLOB REFERENCES leads(id) ON DELETE SET NULL,
    source TEXT,
    tags TEXT,
    description TEXT,
    stage_entered_at TEXT,
    closed_at TEXT,
    cycle_days INTEGER,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX opportunities_sort ON opportunities (sort_key, id);
CREATE VIRTUAL TABLE opportunities_search USING fts5(
    search_text, content='opportunities', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER opportunities_search_insert AFTER INSERT ON opportunities BEGIN
    INSERT INTO opportunities_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER opportunities_search_delete AFTER DELETE ON opportunities BEGIN
    INSERT INTO opportunities_search(opportunities_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER opportunities_search_update AFTER UPDATE OF search_text ON opportunities
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO opportunities_search(opportunities_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO opportunities_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE sales_targets (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    user_id BLOB REFERENCES users(id) ON DELETE CASCADE,
    team_id BLOB REFERENCES teams(id) ON DELETE CASCADE,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    period TEXT NOT NULL,
    calendar TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    metric TEXT NOT NULL,
    target_value INTEGER NOT NULL,
    sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sales_targets_sort ON sales_targets (sort_key, id);
CREATE VIRTUAL TABLE sales_targets_search USING fts5(
    search_text, content='sales_targets', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER sales_targets_search_insert AFTER INSERT ON sales_targets BEGIN
    INSERT INTO sales_targets_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER sales_targets_search_delete AFTER DELETE ON sales_targets BEGIN
    INSERT INTO sales_targets_search(sales_targets_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER sales_targets_search_update AFTER UPDATE OF search_text ON sales_targets
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO sales_targets_search(sales_targets_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO sales_targets_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- A stage's position is unique within its pipeline (the board's column order).
CREATE UNIQUE INDEX pipeline_stages_order ON pipeline_stages (pipeline_id, position);

-- Opportunities: lists by owner and branch (also how access rights filter), the board (open deals
-- of a pipeline by stage), the forecast (open deals by expected close date) and the funnel's won
-- and lost deals (by the moment they were closed). The report indexes cover every column their
-- query reads, so a year of a million deals is read from one index range in order, without a
-- lookup of each row (on PostgreSQL the extra columns are INCLUDEd, for index-only scans).
CREATE INDEX opportunities_owner_sort ON opportunities (owner_id, sort_key, id);
CREATE INDEX opportunities_branch_sort ON opportunities (branch_id, sort_key, id);
CREATE INDEX opportunities_board ON opportunities (pipeline_id, status, stage_id, owner_id, branch_id, amount);
CREATE INDEX opportunities_board_cards ON opportunities (pipeline_id, stage_id, status, sort_key, id);
CREATE INDEX opportunities_forecast ON opportunities (status, expected_close, pipeline_id, stage_id, owner_id, branch_id, amount);
CREATE INDEX opportunities_closed ON opportunities (status, closed_at, pipeline_id, stage_id, loss_reason_id, owner_id, branch_id, amount, cycle_days);
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
    id BLOB PRIMARY KEY,
    opportunity_id BLOB NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    pipeline_id BLOB NOT NULL,
    stage_id BLOB NOT NULL,
    owner_id BLOB NOT NULL,
    branch_id BLOB NOT NULL,
    amount INTEGER NOT NULL,
    entered_at TEXT NOT NULL,
    left_at TEXT,
    seconds_in_stage INTEGER
);
CREATE INDEX opportunity_stage_history_entered ON opportunity_stage_history (pipeline_id, stage_id, entered_at, owner_id, branch_id, amount, left_at, seconds_in_stage);
-- The funnel's index covers its columns too and is ordered by stage, so that the stays of a
-- period are read as one range per stage, already grouped (no sort of a million rows); the
-- second finds an opportunity's current stay.
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (opportunity_id, left_at);
