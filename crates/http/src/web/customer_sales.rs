//! The customer's opportunities and payment punctuality in the 360° view (issue 4 §9), shown in
//! the transactions section by `customer_sales.html`.

use peyvand_app::RecordView;
use peyvand_app::Session;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Value;
use peyvand_domain::sales::punctuality::Punctuality;

use super::format::{Fmt, load_titles};
use super::page::WebResult;
use super::sales::money;
use crate::AppState;
use crate::i18n::{t, t_args};

/// One of the customer's opportunities.
#[derive(Debug, Clone)]
pub struct OpportunityRow {
    /// Its page.
    pub href: String,
    /// Its name.
    pub name: String,
    /// The stage it is (or was last) at.
    pub stage: String,
    /// Amount, formatted.
    pub amount: String,
    /// Expected close, formatted.
    pub expected_close: String,
    /// Open, won or lost, translated.
    pub status: String,
    /// `open`, `won` or `lost`, for styling.
    pub status_code: String,
}

/// Payment punctuality, formatted.
#[derive(Debug, Clone)]
pub struct PunctualityView {
    /// `good`, `sometimes_late`, `bad` or `no_history`, for styling.
    pub verdict_code: String,
    /// The verdict in words.
    pub verdict: String,
    /// "3 of 4 invoices (75%)".
    pub on_time: String,
    /// Average days late of the late invoices, or a dash.
    pub days_late: String,
    /// Overdue now: amount and how many invoices.
    pub overdue: String,
    /// The rule in one sentence.
    pub rule: String,
}

/// The opportunities and punctuality parts of the transactions section; None where the user
/// may not read the kind.
#[derive(Debug, Clone, Default)]
pub struct CustomerSalesSection {
    /// Opportunities, newest first.
    pub opportunities: Option<Vec<OpportunityRow>>,
    /// Punctuality.
    pub punctuality: Option<PunctualityView>,
}

fn date(fmt: &Fmt, view: &RecordView, name: &str) -> String {
    match view.get(name) {
        Value::Date(d) => peyvand_domain::calendar::format_date(*d, fmt.calendar, fmt.locale),
        _ => String::new(),
    }
}

/// The punctuality summary in the user's language.
pub fn punctuality_view(fmt: &Fmt, p: &Punctuality) -> PunctualityView {
    let locale = fmt.locale;
    let code = p.verdict.code();
    let percent = p
        .on_time_percent
        .map_or_else(|| "–".to_owned(), |v| fmt.digits(&format!("{v:.1}%")));
    PunctualityView {
        verdict_code: code.to_owned(),
        verdict: t(locale, &format!("punctuality-verdict-{code}")),
        on_time: t_args(
            locale,
            "punctuality-on-time-value",
            &[
                ("on_time", fmt.integer(p.on_time)),
                ("judged", fmt.integer(p.judged)),
                ("percent", percent),
            ],
        ),
        days_late: p
            .average_days_late
            .map_or_else(|| "–".to_owned(), |d| fmt.integer(d)),
        overdue: if p.overdue_count == 0 {
            "–".to_owned()
        } else {
            t_args(
                locale,
                "punctuality-overdue-value",
                &[
                    ("amount", money(fmt, p.overdue_amount)),
                    ("count", fmt.integer(p.overdue_count)),
                    ("days", fmt.integer(p.longest_overdue_days)),
                ],
            )
        },
        rule: t(locale, "punctuality-rule"),
    }
}

/// The section for a customer; empty for other kinds.
pub async fn section(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    id: uuid::Uuid,
) -> WebResult<CustomerSalesSection> {
    if !matches!(kind, RecordKind::Account | RecordKind::Contact) {
        return Ok(CustomerSalesSection::default());
    }
    let fmt = Fmt::of(session);
    let found = state.app.customer_sales(session, kind, id).await?;
    let opportunities = match found.opportunities {
        Some(views) => {
            let stages = load_titles(
                &state.app,
                session,
                views
                    .iter()
                    .filter_map(|v| v.get("stage_id").as_id())
                    .map(|s| (RecordKind::PipelineStage, s)),
            )
            .await;
            Some(
                views
                    .iter()
                    .map(|v| {
                        let status = v.get("status").as_text().unwrap_or("open").to_owned();
                        OpportunityRow {
                            href: format!("/{}/{}", session.schema(v.kind).path, v.id),
                            name: v.title.clone(),
                            stage: v
                                .get("stage_id")
                                .as_id()
                                .and_then(|s| stages.get(&(RecordKind::PipelineStage, s)))
                                .cloned()
                                .unwrap_or_default(),
                            amount: match v.get("amount") {
                                Value::Int(n) => money(&fmt, *n),
                                _ => String::new(),
                            },
                            expected_close: date(&fmt, v, "expected_close"),
                            status: fmt.choice(&status),
                            status_code: status,
                        }
                    })
                    .collect(),
            )
        }
        None => None,
    };
    Ok(CustomerSalesSection {
        opportunities,
        punctuality: found
            .punctuality
            .as_ref()
            .map(|p| punctuality_view(&fmt, p)),
    })
}
