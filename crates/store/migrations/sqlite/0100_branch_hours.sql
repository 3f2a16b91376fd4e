-- A branch's own working week (issue 5 §4): service-level clocks count in the working hours of
-- the case's branch. Each day holds 'HH:MM-HH:MM' or nothing (closed); a branch without a week
-- of its own follows its parent, and headquarters the Iranian default.
ALTER TABLE branches ADD COLUMN own_working_hours INTEGER;
ALTER TABLE branches ADD COLUMN hours_saturday TEXT;
ALTER TABLE branches ADD COLUMN hours_sunday TEXT;
ALTER TABLE branches ADD COLUMN hours_monday TEXT;
ALTER TABLE branches ADD COLUMN hours_tuesday TEXT;
ALTER TABLE branches ADD COLUMN hours_wednesday TEXT;
ALTER TABLE branches ADD COLUMN hours_thursday TEXT;
ALTER TABLE branches ADD COLUMN hours_friday TEXT;
