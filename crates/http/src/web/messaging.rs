//! `/sms-campaigns`: bulk SMS to a filtered contact list — the list's own search, field filters
//! and tag in the query string (the contact list links here with its filters) —, with a
//! preview of who it reaches and who is left out and of the first recipient's text, a saved
//! template to start from, an optional moment to send at (cancellable until then), an explicit
//! confirmation, and the progress of each campaign. `/settings/notice-templates`: administrators edit, preview and reset the
//! texts customers get about their cases.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use peyvand_app::AppError;
use peyvand_app::notice_templates::TemplateView;
use peyvand_app::sms_campaigns::{Audience, CampaignInput, CampaignView};
use peyvand_app::{ListParams, Session};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::sms_templates::PLACEHOLDERS;

use super::form::{WebForm, parse_urlencoded, query_string};
use super::format::Fmt;
use super::guard::WebSession;
use super::options::Opt;
use super::page::{Layout, WebResult, render, see_other};
use crate::AppState;

/// Campaigns listed on the page.
const CAMPAIGNS_SHOWN: u64 = 50;
/// Recipients listed on a campaign's page.
const RECIPIENTS_SHOWN: u64 = 500;
/// Names of the query and form that are not field filters of the contact list.
const NOT_FILTERS: &[&str] = &[
    "q",
    "tag",
    "text",
    "confirm",
    "_csrf",
    "sort",
    "cursor",
    "limit",
    "template_id",
    "send_date",
    "send_time",
];
/// Templates offered in the campaign form.
const TEMPLATES_SHOWN: u64 = 200;

#[derive(Template)]
#[template(path = "sms_campaigns.html")]
struct CampaignsPage {
    l: Layout,
    errors: Vec<String>,
    /// The filters carried by the form, as (name, value).
    carried: Vec<(String, String)>,
    /// The filters in words, for the user to see what they chose.
    filter_words: String,
    text: String,
    audience: Option<AudienceRow>,
    campaigns: Vec<CampaignRow>,
    /// Active saved templates to start from; the chosen one selected.
    templates: Vec<Opt>,
    /// The chosen template's id, carried with the text.
    template_id: String,
    /// (placeholder as written, what it stands for).
    placeholders: Vec<(String, String)>,
    send_date: String,
    send_time: String,
    date_placeholder: String,
}

/// Who a campaign would reach, in the page's digits.
struct AudienceRow {
    any: bool,
    recipients: String,
    not_allowed: String,
    no_number: String,
    segments: String,
    /// What the first recipient gets.
    first_text: Option<String>,
    length: String,
}

/// One campaign as a row of the list or the head of its page.
struct CampaignRow {
    href: String,
    /// The new-campaign form with this campaign's text and the filters in hand.
    reuse_href: String,
    created: String,
    text: String,
    recipients: String,
    left_out: String,
    queued: String,
    sent: String,
    delivered: String,
    failed: String,
    /// The state, translated.
    state: String,
    /// When a scheduled campaign starts, formatted; empty for one sent at once.
    scheduled: String,
    /// Whether it may still be cancelled.
    cancellable: bool,
}

#[derive(Template)]
#[template(path = "sms_campaign.html")]
struct CampaignPage {
    l: Layout,
    errors: Vec<String>,
    campaign: CampaignRow,
    recipients: Vec<(String, String)>,
}

fn campaign_row(
    fmt: &Fmt,
    l: &Layout,
    view: &CampaignView,
    carried: &[(String, String)],
) -> CampaignRow {
    let mut pairs: Vec<(&str, &str)> = carried
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.push(("text", &view.text));
    CampaignRow {
        state: l.t(&format!("campaign-status-{}", view.state)),
        scheduled: view
            .scheduled_at
            .map(|at| fmt.datetime(at))
            .unwrap_or_default(),
        cancellable: view.state == "scheduled",
        href: format!("/sms-campaigns/{}", view.id),
        reuse_href: format!("/sms-campaigns{}", query_string(pairs)),
        created: fmt.datetime(view.created_at),
        text: view.text.clone(),
        recipients: fmt.integer(view.recipients),
        left_out: l.t1(
            "campaign-left-out-counts",
            "count",
            &fmt.integer(view.not_allowed + view.no_number),
        ),
        queued: fmt.integer(view.queued),
        sent: fmt.integer(view.sent),
        delivered: fmt.integer(view.delivered),
        failed: fmt.integer(view.failed),
    }
}

