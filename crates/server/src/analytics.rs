//! `peyvand analytics …`: the analytical CRM on CSV files exported from any system.
//!
//! Each command reads a CSV, calls the pure algorithms of `peyvand-analytics` and writes a CSV
//! (to `--output` or standard output). Bad input stops the command with a message naming the
//! line or the reason, a non-zero exit code and no output file. The input formats are in
//! `docs/analytics.md`.

pub(crate) mod io;
mod rfm;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use peyvand_analytics::dates::Day;
use peyvand_analytics::{amount, basket, churn, clv, loyalty, nps, value};

use io::{FastMap, field};

/// The analytics commands.
#[derive(Subcommand)]
pub enum AnalyticsCommand {
    /// RFM scores (quintiles as SQL NTILE(5)) and segments from orders.
    Rfm(RfmArgs),
    /// Customer lifetime value: BG/NBD and Gamma-Gamma fitted by maximum likelihood.
    Clv(ClvArgs),
    /// Churn probability with reasons, from a model validated on held-out customers.
    Churn(ChurnArgs),
    /// Frequent item sets and association rules from order lines.
    Basket(BasketArgs),
    /// NPS and CSAT per period from 0–10 survey answers.
    Nps(NpsArgs),
    /// Value pyramid: top 20%, middle 60% and bottom 20% of customers by profit.
    Pyramid(EconomicsArgs),
    /// Profitability matrix: margin against cost to serve, four cells.
    Matrix(MatrixArgs),
    /// Loyalty classes (undivided, divided, unstable, disloyal) from purchases by brand.
    Loyalty(LoyaltyArgs),
}

/// Options shared by commands that read dated rows.
#[derive(Args)]
pub struct Calendar {
    /// Dates in the file and on the command line are Jalali (e.g. 1403-01-15).
    #[arg(long)]
    jalali: bool,
}

#[derive(Args)]
pub struct RfmArgs {
    /// CSV with header customer_id,order_date,amount.
    #[arg(long)]
    orders: PathBuf,
    /// The day recency is measured to; later orders are ignored.
    #[arg(long)]
    as_of: String,
    /// Where to write the scores (standard output when omitted).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    calendar: Calendar,
}

#[derive(Clone, Copy, ValueEnum)]
enum Unit {
    Day,
    Week,
}

#[derive(Args)]
pub struct ClvArgs {
    /// CSV with header customer_id,order_date,amount.
    #[arg(long)]
    orders: PathBuf,
    /// The last day of the calibration period; later orders are ignored.
    #[arg(long)]
    calibration_end: String,
    /// The unit of recency, T and the horizon.
    #[arg(long, value_enum, default_value = "week")]
    time_unit: Unit,
    /// Horizon in time units (default: 52 weeks or 365 days).
    #[arg(long)]
    horizon: Option<u32>,
    /// Discount rate per time unit (0.01 = 1%).
    #[arg(long, default_value_t = 0.0)]
    discount_rate: f64,
    /// Write the fitted parameters as JSON here.
    #[arg(long)]
    params_output: Option<PathBuf>,
    /// Where to write the per-customer values (standard output when omitted).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    calendar: Calendar,
}

#[derive(Args)]
pub struct ChurnArgs {
    /// CSV with header customer_id,order_date,amount.
    #[arg(long)]
    orders: PathBuf,
    /// The day predictions are made on; later orders are ignored.
    #[arg(long)]
    as_of: String,
    /// A customer has churned when they buy nothing for this many days.
    #[arg(long)]
    horizon_days: u32,
    /// Where to write the predictions (standard output when omitted).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    calendar: Calendar,
}

