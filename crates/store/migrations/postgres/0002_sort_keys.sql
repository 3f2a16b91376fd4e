-- Persian-aware order for each kind's default sort field (see domain::sort): a key column that
-- both databases compare bytewise ("C" collation here), with an index for keyset pages. Filled
-- by the application.
ALTER TABLE branches ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX branches_sort ON branches (sort_key, id);
ALTER TABLE roles ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX roles_sort ON roles (sort_key, id);
ALTER TABLE teams ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX teams_sort ON teams (sort_key, id);
ALTER TABLE users ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX users_sort ON users (sort_key, id);
ALTER TABLE accounts ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX accounts_sort ON accounts (sort_key, id);
ALTER TABLE contacts ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX contacts_sort ON contacts (sort_key, id);
ALTER TABLE leads ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX leads_sort ON leads (sort_key, id);
