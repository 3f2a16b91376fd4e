//! Satisfaction surveys (issue 5): when a case closes, a survey is opened for its customer,
//! reached through a link with a random token (stored only as its hash, so the database does
//! not hand out links). The customer answers once, without signing in: satisfaction 1–5, the
//! 0–10 question of NPS and a comment. Answers belong to the customer's attitudes in the 360°
//! view and feed the NPS reports.

use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{CASES, CONTACTS, Fields, Value};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{SurveyRow, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::auth::{Session, new_secret, secret_hash};
use crate::error::{AppError, AppResult};
use crate::records::read_checked;

/// Longest comment kept.
const COMMENT_MAX: usize = 2_000;

/// What the survey page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyForm {
    /// The case's number.
    pub number: String,
    /// The case's subject.
    pub subject: String,
    /// The language to ask in (`fa` or `en`).
    pub locale: String,
    /// Whether it was answered already.
    pub answered: bool,
}

/// A survey as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyView {
    /// Its id.
    pub id: Uuid,
    /// The case it asks about.
    pub case_id: Uuid,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was answered.
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    /// Satisfaction, 1 to 5.
    pub csat: Option<i64>,
    /// Likelihood to recommend, 0 to 10.
    pub nps: Option<i64>,
    /// The customer's words.
    pub comment: Option<String>,
}

fn view(row: SurveyRow) -> SurveyView {
    SurveyView {
        id: row.id,
        case_id: row.case_id,
        created_at: row.created_at,
        answered_at: row.answered_at,
        csat: row.csat,
        nps: row.nps,
        comment: row.comment,
    }
}

/// Opens the survey of a case that is closing; returns the token of its link.
pub(crate) async fn open_survey(
    tx: &mut Tx,
    now: OffsetDateTime,
    case_id: Uuid,
    case: &Fields,
) -> AppResult<String> {
    let contact_id = case.get("contact_id").and_then(Value::as_id);
    let locale = match contact_id {
        Some(id) => tx
            .get_record(&CONTACTS, id)
            .await?
            .and_then(|c| c.fields.get("preferred_language").cloned()),
        None => None,
    };
    let locale = match locale {
        Some(Value::Text(code)) if code == "en" => "en",
        _ => "fa",
    };
    let token = new_secret()?;
    let row = SurveyRow {
        id: Uuid::now_v7(),
        case_id,
        account_id: case.get("account_id").and_then(Value::as_id),
        contact_id,
        locale: locale.to_owned(),
        created_at: now,
        answered_at: None,
        csat: None,
        nps: None,
        comment: None,
    };
    tx.insert_survey(&row, &secret_hash(&token)).await?;
    Ok(token)
}

/// A score typed into the form, checked to lie within `range`.
fn score(
    raw: &str,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut ValidationErrors,
) -> i64 {
    let digits = peyvand_domain::text::to_latin_digits(raw.trim());
    match digits.parse::<i64>() {
        Ok(n) if range.contains(&n) => n,
        Ok(_) | Err(_) if raw.trim().is_empty() => {
            errors.add(field, FieldError::REQUIRED);
            0
        }
        _ => {
            errors.add(field, FieldError::INVALID_NUMBER);
            0
        }
    }
}

impl App {
    /// The survey behind a link's token; not found for an unknown token.
    pub async fn survey_form(&self, token: &str) -> AppResult<SurveyForm> {
        let mut tx = self.store.read().await?;
        let survey = tx
            .survey_by_token(&secret_hash(token))
            .await?
            .ok_or(AppError::NotFound)?;
        let case = tx
            .get_record(&CASES, survey.case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let text = |name: &str| {
            case.fields
                .get(name)
                .and_then(Value::as_text)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(SurveyForm {
            number: text("number"),
            subject: text("subject"),
            locale: survey.locale,
            answered: survey.answered_at.is_some(),
        })
    }

    /// Records the answer given through a link: satisfaction 1–5, recommendation 0–10 (either
    /// in Persian or Latin digits) and an optional comment. A survey is answered once.
    pub async fn answer_survey(
        &self,
        token: &str,
        csat: &str,
        nps: &str,
        comment: &str,
    ) -> AppResult<()> {
        let mut errors = ValidationErrors::new();
        let csat = score(csat, "csat", 1..=5, &mut errors);
        let nps = score(nps, "nps", 0..=10, &mut errors);
        let comment = comment.trim();
        if comment.chars().count() > COMMENT_MAX {
            errors.add("comment", FieldError::TOO_LONG);
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let mut tx = self.store.write().await?;
        let survey = tx
            .survey_by_token(&secret_hash(token))
            .await?
            .ok_or(AppError::NotFound)?;
        let comment = (!comment.is_empty()).then_some(comment);
        if !tx
            .answer_survey(survey.id, csat, nps, comment, self.now())
            .await?
        {
            return Err(AppError::AlreadyAnswered);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The surveys about a customer (account or contact) or a case the user may read, newest
    /// first.
    pub async fn surveys_of(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Vec<SurveyView>> {
        let column = match kind {
            RecordKind::Account => "account_id",
            RecordKind::Contact => "contact_id",
            RecordKind::Case => "case_id",
            _ => return Ok(vec![]),
        };
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, kind, id, Action::Read).await?;
        let rows = tx.surveys_of(column, id).await?;
        Ok(rows.into_iter().map(view).collect())
    }
}