#[derive(Args)]
pub struct BasketArgs {
    /// CSV with header order_id,product, one row per product in an order.
    #[arg(long)]
    lines: PathBuf,
    /// Minimum support of an item set (share of orders, 0–1).
    #[arg(long)]
    min_support: f64,
    /// Minimum confidence of a rule (0–1).
    #[arg(long)]
    min_confidence: f64,
    /// Largest item set size.
    #[arg(long, default_value_t = 4)]
    max_len: usize,
    /// Where to write the rules (standard output when omitted).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Also write the frequent item sets (itemsets,support) here.
    #[arg(long)]
    itemsets_output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PeriodArg {
    Month,
    Quarter,
    Year,
}

#[derive(Args)]
pub struct NpsArgs {
    /// CSV with header customer_id,score,date (score 0–10).
    #[arg(long)]
    answers: PathBuf,
    /// Group answers by calendar month, quarter or year.
    #[arg(long, value_enum, default_value = "month")]
    period: PeriodArg,
    /// Also group by this extra column of the file (for example branch or segment).
    #[arg(long)]
    by: Option<String>,
    /// Where to write the table (standard output when omitted).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    calendar: Calendar,
}

#[derive(Args)]
pub struct EconomicsArgs {
    /// CSV with header customer_id,revenue,product_cost,cost_to_serve.
    #[arg(long)]
    customers: PathBuf,
    /// Where to write the table (standard output when omitted).
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    economics: EconomicsArgs,
    /// Margins above this fraction are high (default: the median).
    #[arg(long)]
    margin_threshold: Option<f64>,
    /// Cost-to-serve ratios above this fraction of revenue are high (default: the median).
    #[arg(long)]
    cost_threshold: Option<f64>,
}

#[derive(Args)]
pub struct LoyaltyArgs {
    /// CSV with header customer_id,order_date,brand (one row per purchase).
    #[arg(long)]
    purchases: PathBuf,
    /// Where to write the classes (standard output when omitted).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    calendar: Calendar,
}

/// Runs one analytics command.
pub fn run(command: AnalyticsCommand) -> Result<()> {
    match command {
        AnalyticsCommand::Rfm(args) => rfm::run(&args),
        AnalyticsCommand::Clv(args) => run_clv(&args),
        AnalyticsCommand::Churn(args) => run_churn(&args),
        AnalyticsCommand::Basket(args) => run_basket(&args),
        AnalyticsCommand::Nps(args) => run_nps(&args),
        AnalyticsCommand::Pyramid(args) => run_pyramid(&args),
        AnalyticsCommand::Matrix(args) => run_matrix(&args),
        AnalyticsCommand::Loyalty(args) => run_loyalty(&args),
    }
}

/// Writes a CSV record of plain fields, quoting only when needed.
fn record(out: &mut csv::Writer<&mut dyn Write>, fields: &[&[u8]]) -> Result<()> {
    out.write_record(fields)?;
    Ok(())
}

fn csv_writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(out)
}

/// A customer id and their orders `(day, amount)`.
type CustomerOrders = (String, Vec<(Day, f64)>);

