"""Writes reference outputs for the analytics tests (see scripts/analytics-references).

Every number here comes from an independent implementation: lifetimes for BG/NBD and
Gamma-Gamma, mlxtend for association rules, scikit-learn for ROC AUC and logistic
regression, DuckDB's NTILE(5) for RFM. Inputs are either data shipped inside those packages
(the CDNOW sample of lifetimes) or generated here from a fixed seed.
"""

import json
import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import duckdb
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_dataset
from lifetimes.utils import summary_data_from_transaction_data
from mlxtend.frequent_patterns import apriori, association_rules
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

out = Path(sys.argv[1])
rng = np.random.default_rng(20240320)


def cdnow():
    """The CDNOW sample of Fader, Hardie & Lee (2005), as lifetimes ships it."""
    tx = load_dataset(
        "CDNOW_sample.txt",
        header=None,
        delim_whitespace=True,
        names=["customer_id", "customer_index", "date", "quantity", "amount"],
    )
    tx["order_date"] = pd.to_datetime(tx["date"].astype(str), format="%Y%m%d")
    orders = tx[["customer_id", "order_date", "amount"]].copy()
    orders["order_date"] = orders["order_date"].dt.strftime("%Y-%m-%d")
    orders.to_csv(out / "cdnow_orders.csv", index=False)
    # Continuous weeks: days / 7, as in the paper.
    summary = summary_data_from_transaction_data(
        tx, "customer_id", "order_date", monetary_value_col="amount",
        observation_period_end="1997-09-30", freq="D", freq_multiplier=7,
    )
    bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    ggf = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    horizon, discount = 39, 0.01
    f, r, t, m = summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"]
    summary["p_alive"] = bgf.conditional_probability_alive(f, r, t)
    summary["expected_purchases"] = bgf.conditional_expected_number_of_purchases_up_to_time(horizon, f, r, t)
    summary["expected_avg_value"] = ggf.conditional_expected_average_profit(f, m)
    # The value over the horizon, one week at a time, discounted per week, written out with
    # lifetimes' own prediction functions.
    clv = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for week in range(1, horizon + 1):
        cumulative = bgf.conditional_expected_number_of_purchases_up_to_time(week, f, r, t).values
        clv += summary["expected_avg_value"].values * (cumulative - previous) / (1 + discount) ** week
        previous = cumulative
    summary["clv"] = clv
    summary.index = summary.index.astype(str)
    summary.to_csv(out / "cdnow_expected.csv", index_label="customer_id")
    params = {
        "bgnbd": {k: float(bgf.params_[k]) for k in ["r", "alpha", "a", "b"]},
        "gamma_gamma": {k: float(ggf.params_[k]) for k in ["p", "q", "v"]},
        "horizon": horizon,
        "discount_rate": discount,
    }
    (out / "cdnow_params.json").write_text(json.dumps(params, indent=2))


def rfm():
    """Orders with many ties (dates, counts, amounts) scored by DuckDB's NTILE(5)."""
    n = 3000
    customers = np.array([f"c{i}" for i in rng.integers(0, 617, n)])
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    amounts = rng.choice([5.0, 10.0, 12.5, 99.99, 100.0, 0.0, 3.1415], n)
    orders = pd.DataFrame({"customer_id": customers, "order_date": days.strftime("%Y-%m-%d"), "amount": amounts})
    orders.to_csv(out / "rfm_orders.csv", index=False)
    rfm_query(str(out / "rfm_orders.csv"), "2024-01-15").to_csv(out / "rfm_expected.csv", index=False)


def rfm_query(path, as_of):
    return duckdb.sql(f"""
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
        FROM c ORDER BY customer_id""").df()


def basket():
    """Order lines with correlated products, mined by mlxtend."""
    products = ["bread", "milk", "butter", "jam", "tea", "sugar", "rice", "oil", "salt", "eggs"]
    lines = []
    for order in range(800):
        basket = set(rng.choice(products, rng.integers(1, 5), replace=False))
        if "bread" in basket and rng.random() < 0.7:
            basket.add("butter")
        if "tea" in basket and rng.random() < 0.6:
            basket.add("sugar")
        lines += [(f"o{order}", p) for p in sorted(basket)]
    frame = pd.DataFrame(lines, columns=["order_id", "product"])
    frame.to_csv(out / "basket_lines.csv", index=False)
    onehot = pd.crosstab(frame["order_id"], frame["product"]).astype(bool)
    settings = {"min_support": 0.05, "min_confidence": 0.3, "max_len": 3}
    sets = apriori(onehot, min_support=settings["min_support"], use_colnames=True, max_len=settings["max_len"])
    rules = association_rules(sets, metric="confidence", min_threshold=settings["min_confidence"])
    join = lambda items: "|".join(sorted(items))
    rules = pd.DataFrame({
        "antecedents": rules["antecedents"].map(join),
        "consequents": rules["consequents"].map(join),
        "support": rules["support"], "confidence": rules["confidence"], "lift": rules["lift"],
    }).sort_values(["antecedents", "consequents"])
    rules.to_csv(out / "basket_expected.csv", index=False, float_format="%.17g")
    sets = pd.DataFrame({"itemsets": sets["itemsets"].map(join), "support": sets["support"]}).sort_values("itemsets")
    sets.to_csv(out / "basket_itemsets_expected.csv", index=False, float_format="%.17g")
    (out / "basket_settings.json").write_text(json.dumps(settings))


def classification():
    """Scores with ties for ROC AUC, and a design matrix for logistic regression."""
    labels = rng.random(500) < 0.3
    scores = np.round(rng.random(500) + 0.4 * labels, 2)
    pd.DataFrame({"label": labels.astype(int), "score": scores}).to_csv(out / "auc_input.csv", index=False)
    x = rng.normal(size=(400, 4))
    y = (x @ np.array([1.5, -2.0, 0.0, 0.7]) + 0.3 + rng.logistic(size=400)) > 0
    model = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(x, y)
    frame = pd.DataFrame(x, columns=["x1", "x2", "x3", "x4"])
    frame["label"] = y.astype(int)
    frame.to_csv(out / "logistic_input.csv", index=False, float_format="%.17g")
    (out / "classification_expected.json").write_text(json.dumps({
        "auc": float(roc_auc_score(labels, scores)),
        "weights": [float(w) for w in model.coef_[0]],
        "intercept": float(model.intercept_[0]),
    }))


cdnow()
rfm()
basket()
classification()
print(f"references written to {out}")
