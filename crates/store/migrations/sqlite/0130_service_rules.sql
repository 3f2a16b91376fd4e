-- SLA targets per customer class and routing by product and customer class (issue 5 §3, §4).
-- A target with a class overrides its priority's general target for that class's customers.
ALTER TABLE sla_targets ADD COLUMN customer_class TEXT;
-- Routing conditions: products (tags of catalogue codes or names) and a customer class.
ALTER TABLE routing_rules ADD COLUMN match_products TEXT;
ALTER TABLE routing_rules ADD COLUMN match_customer_class TEXT;
-- The customer's class when the case was opened, and the target that applied.
ALTER TABLE cases ADD COLUMN customer_class TEXT;
ALTER TABLE cases ADD COLUMN sla_target_id BLOB REFERENCES sla_targets(id) ON DELETE SET NULL;