/// Reads `customer_id,order_date,amount` into each customer's orders, ids sorted as text.
fn read_orders(path: &std::path::Path, jalali: bool) -> Result<Vec<CustomerOrders>> {
    let table = io::open(path, &["customer_id", "order_date", "amount"])?;
    let [id_at, date_at, amount_at] = table.columns[..] else {
        unreachable!()
    };
    let mut customers: FastMap<Box<[u8]>, Vec<(Day, f64)>> = FastMap::default();
    table.for_each(|row, _| {
        let id = io::id(row, id_at, "customer_id")?;
        let day = io::date(row, date_at, jalali)?;
        let spent = amount::to_f64(i128::from(io::amount(row, amount_at, "amount")?));
        match customers.get_mut(id) {
            Some(orders) => orders.push((day, spent)),
            None => {
                customers.insert(id.into(), vec![(day, spent)]);
            }
        }
        Ok(())
    })?;
    let mut out: Vec<(String, Vec<(Day, f64)>)> = customers
        .into_iter()
        .map(|(id, mut orders)| {
            orders.sort_by_key(|o| o.0);
            (io::text(&id), orders)
        })
        .collect();
    out.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

fn run_clv(args: &ClvArgs) -> Result<()> {
    let jalali = args.calendar.jalali;
    let end = io::argument_date(&args.calibration_end, jalali, "--calibration-end")?;
    if args.discount_rate.is_nan() || args.discount_rate < 0.0 {
        bail!(
            "--discount-rate must be 0 or more, got {}",
            args.discount_rate
        );
    }
    let unit = match args.time_unit {
        Unit::Day => clv::TimeUnit::Day,
        Unit::Week => clv::TimeUnit::Week,
    };
    let horizon = args.horizon.unwrap_or(match unit {
        clv::TimeUnit::Day => 365,
        clv::TimeUnit::Week => 52,
    });
    let mut customers = read_orders(&args.orders, jalali)?;
    let mut ids = Vec::new();
    let mut summaries = Vec::new();
    for (id, orders) in &mut customers {
        if let Some(summary) = clv::summarize(orders, end, unit) {
            ids.push(id.as_str());
            summaries.push(summary);
        }
    }
    if summaries.is_empty() {
        bail!(
            "the calibration end {} is before every order",
            args.calibration_end
        );
    }
    // Timed for bench/analytics.sh, which compares the fit alone with its target.
    let started = std::time::Instant::now();
    let purchases = clv::fit_bgnbd(&summaries).context("fitting BG/NBD")?;
    let spend = clv::fit_gamma_gamma(&summaries).context("fitting Gamma-Gamma")?;
    eprintln!(
        "BG/NBD: r = {:.4}, alpha = {:.4}, a = {:.4}, b = {:.4}; Gamma-Gamma: p = {:.4}, q = {:.4}, v = {:.4} ({} customers, fitted in {:.2} s)",
        purchases.r,
        purchases.alpha,
        purchases.a,
        purchases.b,
        spend.p,
        spend.q,
        spend.v,
        summaries.len(),
        started.elapsed().as_secs_f64()
    );
    let mut rows = Vec::with_capacity(summaries.len());
    for s in &summaries {
        let expected = purchases.expected_purchases(s, f64::from(horizon))?;
        let value = clv::lifetime_value(&purchases, &spend, s, horizon, args.discount_rate)?;
        rows.push((
            purchases.p_alive(s),
            expected,
            spend.expected_average_value(s),
            value,
        ));
    }
    if let Some(path) = &args.params_output {
        let json = serde_json::json!({ "bgnbd": purchases, "gamma_gamma": spend });
        io::write_output(Some(path), |out| {
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)?;
            Ok(())
        })?;
    }
    io::write_output(args.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        out.write_record([
            "customer_id",
            "frequency",
            "recency",
            "T",
            "monetary_value",
            "p_alive",
            "expected_purchases",
            "expected_avg_value",
            "clv",
        ])?;
        for ((id, s), (alive, expected, average, value)) in ids.iter().zip(&summaries).zip(&rows) {
            out.write_record([
                id.to_string(),
                s.frequency.to_string(),
                s.recency.to_string(),
                s.t.to_string(),
                s.monetary_value.to_string(),
                alive.to_string(),
                expected.to_string(),
                average.to_string(),
                value.to_string(),
            ])?;
        }
        out.flush()?;
        Ok(())
    })
}

fn run_churn(args: &ChurnArgs) -> Result<()> {
    let as_of = io::argument_date(&args.as_of, args.calendar.jalali, "--as-of")?;
    if args.horizon_days == 0 {
        bail!("--horizon-days must be at least 1");
    }
    let mut customers = read_orders(&args.orders, args.calendar.jalali)?;
    for (_, orders) in &mut customers {
        orders.retain(|o| o.0 < as_of);
    }
    customers.retain(|(_, orders)| !orders.is_empty());
    if customers.is_empty() {
        bail!("no order is before the as-of date {}", args.as_of);
    }
    let outcome =
        churn::predict(&customers, as_of, args.horizon_days).context("learning the churn model")?;
    eprintln!(
        "ROC AUC on held-out customers: {:.4} (trained on {}, validated on {})",
        outcome.auc, outcome.trained_on, outcome.validated_on
    );
    io::write_output(args.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        out.write_record(["customer_id", "churn_probability", "top_reasons"])?;
        for ((id, _), prediction) in customers.iter().zip(&outcome.predictions) {
            if let Some(p) = prediction {
                let reasons = if p.reasons.is_empty() {
                    "no risk factor stands out".to_owned()
                } else {
                    p.reasons.join("; ")
                };
                out.write_record([id.as_str(), &format!("{:.6}", p.probability), &reasons])?;
            }
        }
        out.flush()?;
        Ok(())
    })
}

