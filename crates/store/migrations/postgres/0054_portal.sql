-- The customer portal (issue 5): contacts given access sign in with accounts of their own,
-- apart from staff users, and their sessions are apart from staff sessions too.
CREATE TABLE portal_users (
    id UUID PRIMARY KEY,
    contact_id UUID NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE portal_sessions (
    id_hash TEXT PRIMARY KEY,
    portal_user_id UUID NOT NULL REFERENCES portal_users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX portal_sessions_user ON portal_sessions (portal_user_id);
