//! `/survey/{token}`: the satisfaction survey a customer reaches from the link sent when their
//! case closed — no sign-in, in the customer's language, answered once.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use peyvand_app::AppError;
use peyvand_app::service::SurveyForm;
use peyvand_domain::calendar::Locale;

use super::form::WebForm;
use super::page::{Layout, render_status};
use crate::AppState;

/// One choice of a scale.
pub struct Choice {
    /// The submitted value.
    pub value: u8,
    /// The label (digits of the page's language).
    pub label: String,
    /// Whether it was chosen (kept after an error).
    pub selected: bool,
}

/// The survey page.
#[derive(Template)]
#[template(path = "survey.html")]
pub struct SurveyTemplate {
    /// Frame (no navigation).
    pub l: Layout,
    /// The case's number.
    pub number: String,
    /// The case's subject.
    pub subject: String,
    /// Where the form goes.
    pub action: String,
    /// Satisfaction choices, 1 to 5.
    pub csat_choices: Vec<Choice>,
    /// Recommendation choices, 0 to 10.
    pub nps_choices: Vec<Choice>,
    /// The comment as typed.
    pub comment: String,
    /// What is wrong with the answer, in words.
    pub errors: Vec<String>,
    /// Whether it is answered (the page thanks instead of asking).
    pub done: bool,
}

fn choices(
    range: std::ops::RangeInclusive<u8>,
    locale: Locale,
    chosen: Option<&str>,
) -> Vec<Choice> {
    range
        .map(|n| {
            let label = n.to_string();
            Choice {
                value: n,
                label: if locale == Locale::Fa {
                    peyvand_domain::text::to_persian_digits(&label)
                } else {
                    label.clone()
                },
                selected: chosen == Some(label.as_str()),
            }
        })
        .collect()
}

fn page(
    token: &str,
    survey: &SurveyForm,
    form: Option<&WebForm>,
    errors: Vec<String>,
    done: bool,
) -> SurveyTemplate {
    let locale = Locale::parse(&survey.locale).unwrap_or(Locale::Fa);
    let value = |name: &str| form.and_then(|f| f.get(name));
    SurveyTemplate {
        l: Layout::anonymous(locale, crate::i18n::t(locale, "survey-title")),
        number: survey.number.clone(),
        subject: survey.subject.clone(),
        action: format!("/survey/{token}"),
        csat_choices: choices(1..=5, locale, value("csat")),
        nps_choices: choices(0..=10, locale, value("nps")),
        comment: value("comment").unwrap_or_default().to_owned(),
        errors,
        done,
    }
}

/// The page for an unknown link: the error page in Persian (nothing tells the language).
fn not_found() -> Response {
    super::page::error_response(
        None,
        Locale::Fa,
        &super::page::ErrorPage {
            code: "not_found",
            fields: Vec::new(),
        },
    )
}

/// `GET /survey/{token}`.
pub async fn form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.app.survey_form(&token).await {
        Ok(survey) => {
            let done = survey.answered;
            render_status(StatusCode::OK, &page(&token, &survey, None, vec![], done))
        }
        Err(_) => not_found(),
    }
}

/// `POST /survey/{token}`: records the answer, then thanks; a bad answer shows the form again
/// with what was chosen and why it was refused.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: WebForm,
) -> Response {
    let Ok(survey) = state.app.survey_form(&token).await else {
        return not_found();
    };
    let locale = Locale::parse(&survey.locale).unwrap_or(Locale::Fa);
    let field = |name: &str| form.get(name).unwrap_or_default();
    let answered = state
        .app
        .answer_survey(&token, field("csat"), field("nps"), field("comment"))
        .await;
    match answered {
        Ok(()) | Err(AppError::AlreadyAnswered) => {
            render_status(StatusCode::OK, &page(&token, &survey, None, vec![], true))
        }
        Err(error @ AppError::Validation(_)) => {
            let messages =
                super::page::error_sentences(locale, &error, |name| format!("survey-{name}"));
            let page = page(&token, &survey, Some(&form), messages, false);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(error) => {
            tracing::error!(%error, "answering a survey failed");
            not_found()
        }
    }
}
