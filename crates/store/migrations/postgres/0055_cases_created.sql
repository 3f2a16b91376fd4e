-- The service report reads the cases opened in a period.
CREATE INDEX cases_created ON cases (created_at);
