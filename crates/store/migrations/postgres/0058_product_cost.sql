-- A product's cost price in whole Rials (issue 4 §8 and issue 6 §6): what one unit costs the
-- company, so the margin of a sale (net line amount minus quantity times cost) can rank
-- customers into classes and feed the profitability analyses. Empty means unknown (margin
-- then counts the cost as zero).
ALTER TABLE products ADD COLUMN cost_price BIGINT;