fn join_items(items: &[u32], names: &[String]) -> String {
    let mut names: Vec<&str> = items.iter().map(|&i| names[i as usize].as_str()).collect();
    names.sort_unstable();
    names.join("|")
}

fn run_basket(args: &BasketArgs) -> Result<()> {
    if !(0.0..=1.0).contains(&args.min_confidence) {
        bail!(
            "--min-confidence must be between 0 and 1, got {}",
            args.min_confidence
        );
    }
    if args.max_len == 0 {
        bail!("--max-len must be at least 1");
    }
    let table = io::open(&args.lines, &["order_id", "product"])?;
    let [order_at, product_at] = table.columns[..] else {
        unreachable!()
    };
    let mut orders: FastMap<Box<[u8]>, usize> = FastMap::default();
    let mut products: FastMap<Box<[u8]>, u32> = FastMap::default();
    let mut baskets: Vec<Vec<u32>> = Vec::new();
    table.for_each(|row, _| {
        let order = io::id(row, order_at, "order_id")?;
        let product = io::id(row, product_at, "product")?;
        let next_product = products.len() as u32;
        let item = *products.entry(product.into()).or_insert(next_product);
        let next_order = baskets.len();
        let basket = *orders.entry(order.into()).or_insert(next_order);
        if basket == baskets.len() {
            baskets.push(Vec::new());
        }
        baskets[basket].push(item);
        Ok(())
    })?;
    let mut names = vec![String::new(); products.len()];
    for (name, index) in products {
        names[index as usize] = io::text(&name);
    }
    let itemsets =
        basket::frequent_itemsets(&baskets, names.len(), args.min_support, args.max_len)?;
    let mut rules: Vec<(String, String, basket::Rule)> =
        basket::rules(&itemsets, args.min_confidence)
            .into_iter()
            .map(|r| {
                (
                    join_items(&r.antecedents, &names),
                    join_items(&r.consequents, &names),
                    r,
                )
            })
            .collect();
    rules.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    eprintln!(
        "{} orders, {} frequent item sets, {} rules",
        baskets.len(),
        itemsets.len(),
        rules.len()
    );
    if let Some(path) = &args.itemsets_output {
        let mut sets: Vec<(String, f64)> = itemsets
            .iter()
            .map(|s| (join_items(&s.items, &names), s.support))
            .collect();
        sets.sort_by(|a, b| a.0.cmp(&b.0));
        io::write_output(Some(path), |out| {
            let mut out = csv_writer(out);
            out.write_record(["itemsets", "support"])?;
            for (items, support) in &sets {
                out.write_record([items.as_str(), &support.to_string()])?;
            }
            out.flush()?;
            Ok(())
        })?;
    }
    io::write_output(args.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        out.write_record([
            "antecedents",
            "consequents",
            "support",
            "confidence",
            "lift",
        ])?;
        for (a, c, r) in &rules {
            out.write_record([
                a.as_str(),
                c,
                &r.support.to_string(),
                &r.confidence.to_string(),
                &r.lift.to_string(),
            ])?;
        }
        out.flush()?;
        Ok(())
    })
}

fn optional_number(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.2}")).unwrap_or_default()
}

