//! Demo and benchmark data for the sales pipeline: a few deals moved through the ordinary use
//! cases for the demo, and a bulk generator of deals with their stage history for benchmarks.
//! In both, most deals have product lines (`lines`).

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{RecordKind, RowFilter};
use peyvand_domain::pipeline::{LOSS_REASONS, OPPORTUNITIES};
use peyvand_domain::record::{self, Fields, Input, Value};
use peyvand_store::{NewRecord, StageEntryRow, StageRow};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};

mod documents;
mod lines;

use documents::WonDeal;
use lines::{DealPricing, pick_lines, sellable_products};

/// Deals the bulk generator writes per transaction.
const DEALS_PER_WRITE: usize = 10_000;

/// Invoice lines the bulk generator writes per deal it generates (all of them on the won
/// deals' invoices): the 2,000,000 lines at 1,000,000 deals.
const INVOICE_LINES_PER_DEAL: usize = 2;

/// A small deterministic generator (xorshift), so demo and benchmark data are repeatable.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const DEAL_NAMES: &[&str] = &[
    "خرید تجهیزات",
    "قرارداد پشتیبانی سالانه",
    "تمدید اشتراک",
    "پروژه نصب",
    "سفارش عمده",
    "خرید نرم‌افزار",
    "ارتقای سامانه",
    "قرارداد خدمات",
];

fn inputs(pairs: &[(&str, String)]) -> BTreeMap<String, Input> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Input::Text(v.clone())))
        .collect()
}

async fn everything(
    app: &App,
    schema: &'static record::Schema,
) -> AppResult<Vec<peyvand_store::RecordRow>> {
    let mut tx = app.store.read().await?;
    let rows = tx
        .list_records(&peyvand_store::ListQuery {
            schema,
            access: &RowFilter::Everything,
            equals: vec![],
            tag: None,
            search: vec![],
            ids: None,
            sort: peyvand_store::SortKey {
                field: "id".into(),
                descending: false,
            },
            after: None,
            limit: 1_000,
        })
        .await?;
    tx.commit().await?;
    Ok(rows)
}

impl App {
    /// Demo deals owned by the demo sales people, most with product lines of the demo catalogue
    /// (so their amount is the lines' total), moved along the default pipeline through the
    /// ordinary updates (so their stage history is real), some won and some lost; and a target
    /// per branch for the current Jalali year.
    pub(crate) async fn seed_opportunities(
        &self,
        system: &std::sync::Arc<Session>,
        owners: &[(Uuid, String)],
        accounts: &[Uuid],
        count: usize,
    ) -> AppResult<()> {
        let mut tx = self.store.read().await?;
        let pipeline = super::setup::default_pipeline(&mut tx)
            .await?
            .ok_or(AppError::NotFound)?;
        let stages = tx.stages_of(Some(pipeline)).await?;
        tx.commit().await?;
        let reasons = everything(self, &LOSS_REASONS).await?;
        let products = sellable_products(self).await?;
        let mut dice = Dice(0x5DEE_CE66_D1CE_4E5B);
        let mut line_dice = Dice(0x3C6E_F372_FE94_F82B);
        let today = self.now().date();
        for i in 0..count {
            let (owner, branch) = &owners[i % owners.len()];
            let close = today + Duration::days(i64::try_from(dice.below(300)).unwrap_or(0));
            let fields = inputs(&[
                ("name", DEAL_NAMES[i % DEAL_NAMES.len()].into()),
                (
                    "account_id",
                    accounts[i % accounts.len().max(1)].to_string(),
                ),
                ("amount", ((dice.below(500) + 10) * 10_000_000).to_string()),
                ("expected_close", close.to_string()),
                ("source", "referral".into()),
                ("owner_id", owner.to_string()),
                ("branch_id", branch.clone()),
            ]);
            let mut deal = self
                .create(
                    system,
                    RecordKind::Opportunity,
                    &fields,
                    CalendarKind::Gregorian,
                )
                .await?;
            // Lines before the moves, so every stay in a stage carries the lines' total.
            let picks = pick_lines(&mut line_dice, products.len());
            if !picks.is_empty() {
                self.add_demo_deal_lines(system, deal.id, &products, &picks)
                    .await?;
                deal = self.get(system, RecordKind::Opportunity, deal.id).await?;
            }
            let reached = usize::try_from(dice.below(stages.len() as u64)).unwrap_or(0);
            for stage in stages.iter().take(reached + 1).skip(1) {
                deal = self
                    .step(system, &deal, &[("stage_id", stage.id.to_string())])
                    .await?;
            }
            let reason = reasons
                .get(i % reasons.len().max(1))
                .map(|r| r.id.to_string());
            match (i % 5, reason) {
                (0, _) => {
                    self.step(system, &deal, &[("status", "won".into())])
                        .await?;
                }
                (1, Some(reason)) => {
                    self.step(
                        system,
                        &deal,
                        &[("status", "lost".into()), ("loss_reason_id", reason)],
                    )
                    .await?;
                }
                _ => {}
            }
        }
        self.seed_targets(system).await
    }

