"""The DuckDB side of bench/analytics.sh: generate the orders, or run RFM with NTILE(5)."""

import sys

import duckdb


def generate(path, rows, customers):
    # Every customer orders at least once; the other rows go to random customers. Amounts have
    # two decimals so both sides sum them exactly.
    duckdb.sql(f"""
        COPY (
            SELECT 'C' || lpad(CAST(CASE WHEN i < {customers} THEN i
                                         ELSE CAST(floor(random() * {customers}) AS BIGINT) END AS VARCHAR), 7, '0')
                       AS customer_id,
                   DATE '2023-01-01' + CAST(floor(random() * 730) AS INTEGER) AS order_date,
                   CAST(round(1 + random() * 999, 2) AS DECIMAL(10,2)) AS amount
            FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')""")


def rfm(path, as_of, output):
    duckdb.sql("SET threads = 2")
    duckdb.sql(f"""
        COPY (
            WITH c AS (
                SELECT customer_id, max(order_date) AS last_order, count(*) AS frequency,
                       sum(amount) AS monetary
                FROM read_csv('{path}', header = true,
                     columns = {{'customer_id': 'VARCHAR', 'order_date': 'DATE', 'amount': 'DECIMAL(18,4)'}})
                WHERE order_date <= DATE '{as_of}'
                GROUP BY customer_id)
            SELECT customer_id, DATE '{as_of}' - last_order AS recency_days, frequency, monetary,
                   NTILE(5) OVER (ORDER BY DATE '{as_of}' - last_order DESC, customer_id) AS r,
                   NTILE(5) OVER (ORDER BY frequency, customer_id) AS f,
                   NTILE(5) OVER (ORDER BY monetary, customer_id) AS m
            FROM c ORDER BY customer_id
        ) TO '{output}' (HEADER, DELIMITER ',')""")


if sys.argv[1] == "generate":
    generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
else:
    rfm(sys.argv[2], sys.argv[3], sys.argv[4])
