-- Activity reminders by email (issue 5 §1): when each activity's reminder went out, so the
-- worker's sweep sends it once across restarts; moving the reminder clears it. The sweep reads
-- only reminders not yet sent, by their moment.
ALTER TABLE activities ADD COLUMN reminder_sent_at TEXT;
CREATE INDEX activities_reminder_watch ON activities (remind_at)
    WHERE reminder_sent_at IS NULL AND remind_at IS NOT NULL AND completed_at IS NULL;
