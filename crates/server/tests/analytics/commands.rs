//! The commands without an external reference (their rules are simple and documented), and
//! what every command does with bad input.

use super::{analytics, read_csv, temp, write};

/// Orders of 300 customers who buy every 10 days; every third stops 200 days before the end.
fn regular_orders() -> String {
    let mut text = String::from("customer_id,order_date,amount\n");
    for customer in 0..300 {
        let stop = if customer % 3 == 0 { 500 } else { 730 };
        let mut day = customer % 10;
        while day < stop {
            let date = time::Date::from_calendar_date(2023, time::Month::January, 1).unwrap()
                + time::Duration::days(day);
            text += &format!("k{customer},{date},{}.5\n", 10 + customer % 7);
            day += 10;
        }
    }
    text
}

#[test]
fn churn_prints_auc_and_gives_lapsed_customers_high_probabilities_with_reasons() {
    let orders = write("orders.csv", &regular_orders());
    let output = temp("churn.csv");
    let (ok, _, stderr) = analytics(&[
        "churn",
        "--orders",
        orders.to_str().unwrap(),
        "--as-of",
        "2025-01-01",
        "--horizon-days",
        "60",
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let auc: f64 = stderr
        .split("ROC AUC on held-out customers: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no AUC printed: {stderr}"));
    assert!(auc > 0.9, "{auc}");
    let rows = read_csv(&output);
    assert_eq!(rows.len(), 300);
    let lapsed: f64 = rows["k0"]["churn_probability"].parse().unwrap();
    let active: f64 = rows["k1"]["churn_probability"].parse().unwrap();
    assert!(lapsed > 0.5 && active < 0.5, "{lapsed} {active}");
    assert!(
        rows["k0"]["top_reasons"].contains("days"),
        "{}",
        rows["k0"]["top_reasons"]
    );
}

#[test]
fn rfm_reads_jalali_dates_and_names_segments() {
    let orders = write(
        "orders.csv",
        "customer_id,order_date,amount\na,1403-01-01,10\na,1403-02-01,10\nb,1402-12-29,5\nc,1403-02-10,100\n",
    );
    let (ok, stdout, stderr) = analytics(&[
        "rfm",
        "--orders",
        orders.to_str().unwrap(),
        "--as-of",
        "1403-02-11",
        "--jalali",
    ]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "customer_id,recency_days,frequency,monetary,r,f,m,segment"
    );
    // a: last 1403-02-01 (10 days), 2 orders; b: 1402-12-29 (42 days); c: 1 day.
    assert_eq!(lines[1], "a,10,2,20,2,3,2,at_risk");
    assert_eq!(lines[2], "b,42,1,5,1,1,1,lost");
    assert_eq!(lines[3], "c,1,1,100,3,2,3,about_to_sleep");
}

#[test]
fn nps_by_period_and_group() {
    let answers = write(
        "answers.csv",
        "customer_id,score,date,branch\n1,10,2024-01-03,north\n2,3,2024-01-09,north\n3,9,2024-02-01,north\n4,7,2024-01-15,south\n",
    );
    let (ok, stdout, stderr) = analytics(&[
        "nps",
        "--answers",
        answers.to_str().unwrap(),
        "--by",
        "branch",
    ]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "branch,period,responses,promoters,passives,detractors,nps,csat,trend"
    );
    assert_eq!(lines[1], "north,2024-01,2,1,0,1,0.00,50.00,");
    assert_eq!(lines[2], "north,2024-02,1,1,0,0,100.00,100.00,100.00");
    assert_eq!(lines[3], "south,2024-01,1,0,1,0,0.00,100.00,");
    assert_eq!(lines[4], ",all,4,2,1,1,25.00,75.00,");
}

#[test]
fn pyramid_and_matrix_rank_and_place_customers() {
    let mut text = String::from("customer_id,revenue,product_cost,cost_to_serve\n");
    for i in 0..10 {
        text += &format!(
            "c{i},{},{},{}\n",
            100 + 10 * i,
            50 + (i % 3) * 10,
            5 + (i % 4) * 5
        );
    }
    let customers = write("customers.csv", &text);
    let (ok, stdout, stderr) = analytics(&["pyramid", "--customers", customers.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let tiers: Vec<&str> = stdout
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(tiers.iter().filter(|t| **t == "top").count(), 2);
    assert_eq!(tiers.iter().filter(|t| **t == "bottom").count(), 2);
    // c9: revenue 190, cost 50, serve 10 → profit 130, the highest.
    assert!(stdout.contains("c9,130,1,top"), "{stdout}");
    let (ok, stdout, stderr) = analytics(&[
        "matrix",
        "--customers",
        customers.to_str().unwrap(),
        "--margin-threshold",
        "0.5",
        "--cost-threshold",
        "0.1",
    ]);
    assert!(ok, "{stderr}");
    // c0: margin 0.5 (not above 0.5), cost 5/100 = 0.05 → cheap_familiar.
    assert!(
        stdout.contains("c0,100,0.500000,0.050000,45,cheap_familiar"),
        "{stdout}"
    );
    // c7: revenue 170, cost 60 → margin 0.647; serve 20/170 = 0.118 → demanding.
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("c7,") && l.ends_with(",demanding")),
        "{stdout}"
    );
    assert!(stderr.contains("passive_champion"));
}

#[test]
fn loyalty_classes_follow_the_documented_rule() {
    let purchases = write(
        "purchases.csv",
        "customer_id,order_date,brand\n\
         one,2024-01-01,A\none,2024-02-01,A\n\
         switch,2024-01-01,A\nswitch,2024-01-05,B\nswitch,2024-01-09,B\n\
         split,2024-01-01,A\nsplit,2024-01-02,B\nsplit,2024-01-03,A\n\
         none,2024-01-01,A\nnone,2024-01-02,B\nnone,2024-01-03,C\nnone,2024-01-04,D\nnone,2024-01-05,B\n",
    );
    let (ok, stdout, stderr) = analytics(&["loyalty", "--purchases", purchases.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("one,2,1,A,1.0000,undivided"), "{stdout}");
    assert!(stdout.contains("switch,3,2,B,0.6667,unstable"), "{stdout}");
    assert!(stdout.contains("split,3,2,A,0.6667,divided"), "{stdout}");
    assert!(stdout.contains("none,5,4,B,0.4000,disloyal"), "{stdout}");
}

/// Runs a command that must fail, and checks the message and that no output file appeared.
fn refused(args: &[&str], message: &str) {
    let output = temp("out.csv");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--output", output.to_str().unwrap()]);
    let (ok, _, stderr) = analytics(&all);
    assert!(!ok, "{args:?} should fail");
    assert!(
        stderr.contains(message),
        "{args:?}: expected {message:?} in {stderr}"
    );
    let directory = output.parent().unwrap();
    let left: Vec<_> = std::fs::read_dir(directory)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !output.exists() && left.is_empty(),
        "{args:?} left {left:?}"
    );
}

#[test]
fn bad_input_is_refused_with_the_line_or_reason_and_no_output() {
    // The files are kept until the test ends: a scratch file is removed when it is dropped.
    let kept = std::cell::RefCell::new(Vec::new());
    let file = |text: &str| {
        let scratch = write("input.csv", text);
        let path = scratch.to_str().unwrap().to_owned();
        kept.borrow_mut().push(scratch);
        path
    };
    let empty = file("");
    refused(
        &["rfm", "--orders", &empty, "--as-of", "2024-01-01"],
        "the file is empty",
    );
    let header_only = file("customer_id,order_date,amount\n");
    refused(
        &["rfm", "--orders", &header_only, "--as-of", "2024-01-01"],
        "no data rows",
    );
    let missing = file("customer_id,order_date\na,2024-01-01\n");
    refused(
        &["rfm", "--orders", &missing, "--as-of", "2024-01-01"],
        "missing column \"amount\"",
    );
    let negative = file("customer_id,order_date,amount\na,2024-01-01,5\nb,2024-01-02,-3\n");
    refused(
        &["rfm", "--orders", &negative, "--as-of", "2024-02-01"],
        "line 3",
    );
    refused(
        &["rfm", "--orders", &negative, "--as-of", "2024-02-01"],
        "negative amount -3",
    );
    let bad_date = file("customer_id,order_date,amount\na,2024-02-30,5\n");
    refused(
        &[
            "clv",
            "--orders",
            &bad_date,
            "--calibration-end",
            "2024-03-01",
        ],
        "cannot read the date \"2024-02-30\"",
    );
    refused(
        &["rfm", "--orders", &negative, "--as-of", "yesterday"],
        "--as-of: cannot read the date",
    );
    let early = file("customer_id,order_date,amount\na,2024-01-01,5\na,2024-02-01,5\n");
    refused(
        &["clv", "--orders", &early, "--calibration-end", "2023-06-01"],
        "before every order",
    );
    let nobody_returns = file("customer_id,order_date,amount\na,2024-01-01,5\nb,2024-01-02,5\n");
    refused(
        &[
            "clv",
            "--orders",
            &nobody_returns,
            "--calibration-end",
            "2024-03-01",
        ],
        "no customer bought more than once",
    );
    // Everybody buys every 10 days and never stops: the drop-out model has no finite optimum.
    let never_leave = file(&super_regular());
    refused(
        &[
            "clv",
            "--orders",
            &never_leave,
            "--calibration-end",
            "2024-12-31",
            "--time-unit",
            "day",
        ],
        "did not converge",
    );
    let bad_score = file("customer_id,score,date\na,11,2024-01-01\n");
    refused(
        &["nps", "--answers", &bad_score],
        "not a whole number from 0 to 10",
    );
    let twice = file("customer_id,revenue,product_cost,cost_to_serve\na,1,0,0\na,2,0,0\n");
    refused(&["pyramid", "--customers", &twice], "appears again");
    refused(
        &[
            "basket",
            "--lines",
            &file("order_id,product\n1,x\n"),
            "--min-support",
            "0",
            "--min-confidence",
            "0.5",
        ],
        "minimum support",
    );
}

fn super_regular() -> String {
    let mut text = String::from("customer_id,order_date,amount\n");
    for customer in 0..50 {
        for month in 1..=12 {
            text += &format!("p{customer},2024-{month:02}-{:02},10\n", 1 + customer % 20);
        }
    }
    text
}

/// Files above 16 MiB (1 MiB in debug builds) are read on two threads; a quoted field makes
/// the command read on one.
/// Both must give the same result, and errors must name the line in the whole file.
#[test]
fn large_files_read_in_two_parts_give_the_same_result_and_line_numbers() {
    let mut text = String::from("customer_id,order_date,amount\n");
    let mut row = 0u64;
    while text.len() < 3 << 19 {
        text += &format!(
            "cust{:05},2024-{:02}-{:02},{}.{:02}\n",
            row * 7919 % 3001,
            row % 12 + 1,
            row % 28 + 1,
            row % 500,
            row % 100
        );
        row += 1;
    }
    let plain = write("plain.csv", &text);
    let quoted = write(
        "quoted.csv",
        &text.replacen("cust00000,", "\"cust00000\",", 1),
    );
    let run = |path: &std::path::Path| {
        let (ok, stdout, stderr) = analytics(&[
            "rfm",
            "--orders",
            path.to_str().unwrap(),
            "--as-of",
            "2025-01-01",
        ]);
        assert!(ok, "{stderr}");
        stdout
    };
    let (two_threads, one_thread) = (run(&plain), run(&quoted));
    assert_eq!(two_threads.lines().count(), 3002);
    assert!(
        two_threads == one_thread,
        "the two ways of reading disagree"
    );
    let lines = text.lines().count();
    let broken = write("broken.csv", &format!("{text}late,2024-01-01,-1\n"));
    refused(
        &[
            "rfm",
            "--orders",
            broken.to_str().unwrap(),
            "--as-of",
            "2025-01-01",
        ],
        &format!("line {}", lines + 1),
    );
}
