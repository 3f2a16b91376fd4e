-- A routing rule names several customer classes, any of which matches (issue 5 §3). An earlier
-- rule's one class becomes a list of one, written as tags are (",A,": a comma before and after
-- each; a tag holds no comma, so one in an old name becomes a space, as the forms would make it).
ALTER TABLE routing_rules ADD COLUMN match_customer_classes TEXT;
UPDATE routing_rules
   SET match_customer_classes = ',' || replace(trim(match_customer_class), ',', ' ') || ','
 WHERE trim(match_customer_class) <> '';
ALTER TABLE routing_rules DROP COLUMN match_customer_class;