/// The campaign input named by query or form pairs.
fn input_from(pairs: &[(String, String)]) -> CampaignInput {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let filters: BTreeMap<String, String> = pairs
        .iter()
        .filter(|(k, v)| !NOT_FILTERS.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.trim().to_owned()))
        .collect();
    CampaignInput {
        q: get("q"),
        filters,
        tag: get("tag"),
        text: get("text").unwrap_or_default(),
        template_id: get("template_id").and_then(|id| id.parse().ok()),
        send_date: get("send_date"),
        send_time: get("send_time"),
        confirm: get("confirm").as_deref() == Some("1"),
        ..CampaignInput::default()
    }
}

fn carried(input: &CampaignInput) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = input.filters.clone().into_iter().collect();
    if let Some(q) = &input.q {
        pairs.push(("q".into(), q.clone()));
    }
    if let Some(tag) = &input.tag {
        pairs.push(("tag".into(), tag.clone()));
    }
    pairs
}

/// The sentences of a refused campaign; an unknown placeholder is named.
fn errors_of(session: &Session, error: &AppError, text: &str) -> Vec<String> {
    let mut sentences = super::page::error_sentences(session.locale, error, |field| {
        format!("campaign-field-{field}")
    });
    if let Some(name) = peyvand_app::sms_campaigns::unknown_placeholder(text) {
        sentences.push(crate::i18n::t_args(
            session.locale,
            "error-unknown_placeholder",
            &[("name", name)],
        ));
    }
    sentences
}

/// The placeholders an SMS text may use, as written and with what they stand for.
pub(super) fn placeholder_rows(l: &Layout) -> Vec<(String, String)> {
    PLACEHOLDERS
        .iter()
        .map(|name| {
            (
                format!("{{{{{name}}}}}"),
                l.t(&format!("sms-placeholder-{name}")),
            )
        })
        .collect()
}

