-- Bulk SMS campaigns (issue 5 §5): one row per send a user confirmed, with the text, the list
-- filter that chose the recipients, and how many contacts were left out because they did not
-- allow SMS or have no number. Each recipient is a row that follows its message: queued, sent
-- (with the gateway's id and delivery report) or failed. Recipients are sent in chunks, one job
-- of the queue per chunk, named by job_id.
CREATE TABLE sms_campaigns (
    id UUID PRIMARY KEY,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    text TEXT NOT NULL,
    filter TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    not_allowed BIGINT NOT NULL,
    no_number BIGINT NOT NULL
);
CREATE TABLE sms_campaign_recipients (
    campaign_id UUID NOT NULL REFERENCES sms_campaigns(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    contact_id UUID NOT NULL,
    job_id UUID NOT NULL,
    state TEXT NOT NULL,
    provider_id TEXT,
    delivery TEXT,
    delivery_checked_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (campaign_id, phone)
);
CREATE INDEX sms_campaign_recipients_job ON sms_campaign_recipients (job_id);
CREATE INDEX sms_campaign_recipients_watch ON sms_campaign_recipients (delivery_checked_at)
    WHERE delivery = 'pending';
