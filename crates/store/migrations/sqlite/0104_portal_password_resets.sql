-- Portal password resets (issue 5 §7): a customer who forgot their password gets a link by
-- email with a random token, stored here only as its hash, valid for an hour and once.
CREATE TABLE portal_password_resets (
    token_hash TEXT PRIMARY KEY,
    portal_user_id BLOB NOT NULL REFERENCES portal_users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX portal_password_resets_user ON portal_password_resets (portal_user_id);