/// The active templates the user may read, the chosen one selected (none when the user may not
/// read templates).
async fn template_options(state: &AppState, session: &Session, chosen: &str) -> Vec<Opt> {
    let params = ListParams {
        filters: BTreeMap::from([("active".to_owned(), "true".to_owned())]),
        limit: Some(TEMPLATES_SHOWN),
        ..ListParams::default()
    };
    match state
        .app
        .list(session, RecordKind::SmsTemplate, &params)
        .await
    {
        Ok(page) => page
            .items
            .iter()
            .map(|view| Opt {
                value: view.id.to_string(),
                label: view.title.clone(),
                selected: view.id.to_string() == chosen,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn campaigns_page(
    state: &AppState,
    session: &Session,
    input: &CampaignInput,
    audience: Option<Audience>,
    errors: Vec<String>,
) -> WebResult<Response> {
    let l = Layout::new(
        session,
        crate::i18n::t(session.locale, "campaign-title"),
        "sms-campaigns",
    );
    let fmt = Fmt::of(session);
    let carried = carried(input);
    let campaigns = state
        .app
        .campaigns(session, CAMPAIGNS_SHOWN)
        .await?
        .iter()
        .map(|view| campaign_row(&fmt, &l, view, &carried))
        .collect();
    let filter_words = if carried.is_empty() {
        l.t("campaign-all-contacts")
    } else {
        carried
            .iter()
            .map(|(k, v)| {
                let label = match k.as_str() {
                    "q" => l.t("campaign-search"),
                    "tag" => l.t("field-tags"),
                    field => l.t(&format!("field-{field}")),
                };
                format!("{label}: {v}")
            })
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let count = |n: usize| fmt.integer(n as i64);
    // The text shown: as typed, else the chosen template's as the preview resolved it.
    let text = match (&audience, input.text.is_empty()) {
        (Some(a), true) => a.text.clone(),
        _ => input.text.clone(),
    };
    let audience = audience.map(|a| AudienceRow {
        any: a.recipients > 0,
        recipients: count(a.recipients),
        not_allowed: count(a.not_allowed),
        no_number: count(a.no_number),
        segments: count(a.segments),
        first_text: a.first_text,
        length: count(a.length),
    });
    let template_id = input
        .template_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let template = CampaignsPage {
        errors,
        carried,
        filter_words,
        text,
        audience,
        campaigns,
        templates: template_options(state, session, &template_id).await,
        template_id,
        placeholders: placeholder_rows(&l),
        send_date: input.send_date.clone().unwrap_or_default(),
        send_time: input.send_time.clone().unwrap_or_default(),
        date_placeholder: fmt.date_placeholder(),
        l,
    };
    Ok(render(&template))
}

/// `GET /sms-campaigns[?q&tag&<field>=…][&text=…]`: the campaigns, and a new one for the
/// contacts the query chooses; with a text, the preview of who it reaches.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    uri: Uri,
) -> WebResult<Response> {
    let pairs = parse_urlencoded(uri.query().unwrap_or_default().as_bytes());
    let input = input_from(&pairs);
    if input.text.is_empty() && input.template_id.is_none() {
        return campaigns_page(&state, &session, &input, None, vec![]).await;
    }
    match state.app.campaign_audience(&session, &input).await {
        Ok(audience) => campaigns_page(&state, &session, &input, Some(audience), vec![]).await,
        Err(error @ AppError::Validation(_)) => {
            let errors = errors_of(&session, &error, &input.text);
            campaigns_page(&state, &session, &input, None, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /sms-campaigns`: sends the confirmed campaign, then shows its progress.
pub async fn send(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult<Response> {
    let input = input_from(&form.0);
    match state.app.send_campaign(&session, &input).await {
        Ok(campaign) => Ok(see_other(&format!("/sms-campaigns/{}", campaign.id))),
        Err(error @ AppError::Validation(_)) => {
            let errors = errors_of(&session, &error, &input.text);
            let audience = state.app.campaign_audience(&session, &input).await.ok();
            campaigns_page(&state, &session, &input, audience, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /sms-campaigns/{id}`: one campaign's progress and recipients.
pub async fn campaign(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    campaign_page(&state, &session, id, vec![]).await
}

/// `POST /sms-campaigns/{id}/cancel`: cancels a scheduled campaign, then shows it again.
pub async fn cancel(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    _form: WebForm,
) -> WebResult<Response> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    match state.app.cancel_campaign(&session, id).await {
        Ok(_) => Ok(see_other(&format!("/sms-campaigns/{id}"))),
        Err(error @ AppError::Validation(_)) => {
            let errors = errors_of(&session, &error, "");
            campaign_page(&state, &session, id, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

async fn campaign_page(
    state: &AppState,
    session: &Session,
    id: uuid::Uuid,
    errors: Vec<String>,
) -> WebResult<Response> {
    let view = state.app.campaign(session, id).await?;
    let recipients = state
        .app
        .campaign_recipients(session, id, RECIPIENTS_SHOWN)
        .await?;
    let l = Layout::new(
        session,
        crate::i18n::t(session.locale, "campaign-one"),
        "sms-campaigns",
    );
    let fmt = Fmt::of(session);
    let recipients = recipients
        .into_iter()
        .map(|(to, state, delivery)| {
            let shown = match delivery {
                Some(delivery) => l.t(&format!("sms-delivery-{delivery}")),
                None => l.t(&format!("campaign-state-{state}")),
            };
            (to, shown)
        })
        .collect();
    let template = CampaignPage {
        errors,
        campaign: campaign_row(&fmt, &l, &view, &[]),
        recipients,
        l,
    };
    Ok(render(&template))
}

#[derive(Template)]
#[template(path = "notice_templates.html")]
struct TemplatesPage {
    l: Layout,
    errors: Vec<String>,
    notice: Option<String>,
    /// The template just previewed, and the preview.
    preview: Option<(String, String)>,
    templates: Vec<TemplateRow>,
}

/// One template as the page shows it.
struct TemplateRow {
    key: String,
    heading: String,
    body: String,
    edited: bool,
    placeholders: String,
    multiline: bool,
}

fn template_row(l: &Layout, view: &TemplateView, body: Option<&str>) -> TemplateRow {
    TemplateRow {
        key: view.key.clone(),
        heading: format!(
            "{} — {} — {}",
            l.t(&format!("notice-locale-{}", view.locale)),
            l.t(&format!("notice-event-{}", view.event)),
            l.t(&format!("notice-part-{}", view.part)),
        ),
        body: body.map_or_else(|| view.body.clone(), str::to_owned),
        edited: view.edited,
        placeholders: view
            .placeholders
            .iter()
            .map(|p| format!("{{{{{p}}}}}"))
            .collect::<Vec<_>>()
            .join(" "),
        multiline: view.part == "email",
    }
}

async fn templates_page(
    state: &AppState,
    session: &peyvand_app::Session,
    notice: Option<String>,
    errors: Vec<String>,
    preview: Option<(String, String)>,
    typed: Option<(&str, &str)>,
) -> WebResult<Response> {
    let views = state.app.notice_templates(session).await?;
    let l = Layout::new(
        session,
        crate::i18n::t(session.locale, "notice-templates-title"),
        "settings",
    );
    let templates = views
        .iter()
        .map(|view| {
            // What the administrator typed stays in the box after a preview or an error.
            let body = typed.filter(|(key, _)| *key == view.key).map(|(_, b)| b);
            template_row(&l, view, body)
        })
        .collect();
    let template = TemplatesPage {
        errors,
        notice,
        preview,
        templates,
        l,
    };
    Ok(render(&template))
}

/// `GET /settings/notice-templates`.
pub async fn templates(
    State(state): State<AppState>,
    WebSession(session): WebSession,
) -> WebResult<Response> {
    templates_page(&state, &session, None, vec![], None, None).await
}

/// `POST /settings/notice-templates/{key}` with `body` and `action` (`save`, `preview` or
/// `reset`).
pub async fn edit_template(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(key): Path<String>,
    form: WebForm,
) -> WebResult<Response> {
    let body = form.get("body").unwrap_or_default().replace("\r\n", "\n");
    let t = |k: &str| crate::i18n::t(session.locale, k);
    let outcome = match form.get("action").unwrap_or("save") {
        "preview" => state
            .app
            .preview_notice_template(&session, &key, Some(&body))
            .await
            .map(|text| (None, Some((key.clone(), text)))),
        "reset" => state
            .app
            .set_notice_template(&session, &key, None)
            .await
            .map(|_| (Some(t("notice-templates-reset-done")), None)),
        _ => state
            .app
            .set_notice_template(&session, &key, Some(body.clone()))
            .await
            .map(|_| (Some(t("notice-templates-saved")), None)),
    };
    match outcome {
        Ok((notice, preview)) => {
            let typed = preview.as_ref().map(|_| (key.as_str(), body.as_str()));
            templates_page(&state, &session, notice, vec![], preview, typed).await
        }
        Err(AppError::UnknownPlaceholder(name)) => {
            let message = crate::i18n::t_args(
                session.locale,
                "error-unknown_placeholder",
                &[("name", name)],
            );
            let typed = Some((key.as_str(), body.as_str()));
            templates_page(&state, &session, None, vec![message], None, typed).await
        }
        Err(error @ AppError::Validation(_)) => {
            let errors = super::page::error_sentences(session.locale, &error, |_| {
                "notice-templates-body".to_owned()
            });
            let typed = Some((key.as_str(), body.as_str()));
            templates_page(&state, &session, None, errors, None, typed).await
        }
        Err(error) => Err(error.into()),
    }
}