fn run_nps(args: &NpsArgs) -> Result<()> {
    let table = io::open(&args.answers, &["customer_id", "score", "date"])?;
    let [_, score_at, date_at] = table.columns[..] else {
        unreachable!()
    };
    let group_at = match &args.by {
        Some(name) => Some(table.optional_column(name).with_context(|| {
            format!("{}: no column {name:?} to group by", args.answers.display())
        })?),
        None => None,
    };
    let jalali = args.calendar.jalali;
    let mut answers = Vec::new();
    let mut overall = nps::Score::default();
    table.for_each(|row, _| {
        let text = field(row, score_at);
        let score = std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.trim().parse::<u8>().ok())
            .filter(|s| *s <= 10);
        let score = score.with_context(|| {
            format!(
                "the score {:?} is not a whole number from 0 to 10",
                io::text(text)
            )
        })?;
        let day = io::date(row, date_at, jalali)?;
        let group = group_at
            .map(|at| io::text(field(row, at)))
            .unwrap_or_default();
        overall.add(score);
        answers.push((group, day, score));
        Ok(())
    })?;
    let period = match args.period {
        PeriodArg::Month => nps::Period::Month,
        PeriodArg::Quarter => nps::Period::Quarter,
        PeriodArg::Year => nps::Period::Year,
    };
    let rows = nps::by_period(&answers, period, jalali);
    eprintln!(
        "NPS {} over {} answers, CSAT {}%",
        optional_number(overall.nps()),
        overall.responses,
        optional_number(overall.csat())
    );
    io::write_output(args.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        let mut header = vec![
            "period",
            "responses",
            "promoters",
            "passives",
            "detractors",
            "nps",
            "csat",
            "trend",
        ];
        if let Some(name) = &args.by {
            header.insert(0, name);
        }
        out.write_record(&header)?;
        let all = nps::PeriodScore {
            group: String::new(),
            period: "all".to_owned(),
            score: overall,
            trend: None,
        };
        for row in rows.iter().chain(std::iter::once(&all)) {
            let s = &row.score;
            let mut fields = vec![
                row.period.clone(),
                s.responses.to_string(),
                s.promoters.to_string(),
                s.passives.to_string(),
                s.detractors.to_string(),
                optional_number(s.nps()),
                optional_number(s.csat()),
                optional_number(row.trend),
            ];
            if args.by.is_some() {
                fields.insert(0, row.group.clone());
            }
            out.write_record(&fields)?;
        }
        out.flush()?;
        Ok(())
    })
}

/// Reads `customer_id,revenue,product_cost,cost_to_serve`, ids in text order.
fn read_economics(path: &std::path::Path) -> Result<(Vec<String>, Vec<value::Economics>)> {
    let table = io::open(
        path,
        &["customer_id", "revenue", "product_cost", "cost_to_serve"],
    )?;
    let [id_at, revenue_at, cost_at, serve_at] = table.columns[..] else {
        unreachable!()
    };
    let mut rows: Vec<(String, value::Economics)> = Vec::new();
    let mut seen: FastMap<Box<[u8]>, u64> = FastMap::default();
    table.for_each(|row, line| {
        let id = io::id(row, id_at, "customer_id")?;
        if let Some(first) = seen.insert(id.into(), line) {
            bail!(
                "customer {} appears again (first on line {first})",
                io::text(id)
            );
        }
        let number = |at, what| {
            Ok::<f64, anyhow::Error>(amount::to_f64(i128::from(io::amount(row, at, what)?)))
        };
        rows.push((
            io::text(id),
            value::Economics {
                revenue: number(revenue_at, "revenue")?,
                product_cost: number(cost_at, "product_cost")?,
                cost_to_serve: number(serve_at, "cost_to_serve")?,
            },
        ));
        Ok(())
    })?;
    rows.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(rows.into_iter().unzip())
}

fn run_pyramid(args: &EconomicsArgs) -> Result<()> {
    let (ids, customers) = read_economics(&args.customers)?;
    let profits: Vec<f64> = customers.iter().map(value::Economics::profit).collect();
    let rank: Vec<u32> = (0..ids.len() as u32).collect();
    let tiers = value::pyramid(&profits, &rank);
    let total: f64 = profits.iter().sum();
    for tier in [value::Tier::Top, value::Tier::Middle, value::Tier::Bottom] {
        let (count, profit) = tiers
            .iter()
            .zip(&profits)
            .filter(|(t, _)| t.1 == tier)
            .fold((0, 0.0), |(c, p), (_, x)| (c + 1, p + x));
        let share = if total != 0.0 {
            format!("{:.1}%", 100.0 * profit / total)
        } else {
            "-".to_owned()
        };
        eprintln!(
            "{:<7} {count:>8} customers  profit {profit:>16.2}  share {share}",
            tier.code()
        );
    }
    io::write_output(args.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        out.write_record(["customer_id", "profit", "rank", "tier"])?;
        for ((id, profit), (position, tier)) in ids.iter().zip(&profits).zip(&tiers) {
            out.write_record([
                id.as_str(),
                &profit.to_string(),
                &position.to_string(),
                tier.code(),
            ])?;
        }
        out.flush()?;
        Ok(())
    })
}

