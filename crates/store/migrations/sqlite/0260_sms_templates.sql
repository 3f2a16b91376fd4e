-- Bulk SMS, second part (issue 5 §5; PRODUCT.md §6, §7): saved SMS templates with per-contact
-- placeholders, a record kind like contract templates; and campaigns that start later. A
-- campaign is `started` once its recipients are chosen and their jobs queued (every campaign
-- before this migration), `scheduled` until its moment comes, `cancelled` when a user stopped
-- it before then, `failed` when it could not start (its sender lost the right, no gateway).
CREATE TABLE sms_templates (
    id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    active INTEGER,
    description TEXT
);
CREATE INDEX sms_templates_sort ON sms_templates (sort_key, id);
CREATE VIRTUAL TABLE sms_templates_search USING fts5(
    search_text, content='sms_templates', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER sms_templates_search_insert AFTER INSERT ON sms_templates BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sms_templates', new.rowid, 0, NULL);
END;
CREATE TRIGGER sms_templates_search_delete AFTER DELETE ON sms_templates BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sms_templates', old.rowid, 1, old.search_text);
END;
CREATE TRIGGER sms_templates_search_update AFTER UPDATE OF search_text ON sms_templates
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO pending_search_rows VALUES ('sms_templates', old.rowid, 1, old.search_text);
END;

ALTER TABLE sms_campaigns ADD COLUMN state TEXT NOT NULL DEFAULT 'started';
ALTER TABLE sms_campaigns ADD COLUMN scheduled_at TEXT;
ALTER TABLE sms_campaigns ADD COLUMN template_id BLOB;
