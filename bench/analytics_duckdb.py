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


def generate_clv(path, customers):
    """Orders drawn from the BG/NBD story (CDNOW-like parameters, time in weeks): each
    customer has a purchase rate and a drop-out probability, buys for up to two years after a
    first purchase in the first year, and may drop out after each purchase."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(6)
    r, alpha, a, b, cap = 0.5, 4.0, 0.8, 2.5, 40
    rate = rng.gamma(r, 1 / alpha, customers)
    dropout = rng.beta(a, b, customers)
    first = rng.integers(0, 365, customers)
    horizon_weeks = (730 - first) / 7
    gaps = rng.exponential(1.0, (customers, cap)) / rate[:, None]
    times = np.cumsum(gaps, axis=1)
    alive_purchases = rng.geometric(dropout)  # repeat purchases made before dropping out
    index = np.arange(cap)[None, :]
    keep = (times < horizon_weeks[:, None]) & (index < alive_purchases[:, None])
    rows, cols = np.nonzero(keep)
    days = np.concatenate([first, first[rows] + np.floor(times[rows, cols] * 7).astype(int)])
    ids = np.concatenate([np.arange(customers), rows])
    # Gamma-Gamma spend: each customer's purchases are Gamma(p, nu) with nu ~ Gamma(q, v).
    nu = rng.gamma(3.7, 1 / 15.0, customers)
    amounts = np.round(rng.gamma(6.25, 1 / nu[ids]), 2) + 0.01
    frame = pd.DataFrame({
        "customer_id": pd.Series(ids).map("K{:07d}".format),
        "order_date": (pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
        "amount": amounts,
    })
    frame.to_csv(path, index=False)


if sys.argv[1] == "generate-clv":
    generate_clv(sys.argv[2], int(sys.argv[3]))
elif sys.argv[1] == "generate":
    generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
else:
    rfm(sys.argv[2], sys.argv[3], sys.argv[4])