    async fn step(
        &self,
        system: &std::sync::Arc<Session>,
        deal: &crate::RecordView,
        changes: &[(&str, String)],
    ) -> AppResult<crate::RecordView> {
        self.update(
            system,
            RecordKind::Opportunity,
            deal.id,
            deal.version,
            &inputs(changes),
            CalendarKind::Gregorian,
        )
        .await
    }

    async fn seed_targets(&self, system: &std::sync::Arc<Session>) -> AppResult<()> {
        let today = self.now().date().to_string();
        for branch in everything(self, &record::BRANCHES).await? {
            let name = branch
                .fields
                .get("name")
                .and_then(Value::as_text)
                .unwrap_or("");
            let fields = inputs(&[
                ("name", format!("هدف سالانه {name}")),
                ("branch_id", branch.id.to_string()),
                ("period", "year".into()),
                ("calendar", "jalali".into()),
                ("starts_on", today.clone()),
                ("metric", "won_amount".into()),
                ("target_value", "50000000000".into()),
            ]);
            self.create(
                system,
                RecordKind::SalesTarget,
                &fields,
                CalendarKind::Gregorian,
            )
            .await?;
        }
        Ok(())
    }

    /// Writes `count` deals with their stage history by the bulk path, for benchmarks: owned by
    /// the users who own accounts, spread over the two years before now, each having moved
    /// through one to all stages of the default pipeline and then won, lost or still open. Like
    /// the demo contacts, each deal's fields are what a create would store (search text, sort
    /// key), but the per-record checks and audit entries are skipped. Three deals in five have
    /// product lines priced for their customer, and their amount is the lines' total. Each won
    /// deal gets a quote, an order and an invoice, the three with the same lines (two invoice
    /// lines per deal in all; drawn on their own, not copied from the deal's lines, so that
    /// count stays exact) and most invoices their payments.
    pub async fn seed_opportunities_bulk(&self, count: usize) -> AppResult<()> {
        let mut tx = self.store.read().await?;
        let pipeline = super::setup::default_pipeline(&mut tx)
            .await?
            .ok_or(AppError::NotFound)?;
        let stages = tx.stages_of(Some(pipeline)).await?;
        tx.commit().await?;
        let accounts = everything(self, &record::ACCOUNTS).await?;
        let owners: Vec<(Uuid, Uuid, Uuid)> = accounts
            .iter()
            .filter_map(|a| {
                let owner = a.fields.get("owner_id")?.as_id()?;
                let branch = a.fields.get("branch_id")?.as_id()?;
                Some((a.id, owner, branch))
            })
            .collect();
        if owners.is_empty() || stages.is_empty() {
            return Err(AppError::NotFound);
        }
        let reasons: Vec<Uuid> = everything(self, &LOSS_REASONS)
            .await?
            .iter()
            .map(|r| r.id)
            .collect();
        let pricing = DealPricing::load(self, &accounts).await?;
        let now = self.now();
        let mut dice = Dice(0x2545_F491_4F6C_DD1D);
        let mut line_dice = Dice(0xA54F_F53A_5F1D_36F1);
        let mut won = Vec::new();
        let mut done = 0;
        while done < count {
            let batch = (count - done).min(DEALS_PER_WRITE);
            let mut records = Vec::with_capacity(batch);
            let mut open = Vec::new();
            let mut closed = Vec::new();
            let mut lines = Vec::new();
            for i in done..done + batch {
                let place = owners[i % owners.len()];
                let mut deal = generate(&mut dice, i, now, pipeline, &stages, &reasons, place);
                let picks = pick_lines(&mut line_dice, pricing.len());
                if !picks.is_empty() {
                    let (rows, total) = pricing.rows(deal.record.id, place.0, &picks)?;
                    deal.set_amount(total);
                    lines.extend(rows);
                }
                if let Some(won_at) = deal.won_at {
                    let (account, owner, branch) = place;
                    won.push(WonDeal {
                        account,
                        owner,
                        branch,
                        won_at,
                    });
                }
                open.extend(deal.open);
                closed.extend(deal.closed);
                records.push(deal.record);
            }
            self.write_large(move |tx| {
                Box::pin(async move {
                    tx.insert_records(&OPPORTUNITIES, &records).await?;
                    tx.enter_stages(&open, &closed).await?;
                    tx.insert_sales_lines_bulk(&lines).await?;
                    Ok(())
                })
            })
            .await?;
            done += batch;
        }
        // The benchmark asks for 2,000,000 invoice lines beside 1,000,000 deals: the
        // won deals' invoices carry two lines per generated deal in all.
        self.seed_won_deal_documents(&won, count.saturating_mul(INVOICE_LINES_PER_DEAL))
            .await?;
        self.store.optimize().await?;
        Ok(())
    }
}

