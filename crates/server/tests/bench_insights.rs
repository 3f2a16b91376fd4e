//! RFM from Peyvand's own database (`peyvand bench insights-rfm`, issue 6 §Performance), on
//! SQLite and PostgreSQL: over generated invoices, more than one batch of the reading thread,
//! it writes exactly what `peyvand analytics rfm` writes for the same orders exported to CSV —
//! the same customers, totals, scores and segments — so the faster path of the benchmark is the
//! same computation.

mod common;

use std::process::Command;

use common::backends;

fn temp(name: &str) -> common::scratch::Scratch {
    common::scratch::Scratch::new(name)
}

fn peyvand(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_peyvand"))
        .args(args)
        .env("PEYVAND_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "peyvand {args:?}: {text}");
    text
}

#[tokio::test]
async fn rfm_from_the_database_is_the_rfm_of_its_orders_as_csv() {
    for t in backends().await {
        peyvand(&[
            "bench",
            "insights-seed",
            "--database",
            &t.url,
            "--customers",
            "700",
            "--orders",
            "20000",
        ]);
        let (from_db, orders, from_csv) = (temp("db.csv"), temp("orders.csv"), temp("csv.csv"));
        let as_of = "2030-01-01";
        let text = peyvand(&[
            "bench",
            "insights-rfm",
            "--database",
            &t.url,
            "--as-of",
            as_of,
            "--output",
            from_db.to_str().unwrap(),
        ]);
        assert!(text.contains("RFM of "), "{text}");
        peyvand(&[
            "bench",
            "insights-export",
            "--database",
            &t.url,
            "--output",
            orders.to_str().unwrap(),
        ]);
        peyvand(&[
            "analytics",
            "rfm",
            "--orders",
            orders.to_str().unwrap(),
            "--as-of",
            as_of,
            "--output",
            from_csv.to_str().unwrap(),
        ]);
        let exported = std::fs::read_to_string(&orders).unwrap();
        assert!(exported.lines().count() > 20_000, "{}", t.name());
        let (db, csv) = (
            std::fs::read_to_string(&from_db).unwrap(),
            std::fs::read_to_string(&from_csv).unwrap(),
        );
        // 700 generated customers and the demo's own, every one of them in both files.
        assert!(db.lines().count() > 700, "{}: {db}", t.name());
        assert_eq!(db, csv, "{}", t.name());
        for file in [from_db, orders, from_csv] {
            let _ = std::fs::remove_file(file);
        }
    }
}
