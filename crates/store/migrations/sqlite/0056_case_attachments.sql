-- Files attached to cases (issue 5). The file itself lives outside the database and outside
-- any web root, under `stored_name` (a generated id) in the server's files directory.
CREATE TABLE case_attachments (
    id BLOB PRIMARY KEY,
    case_id BLOB NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    from_customer INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, created_at);
