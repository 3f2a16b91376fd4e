-- Satisfaction surveys (issue 5): one per closed case, answered once through a link that holds
-- a random token (stored only as its hash): CSAT 1–5, the 0–10 NPS question and a comment.
CREATE TABLE surveys (
    id BLOB PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    case_id BLOB NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    account_id BLOB REFERENCES accounts(id) ON DELETE SET NULL,
    contact_id BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    locale TEXT NOT NULL,
    created_at TEXT NOT NULL,
    answered_at TEXT,
    csat INTEGER,
    nps INTEGER,
    comment TEXT
);
CREATE INDEX surveys_case ON surveys (case_id);
CREATE INDEX surveys_account ON surveys (account_id, created_at) WHERE account_id IS NOT NULL;
CREATE INDEX surveys_contact ON surveys (contact_id, created_at) WHERE contact_id IS NOT NULL;
CREATE INDEX surveys_answered ON surveys (answered_at) WHERE answered_at IS NOT NULL;