struct GeneratedDeal {
    record: NewRecord,
    /// When the deal was won, if it was.
    won_at: Option<OffsetDateTime>,
    open: Vec<StageEntryRow>,
    closed: Vec<(StageEntryRow, OffsetDateTime)>,
}

impl GeneratedDeal {
    /// Makes `amount` the deal's amount (its lines' total), in the record and in the copy every
    /// stay in a stage keeps.
    fn set_amount(&mut self, amount: i64) {
        let record = &mut self.record;
        record.fields.insert("amount".into(), Value::Int(amount));
        record.search_text = record::search_text(&OPPORTUNITIES, &record.fields);
        let stays = self.open.iter_mut();
        for entry in stays.chain(self.closed.iter_mut().map(|(entry, _)| entry)) {
            entry.amount = amount;
        }
    }
}

/// One deal of the bulk generator with its stays in stages.
fn generate(
    dice: &mut Dice,
    i: usize,
    now: OffsetDateTime,
    pipeline: Uuid,
    stages: &[StageRow],
    reasons: &[Uuid],
    (account, owner, branch): (Uuid, Uuid, Uuid),
) -> GeneratedDeal {
    // Created between five months and two and a half years ago, so that the stays in stages
    // (up to a month each) all end in the past.
    let created = now
        - Duration::days(150)
        - Duration::minutes(i64::try_from(dice.below(730 * 24 * 60)).unwrap_or(0));
    let amount = i64::try_from((dice.below(1_000) + 1) * 5_000_000).unwrap_or(0);
    // Most deals stop early: each further stage is reached with probability 0.6.
    let mut reached = 1;
    while reached < stages.len() && dice.below(10) < 6 {
        reached += 1;
    }
    let outcome = dice.below(10);
    let status = match outcome {
        0..=2 => "won",
        3..=6 => "lost",
        _ => "open",
    };
    let mut at = created;
    let mut open = Vec::new();
    let mut closed = Vec::new();
    for (index, stage) in stages.iter().take(reached).enumerate() {
        let stay = Duration::hours(i64::try_from(dice.below(30 * 24) + 1).unwrap_or(1));
        let entry = StageEntryRow {
            opportunity_id: Uuid::nil(),
            pipeline_id: pipeline,
            stage_id: stage.id,
            owner_id: owner,
            branch_id: branch,
            amount,
            entered_at: at,
        };
        if index + 1 == reached && status == "open" {
            open.push(entry);
        } else {
            closed.push((entry, at + stay));
            at += stay;
        }
    }
    let id = Uuid::now_v7();
    for entry in open.iter_mut().chain(closed.iter_mut().map(|(e, _)| e)) {
        entry.opportunity_id = id;
    }
    let stage = &stages[reached - 1];
    let mut fields = Fields::new();
    let mut put = |name: &'static str, value: Value| {
        fields.insert(name.into(), value);
    };
    put("name", Value::Text(DEAL_NAMES[i % DEAL_NAMES.len()].into()));
    put("account_id", Value::Id(account));
    put("amount", Value::Int(amount));
    // Closed deals were expected to close some weeks after they began; open ones are expected
    // from a month ago (late) to a year ahead, which is what a forecast looks at.
    let close = if status == "open" {
        now.date() - Duration::days(30)
            + Duration::days(i64::try_from(dice.below(395)).unwrap_or(0))
    } else {
        created.date() + Duration::days(i64::try_from(dice.below(360) + 14).unwrap_or(14))
    };
    put("expected_close", Value::Date(close));
    put("pipeline_id", Value::Id(pipeline));
    put("stage_id", Value::Id(stage.id));
    put("status", Value::Text(status.into()));
    put(
        "stage_entered_at",
        Value::Time(closed.last().map_or(at, |(e, _)| e.entered_at)),
    );
    if status != "open" {
        put("closed_at", Value::Time(at));
        put(
            "cycle_days",
            Value::Int(peyvand_domain::pipeline::opportunity::cycle_days(
                created, at,
            )),
        );
    }
    if status == "lost" && !reasons.is_empty() {
        put("loss_reason_id", Value::Id(reasons[i % reasons.len()]));
    }
    put("owner_id", Value::Id(owner));
    put("branch_id", Value::Id(branch));
    let search_text = record::search_text(&OPPORTUNITIES, &fields);
    GeneratedDeal {
        record: NewRecord::new(&OPPORTUNITIES, id, created, fields, search_text),
        won_at: (status == "won").then_some(at),
        open,
        closed,
    }
}
