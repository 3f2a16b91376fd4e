-- Foundation schema: organisation, access rights, customers, notes, relationships, audit trail,
-- sign-in sessions and API tokens. Ids are UUIDv7; timestamps are UTC and set by the application.

CREATE TABLE branches (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT,
    parent_id BLOB REFERENCES branches(id) ON DELETE RESTRICT,
    province TEXT,
    city TEXT
);

CREATE TABLE roles (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    builtin INTEGER NOT NULL,
    description TEXT,
    grants TEXT NOT NULL
);

CREATE TABLE teams (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    description TEXT
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role_id BLOB NOT NULL REFERENCES roles(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT,
    team_id BLOB REFERENCES teams(id) ON DELETE SET NULL,
    locale TEXT,
    calendar TEXT,
    disabled INTEGER NOT NULL,
    password_hash TEXT NOT NULL
);

CREATE TABLE accounts (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    name TEXT NOT NULL,
    customer_kind TEXT,
    lifecycle TEXT,
    industry TEXT,
    source TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    economic_code TEXT,
    address TEXT,
    province TEXT,
    city TEXT,
    tags TEXT,
    description TEXT,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);

CREATE TABLE contacts (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT NOT NULL,
    account_id BLOB REFERENCES accounts(id) ON DELETE SET NULL,
    job_title TEXT,
    mobile TEXT,
    phone TEXT,
    email TEXT,
    gender TEXT,
    birth_date TEXT,
    customer_kind TEXT,
    lifecycle TEXT,
    source TEXT,
    address TEXT,
    province TEXT,
    city TEXT,
    tags TEXT,
    consent_email INTEGER,
    consent_sms INTEGER,
    consent_phone INTEGER,
    opted_out INTEGER,
    preferences TEXT,
    description TEXT,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);

CREATE TABLE leads (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT NOT NULL,
    company TEXT,
    job_title TEXT,
    mobile TEXT,
    phone TEXT,
    email TEXT,
    status TEXT,
    customer_kind TEXT,
    source TEXT,
    industry TEXT,
    province TEXT,
    city TEXT,
    tags TEXT,
    description TEXT,
    converted_account_id BLOB REFERENCES accounts(id) ON DELETE SET NULL,
    converted_contact_id BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    owner_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    branch_id BLOB NOT NULL REFERENCES branches(id) ON DELETE RESTRICT
);


CREATE UNIQUE INDEX users_email ON users (email);
CREATE UNIQUE INDEX roles_name ON roles (name);
CREATE INDEX branches_parent ON branches (parent_id);
CREATE INDEX users_branch ON users (branch_id);
CREATE INDEX users_team ON users (team_id);
CREATE INDEX accounts_name ON accounts (name, id);
CREATE INDEX accounts_owner ON accounts (owner_id);
CREATE INDEX accounts_branch ON accounts (branch_id);
CREATE INDEX contacts_last_name ON contacts (last_name, id);
CREATE INDEX contacts_owner ON contacts (owner_id);
CREATE INDEX contacts_branch ON contacts (branch_id);
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_created ON contacts (created_at, id);
CREATE INDEX leads_last_name ON leads (last_name, id);
CREATE INDEX leads_owner ON leads (owner_id);
CREATE INDEX leads_branch ON leads (branch_id);

-- Free-form notes on any record; they follow the access rights of the record they are on.
CREATE TABLE notes (
    id BLOB PRIMARY KEY,
    record_kind TEXT NOT NULL,
    record_id BLOB NOT NULL,
    author_id BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_record ON notes (record_kind, record_id, created_at);

-- Relationships between customers (family, business, referral): the social graph of PRODUCT.md §11.
CREATE TABLE relationships (
    id BLOB PRIMARY KEY,
    from_kind TEXT NOT NULL,
    from_id BLOB NOT NULL,
    to_kind TEXT NOT NULL,
    to_id BLOB NOT NULL,
    relation_type TEXT NOT NULL,
    note TEXT,
    created_by BLOB NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    created_at TEXT NOT NULL
);
CREATE INDEX relationships_from ON relationships (from_kind, from_id);
CREATE INDEX relationships_to ON relationships (to_kind, to_id);

-- Every create, update and delete: who, when, and old/new values as JSON {"field": [old, new]}.
CREATE TABLE audit_log (
    id BLOB PRIMARY KEY,
    record_kind TEXT NOT NULL,
    record_id BLOB NOT NULL,
    action TEXT NOT NULL,
    actor_id BLOB,
    at TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log (record_kind, record_id, at);

-- Web sessions; the id column holds a SHA-256 of the cookie value, never the value itself.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Personal API tokens; only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins per email address, for throttling guessing.
CREATE TABLE login_throttle (
    email TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);
