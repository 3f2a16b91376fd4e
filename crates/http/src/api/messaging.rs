//! `/api/v1/sms-campaigns` and `/api/v1/settings/notice-templates`: bulk SMS to a filtered
//! contact list (a preview of who it reaches, then a confirmed send whose progress is followed)
//! and the administrators' editing of the texts customers get about their cases.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use peyvand_app::notice_templates::TemplateView;
use peyvand_app::sms_campaigns::{Audience, CampaignInput, CampaignView};
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::JsonBody;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// Most campaigns one list returns.
const MAX_CAMPAIGNS: u64 = 200;
/// Most recipients one campaign's page of recipients returns.
const MAX_RECIPIENTS_SHOWN: u64 = 1_000;

fn parse_id(raw: &str) -> ApiResult<uuid::Uuid> {
    raw.parse()
        .map_err(|_| peyvand_app::AppError::NotFound.into())
}

/// `POST /api/v1/sms-campaigns/preview`: how many contacts the filters reach and how many are
/// left out; nothing is sent.
pub async fn preview(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<CampaignInput>,
) -> ApiResult<Json<Audience>> {
    Ok(Json(state.app.campaign_audience(&session, &body).await?))
}

/// `POST /api/v1/sms-campaigns` with `"confirm": true`: sends; 201 with the campaign.
pub async fn create(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<CampaignInput>,
) -> ApiResult<(StatusCode, Json<CampaignView>)> {
    let campaign = state.app.send_campaign(&session, &body).await?;
    Ok((StatusCode::CREATED, Json(campaign)))
}

/// `GET /api/v1/sms-campaigns`: the newest campaigns with their progress.
pub async fn list(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Value>> {
    let items = state.app.campaigns(&session, MAX_CAMPAIGNS).await?;
    Ok(Json(json!({ "items": items })))
}

/// `GET /api/v1/sms-campaigns/{id}`: one campaign's progress and recipients.
pub async fn get(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    let campaign = state.app.campaign(&session, id).await?;
    let recipients: Vec<Value> = state
        .app
        .campaign_recipients(&session, id, MAX_RECIPIENTS_SHOWN)
        .await?
        .into_iter()
        .map(|(to, state, delivery)| json!({"to": to, "state": state, "delivery": delivery}))
        .collect();
    let mut body = serde_json::to_value(campaign).unwrap_or_default();
    body["recipient_list"] = json!(recipients);
    Ok(Json(body))
}

/// `POST /api/v1/sms-campaigns/{id}/cancel`: cancels a scheduled campaign before it starts.
pub async fn cancel(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    let id = parse_id(&id)?;
    Ok(Json(state.app.cancel_campaign(&session, id).await?))
}

/// `GET /api/v1/sms-templates/placeholders`: the placeholders an SMS text may use, each with
/// what it stands for in the user's language.
pub async fn sms_placeholders(ApiSession(session): ApiSession) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = peyvand_domain::sms_templates::PLACEHOLDERS
        .iter()
        .map(|name| {
            let description = crate::i18n::t(session.locale, &format!("sms-placeholder-{name}"));
            json!({"name": name, "description": description})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `GET /api/v1/settings/notice-templates`: every template with its text in use.
pub async fn templates(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Value>> {
    let items = state.app.notice_templates(&session).await?;
    Ok(Json(json!({ "items": items })))
}

/// The body of a template change or preview.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    body: Option<String>,
}

/// `PUT /api/v1/settings/notice-templates/{key}` with `{"body": …}`: saves an edited text.
pub async fn put_template(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(key): Path<String>,
    JsonBody(body): JsonBody<TemplateBody>,
) -> ApiResult<Json<TemplateView>> {
    let text = body.body.unwrap_or_default();
    Ok(Json(
        state
            .app
            .set_notice_template(&session, &key, Some(text))
            .await?,
    ))
}

/// `DELETE /api/v1/settings/notice-templates/{key}`: back to the built-in text.
pub async fn reset_template(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(key): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        state.app.set_notice_template(&session, &key, None).await?,
    ))
}

/// `POST /api/v1/settings/notice-templates/{key}/preview` with an optional `{"body": …}`: the
/// text filled with sample values.
pub async fn preview_template(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(key): Path<String>,
    JsonBody(body): JsonBody<TemplateBody>,
) -> ApiResult<Json<Value>> {
    let text = state
        .app
        .preview_notice_template(&session, &key, body.body.as_deref())
        .await?;
    Ok(Json(json!({ "text": text })))
}
