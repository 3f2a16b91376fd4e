-- The customer portal (issue 5): contacts given access sign in with accounts of their own,
-- apart from staff users, and their sessions are apart from staff sessions too.
CREATE TABLE portal_users (
    id BLOB PRIMARY KEY,
    contact_id BLOB NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE portal_sessions (
    id_hash TEXT PRIMARY KEY,
    portal_user_id BLOB NOT NULL REFERENCES portal_users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX portal_sessions_user ON portal_sessions (portal_user_id);
