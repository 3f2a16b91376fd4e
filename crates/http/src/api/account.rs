//! Signing in for API use, the caller's profile, and personal API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use peyvand_app::ApiTokenRow;
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::body::JsonBody;
use super::parse_id;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    email: String,
    password: String,
}

/// `POST /api/v1/auth/token`: email and password in, a new personal API token out.
pub async fn sign_in(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SignIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let user_id = state
        .app
        .check_credentials(&body.email, &body.password)
        .await?;
    let session = state.app.session_for_user(user_id).await?;
    let (row, token) = state.app.create_api_token(&session, "sign-in").await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": token, "id": row.id})),
    ))
}

pub async fn me(ApiSession(session): ApiSession) -> Json<Value> {
    Json(json!({
        "id": session.actor.user_id,
        "name": session.name,
        "email": session.email,
        "role": session.role_name,
        "branch_id": session.actor.branch_id,
        "team_id": session.actor.team_id,
        "locale": session.locale.code(),
        "calendar": session.calendar.code(),
    }))
}

fn token_json(row: &ApiTokenRow) -> Value {
    let time = |t: Option<time::OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok());
    json!({
        "id": row.id,
        "name": row.name,
        "created_at": time(Some(row.created_at)),
        "last_used_at": time(row.last_used_at),
        "revoked_at": time(row.revoked_at),
    })
}

pub async fn list_tokens(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Value>> {
    let tokens = state.app.api_tokens(&session).await?;
    Ok(Json(
        json!({"items": tokens.iter().map(token_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (row, token) = state.app.create_api_token(&session, &body.name).await?;
    let mut json = token_json(&row);
    json["token"] = token.into();
    Ok((StatusCode::CREATED, Json(json)))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.revoke_api_token(&session, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