fn run_matrix(args: &MatrixArgs) -> Result<()> {
    let (ids, customers) = read_economics(&args.economics.customers)?;
    let medians = value::median_thresholds(&customers);
    let thresholds = value::Thresholds {
        margin: args.margin_threshold.unwrap_or(medians.margin),
        cost_to_serve: args.cost_threshold.unwrap_or(medians.cost_to_serve),
    };
    let cells = value::matrix(&customers, &thresholds);
    eprintln!(
        "thresholds: margin {:.4}, cost to serve {:.4} of revenue",
        thresholds.margin, thresholds.cost_to_serve
    );
    for cell in value::Cell::ALL {
        let (count, profit, revenue) = cells
            .iter()
            .zip(&customers)
            .filter(|(c, _)| **c == cell)
            .fold((0, 0.0, 0.0), |(n, p, r), (_, e)| {
                (n + 1, p + e.profit(), r + e.revenue)
            });
        eprintln!(
            "{:<17} {count:>8} customers  revenue {revenue:>16.2}  profit {profit:>16.2}",
            cell.code()
        );
    }
    io::write_output(args.economics.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        out.write_record([
            "customer_id",
            "revenue",
            "margin",
            "cost_to_serve_ratio",
            "profit",
            "cell",
        ])?;
        for ((id, e), cell) in ids.iter().zip(&customers).zip(&cells) {
            let ratio = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
            out.write_record([
                id.as_str(),
                &e.revenue.to_string(),
                &ratio(e.margin()),
                &ratio(e.cost_to_serve_ratio()),
                &e.profit().to_string(),
                cell.code(),
            ])?;
        }
        out.flush()?;
        Ok(())
    })
}

fn run_loyalty(args: &LoyaltyArgs) -> Result<()> {
    let table = io::open(&args.purchases, &["customer_id", "order_date", "brand"])?;
    let [id_at, date_at, brand_at] = table.columns[..] else {
        unreachable!()
    };
    let jalali = args.calendar.jalali;
    let mut brands: FastMap<Box<[u8]>, u32> = FastMap::default();
    let mut customers: FastMap<Box<[u8]>, Vec<(Day, u32)>> = FastMap::default();
    table.for_each(|row, _| {
        let id = io::id(row, id_at, "customer_id")?;
        let day = io::date(row, date_at, jalali)?;
        let brand = io::id(row, brand_at, "brand")?;
        let next = brands.len() as u32;
        let brand = *brands.entry(brand.into()).or_insert(next);
        customers.entry(id.into()).or_default().push((day, brand));
        Ok(())
    })?;
    let mut names = vec![String::new(); brands.len()];
    for (name, index) in brands {
        names[index as usize] = io::text(&name);
    }
    let mut rows: Vec<(String, loyalty::Loyalty)> = customers
        .into_iter()
        .filter_map(|(id, mut purchases)| {
            // Stable: purchases on one day keep the file's order.
            purchases.sort_by_key(|p| p.0);
            let sequence: Vec<u32> = purchases.iter().map(|p| p.1).collect();
            loyalty::classify(&sequence).map(|l| (io::text(&id), l))
        })
        .collect();
    rows.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    io::write_output(args.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        out.write_record([
            "customer_id",
            "purchases",
            "brands",
            "top_brand",
            "top_share",
            "class",
        ])?;
        for (id, l) in &rows {
            out.write_record([
                id.as_str(),
                &l.purchases.to_string(),
                &l.brands.to_string(),
                &names[l.top_brand as usize],
                &format!("{:.4}", l.top_share),
                l.class.code(),
            ])?;
        }
        out.flush()?;
        Ok(())
    })
}
