//! `peyvand analytics …` end to end, checked against independent references: lifetimes
//! (BG/NBD, Gamma-Gamma, on the CDNOW sample it ships), mlxtend (association rules),
//! scikit-learn (ROC AUC, logistic regression) and DuckDB (NTILE(5) RFM). The references are
//! produced by `scripts/analytics-references` in a pinned Python environment; when they cannot
//! be produced the tests fail rather than skip.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory with the reference files, made once per test run.
fn references() -> &'static Path {
    static DIRECTORY: OnceLock<PathBuf> = OnceLock::new();
    DIRECTORY.get_or_init(|| {
        let directory = workspace_root().join("target/analytics-references/out");
        let output = Command::new(workspace_root().join("scripts/analytics-references"))
            .arg(&directory)
            .output()
            .expect("running scripts/analytics-references");
        assert!(
            output.status.success(),
            "the reference outputs could not be produced (Python 3.11 and PyPI are needed):\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        directory
    })
}

#[path = "common/scratch.rs"]
mod scratch;

fn temp(name: &str) -> scratch::Scratch {
    scratch::Scratch::new(name)
}

/// Runs `peyvand analytics ARGS`; returns success and everything it printed.
fn analytics(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_peyvand"))
        .arg("analytics")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A CSV file as rows of column name → value, keyed by its first column.
fn read_csv(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let row: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        rows.insert(record[0].to_owned(), row);
    }
    rows
}

fn number(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?}", row[column]))
}

fn assert_close(ours: f64, reference: f64, relative: f64, what: &str) {
    let scale = reference.abs().max(1e-12);
    assert!(
        (ours - reference).abs() <= relative * scale,
        "{what}: ours {ours}, reference {reference}"
    );
}

