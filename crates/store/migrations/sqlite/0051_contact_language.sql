-- The language a contact wants to be written to in (notifications about their cases).
ALTER TABLE contacts ADD COLUMN preferred_language TEXT;
