-- Bulk SMS, second part (issue 5 §5; PRODUCT.md §6, §7): saved SMS templates with per-contact
-- placeholders, a record kind like contract templates; and campaigns that start later. A
-- campaign is `started` once its recipients are chosen and their jobs queued (every campaign
-- before this migration), `scheduled` until its moment comes, `cancelled` when a user stopped
-- it before then, `failed` when it could not start (its sender lost the right, no gateway).
CREATE TABLE sms_templates (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    search_text TEXT NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_vector tsvector NOT NULL DEFAULT ''::tsvector,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    active BOOLEAN,
    description TEXT
);
CREATE INDEX sms_templates_sort ON sms_templates (sort_key, id);
CREATE INDEX sms_templates_search ON sms_templates USING GIN (search_vector);
CREATE INDEX sms_templates_unsearched ON sms_templates (id) WHERE search_vector = ''::tsvector AND search_text <> '';

ALTER TABLE sms_campaigns ADD COLUMN state TEXT NOT NULL DEFAULT 'started';
ALTER TABLE sms_campaigns ADD COLUMN scheduled_at TIMESTAMPTZ;
ALTER TABLE sms_campaigns ADD COLUMN template_id UUID;