fn write(name: &str, text: &str) -> scratch::Scratch {
    let path = temp(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn clv_on_cdnow_reproduces_the_paper_and_lifetimes() {
    let references = references();
    let output = temp("clv.csv");
    let params = temp("params.json");
    let (ok, _, stderr) = analytics(&[
        "clv",
        "--orders",
        references.join("cdnow_orders.csv").to_str().unwrap(),
        "--calibration-end",
        "1997-09-30",
        "--time-unit",
        "week",
        "--horizon",
        "39",
        "--discount-rate",
        "0.01",
        "--params-output",
        params.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&params).unwrap()).unwrap();
    // The published estimates, to the printed precision.
    let rounded = |group: &str, name: &str, digits: i32| {
        let scale = 10f64.powi(digits);
        (ours[group][name].as_f64().unwrap() * scale).round() / scale
    };
    assert_eq!(rounded("bgnbd", "r", 3), 0.243);
    assert_eq!(rounded("bgnbd", "alpha", 3), 4.414);
    assert_eq!(rounded("bgnbd", "a", 3), 0.793);
    assert_eq!(rounded("bgnbd", "b", 3), 2.426);
    assert_eq!(rounded("gamma_gamma", "p", 2), 6.25);
    assert_eq!(rounded("gamma_gamma", "q", 2), 3.74);
    assert_eq!(rounded("gamma_gamma", "v", 2), 15.44);
    // And lifetimes' own fit on the same transactions, closely.
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(references.join("cdnow_params.json")).unwrap(),
    )
    .unwrap();
    for (group, names) in [
        ("bgnbd", &["r", "alpha", "a", "b"][..]),
        ("gamma_gamma", &["p", "q", "v"][..]),
    ] {
        for name in names {
            let (a, b) = (
                ours[group][name].as_f64().unwrap(),
                expected[group][name].as_f64().unwrap(),
            );
            assert_close(a, b, 1e-4, name);
        }
    }
    let ours = read_csv(&output);
    let reference = read_csv(&references.join("cdnow_expected.csv"));
    assert_eq!(ours.len(), 2357);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    for (id, row) in &reference {
        for column in ["frequency", "recency", "T", "monetary_value"] {
            assert_close(
                number(&ours[id], column),
                number(row, column),
                1e-9,
                &format!("{id} {column}"),
            );
        }
        // The predictions depend on the fitted parameters, which agree to about 1e-5.
        for column in ["p_alive", "expected_purchases", "expected_avg_value", "clv"] {
            assert_close(
                number(&ours[id], column),
                number(row, column),
                2e-4,
                &format!("{id} {column}"),
            );
        }
    }
}

#[test]
fn rfm_scores_equal_duckdb_ntile() {
    let references = references();
    let output = temp("rfm.csv");
    let (ok, _, stderr) = analytics(&[
        "rfm",
        "--orders",
        references.join("rfm_orders.csv").to_str().unwrap(),
        "--as-of",
        "2024-01-15",
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let ours = read_csv(&output);
    let reference = read_csv(&references.join("rfm_expected.csv"));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    for (id, row) in &reference {
        for column in ["recency_days", "frequency", "r", "f", "m"] {
            assert_eq!(ours[id][column], row[column], "{id} {column}");
        }
        assert_close(
            number(&ours[id], "monetary"),
            number(row, "monetary"),
            1e-12,
            id,
        );
        assert!(!ours[id]["segment"].is_empty());
    }
}

#[test]
fn basket_rules_equal_mlxtend() {
    let references = references();
    let settings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(references.join("basket_settings.json")).unwrap(),
    )
    .unwrap();
    let output = temp("rules.csv");
    let itemsets = temp("itemsets.csv");
    let (ok, _, stderr) = analytics(&[
        "basket",
        "--lines",
        references.join("basket_lines.csv").to_str().unwrap(),
        "--min-support",
        &settings["min_support"].to_string(),
        "--min-confidence",
        &settings["min_confidence"].to_string(),
        "--max-len",
        &settings["max_len"].to_string(),
        "--output",
        output.to_str().unwrap(),
        "--itemsets-output",
        itemsets.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let key = |row: &csv::StringRecord| format!("{} -> {}", &row[0], &row[1]);
    let load = |path: &Path| -> BTreeMap<String, Vec<f64>> {
        csv::Reader::from_path(path)
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (
                    key(&r),
                    r.iter().skip(2).map(|v| v.parse().unwrap()).collect(),
                )
            })
            .collect()
    };
    let (ours, reference) = (load(&output), load(&references.join("basket_expected.csv")));
    assert!(reference.len() > 5, "the reference has rules to compare");
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    for (rule, numbers) in &reference {
        for (a, b) in ours[rule].iter().zip(numbers) {
            assert_close(*a, *b, 1e-12, rule);
        }
    }
    let sets = |path: &Path| {
        read_csv(path)
            .into_iter()
            .map(|(k, v)| (k, number(&v, "support")))
            .collect::<Vec<_>>()
    };
    let (ours, reference) = (
        sets(&itemsets),
        sets(&references.join("basket_itemsets_expected.csv")),
    );
    assert_eq!(ours.len(), reference.len());
    for ((a, x), (b, y)) in ours.iter().zip(&reference) {
        assert_eq!(a, b);
        assert_close(*x, *y, 1e-12, a);
    }
}

#[test]
fn roc_auc_and_logistic_regression_equal_scikit_learn() {
    let references = references();
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(references.join("classification_expected.json")).unwrap(),
    )
    .unwrap();
    let mut reader = csv::Reader::from_path(references.join("auc_input.csv")).unwrap();
    let (mut labels, mut scores) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.unwrap();
        labels.push(&record[0] == "1");
        scores.push(record[1].parse::<f64>().unwrap());
    }
    let auc = peyvand_analytics::churn::roc_auc(&scores, &labels).unwrap();
    assert_close(auc, expected["auc"].as_f64().unwrap(), 1e-12, "AUC");

    let mut reader = csv::Reader::from_path(references.join("logistic_input.csv")).unwrap();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.unwrap();
        x.push(
            (0..4)
                .map(|i| record[i].parse::<f64>().unwrap())
                .collect::<Vec<_>>(),
        );
        y.push(&record[4] == "1");
    }
    let beta = peyvand_analytics::churn::fit_logistic(&x, &y, 1.0).unwrap();
    for (i, weight) in expected["weights"].as_array().unwrap().iter().enumerate() {
        assert_close(
            beta[i],
            weight.as_f64().unwrap(),
            1e-6,
            &format!("weight {i}"),
        );
    }
    assert_close(
        beta[4],
        expected["intercept"].as_f64().unwrap(),
        1e-6,
        "intercept",
    );
}

#[path = "analytics/commands.rs"]
mod commands;
