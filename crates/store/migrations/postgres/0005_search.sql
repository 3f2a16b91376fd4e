-- Full-text search (issue 3): each record's words as a tsvector, written by the store from the
-- normalised search_text with the same word rule as SQLite's index (peyvand_store::search_tokens),
-- so both databases match the same records. Lexemes are stored as they are (no stemming, no
-- stop words, like the 'simple' configuration); a GIN index answers word and prefix queries.
-- Rows written before this migration are filled in at start (Tx::backfill_search); the partial
-- indexes find them without reading every row, and stay empty afterwards.
ALTER TABLE accounts ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX accounts_search ON accounts USING GIN (search_vector);
CREATE INDEX accounts_unsearched ON accounts (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE contacts ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX contacts_search ON contacts USING GIN (search_vector);
CREATE INDEX contacts_unsearched ON contacts (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE leads ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX leads_search ON leads USING GIN (search_vector);
CREATE INDEX leads_unsearched ON leads (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE users ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX users_search ON users USING GIN (search_vector);
CREATE INDEX users_unsearched ON users (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE teams ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX teams_search ON teams USING GIN (search_vector);
CREATE INDEX teams_unsearched ON teams (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE roles ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX roles_search ON roles USING GIN (search_vector);
CREATE INDEX roles_unsearched ON roles (id) WHERE search_vector = ''::tsvector AND search_text <> '';
ALTER TABLE branches ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX branches_search ON branches USING GIN (search_vector);
CREATE INDEX branches_unsearched ON branches (id) WHERE search_vector = ''::tsvector AND search_text <> '';
