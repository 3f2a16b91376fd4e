//! Sales documents (issue 4): the endpoints beyond generic records — a document's lines, its
//! status moves, discount approval and conversion, the price proposed for a product, and a
//! customer's transactions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use peyvand_app::json::input_from_json;
use peyvand_app::sales::{LineChange, document_kind};
use peyvand_app::{AppError, DocumentLine, Session};
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{Input, Schema};
use peyvand_domain::validation::FieldError;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::body::{JsonBody, JsonObject};
use super::{parse_id, schema_at};
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::{ApiError, ApiResult};

/// The schema at `path` when it is a quote, order or invoice.
fn document_schema_at(session: &Session, path: &str) -> Result<&'static Schema, ApiError> {
    let schema = schema_at(session, path)?;
    document_kind(schema.kind)
        .map(|_| schema)
        .ok_or(ApiError::App(AppError::NotFound))
}

/// The schema at `path` when its records have lines: documents and opportunities (issue 4 §2).
fn lines_schema_at(session: &Session, path: &str) -> Result<&'static Schema, ApiError> {
    let schema = schema_at(session, path)?;
    if schema.kind == RecordKind::Opportunity {
        return Ok(schema);
    }
    document_schema_at(session, path)
}

/// A line as the API shows it.
pub fn line_json(line: &DocumentLine) -> Value {
    json!({
        "id": line.id,
        "position": line.position,
        "product_id": line.product_id,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_bp": line.discount_bp,
        "tax_bp": line.tax_bp,
        "gross": line.gross,
        "discount": line.discount,
        "net": line.net,
        "tax": line.tax,
        "total": line.total,
    })
}

fn lines_json(lines: &[DocumentLine]) -> Json<Value> {
    Json(json!({"items": lines.iter().map(line_json).collect::<Vec<_>>(), "next_cursor": null}))
}

fn line_inputs(body: &Map<String, Value>) -> BTreeMap<String, Input> {
    body.iter()
        .map(|(k, v)| (k.clone(), input_from_json(v)))
        .collect()
}

/// `GET /api/v1/{kind}/{id}/lines`.
pub async fn list_lines(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = lines_schema_at(&session, &kind)?;
    let lines = state
        .app
        .document_lines(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok(lines_json(&lines))
}

async fn edit(
    state: &AppState,
    session: &Session,
    kind: &str,
    id: &str,
    change: LineChange,
) -> ApiResult<Json<Value>> {
    let schema = lines_schema_at(session, kind)?;
    let lines = state
        .app
        .edit_document_lines(
            session,
            schema.kind,
            parse_id(id)?,
            change,
            CalendarKind::Gregorian,
        )
        .await?;
    Ok(lines_json(&lines))
}

/// `POST /api/v1/{kind}/{id}/lines`: adds a line; answers every line.
pub async fn add_line(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let lines = edit(
        &state,
        &session,
        &kind,
        &id,
        LineChange::Add(line_inputs(&body)),
    )
    .await?;
    Ok((StatusCode::CREATED, lines).into_response())
}

/// `PATCH /api/v1/{kind}/{id}/lines/{line}`.
pub async fn update_line(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id, line)): Path<(String, String, String)>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let change = LineChange::Update(parse_id(&line)?, line_inputs(&body));
    edit(&state, &session, &kind, &id, change).await
}

/// `DELETE /api/v1/{kind}/{id}/lines/{line}`.
pub async fn delete_line(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id, line)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    edit(
        &state,
        &session,
        &kind,
        &id,
        LineChange::Remove(parse_id(&line)?),
    )
    .await
}

/// The body of a status move.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    status: String,
}

/// `POST /api/v1/{kind}/{id}/status`.
pub async fn move_status(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Move>,
) -> ApiResult<Json<Value>> {
    let schema = document_schema_at(&session, &kind)?;
    let view = state
        .app
        .move_document(&session, schema.kind, parse_id(&id)?, body.status)
        .await?;
    Ok(Json(view.to_json()))
}

/// `POST /api/v1/{kind}/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = document_schema_at(&session, &kind)?;
    let view = state
        .app
        .approve_document(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok(Json(view.to_json()))
}

/// `POST /api/v1/{kind}/{id}/convert`: a quote into an order, an order into an invoice.
pub async fn convert(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let schema = document_schema_at(&session, &kind)?;
    let view = state
        .app
        .convert_document(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok((StatusCode::CREATED, Json(view.to_json())).into_response())
}

/// The query of a price proposal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceQuery {
    account_id: Option<String>,
    contact_id: Option<String>,
    date: Option<String>,
}

/// `GET /api/v1/products/{id}/price?account_id=…|contact_id=…&date=YYYY-MM-DD`.
pub async fn price(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Query(query): Query<PriceQuery>,
) -> ApiResult<Json<Value>> {
    // An unknown product is "not found" whatever else is wrong with the question.
    let product_id = parse_id(&id)?;
    state
        .app
        .get(&session, RecordKind::Product, product_id)
        .await?;
    let customer = match (&query.account_id, &query.contact_id) {
        (Some(account), _) => (RecordKind::Account, parse_id(account)?),
        (None, Some(contact)) => (RecordKind::Contact, parse_id(contact)?),
        (None, None) => return Err(AppError::field("account_id", FieldError::REQUIRED).into()),
    };
    let day = match query.date.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => Some(
            peyvand_domain::calendar::parse_date(text, CalendarKind::Gregorian)
                .map_err(|e| AppError::field("date", e))?,
        ),
        None => None,
    };
    let proposed = state
        .app
        .propose_price(&session, customer, product_id, day)
        .await?;
    Ok(Json(json!({
        "unit_price": proposed.unit_price,
        "price_list_id": proposed.price_list_id,
    })))
}

/// `GET /api/v1/{accounts|contacts}/{id}/transactions`.
pub async fn transactions(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = schema_at(&session, &kind)?;
    if !matches!(schema.kind, RecordKind::Account | RecordKind::Contact) {
        return Err(AppError::NotFound.into());
    }
    let found = state
        .app
        .customer_transactions(&session, schema.kind, parse_id(&id)?)
        .await?;
    let items =
        |views: &[peyvand_app::RecordView]| views.iter().map(|v| v.to_json()).collect::<Vec<_>>();
    let mut body = json!({
        "quotes": items(&found.quotes),
        "orders": items(&found.orders),
        "invoices": items(&found.invoices),
        "payments": items(&found.payments),
    });
    // The customer's opportunities and payment punctuality (issue 4 §9).
    let sales = state
        .app
        .customer_sales(&session, schema.kind, parse_id(&id)?)
        .await?;
    for (key, value) in super::sales_dashboard::customer_sales_json(&sales) {
        body[key] = value;
    }
    Ok(Json(body))
}

/// `POST /api/v1/opportunities/{id}/quote`: a draft quote with the deal's customer, owner,
/// branch and lines; every call makes a new one (a revision).
pub async fn quote_from_opportunity(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let view = state
        .app
        .quote_from_opportunity(&session, parse_id(&id)?)
        .await?;
    Ok((StatusCode::CREATED, Json(view.to_json())).into_response())
}

/// `GET /api/v1/opportunities/{id}/quotes`: the quotes made from the deal, newest first, each
/// with the order and invoice it became (`null` when none, or when the caller may not read it).
pub async fn opportunity_quotes(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let found = state
        .app
        .opportunity_quotes(&session, parse_id(&id)?)
        .await?;
    let optional = |view: &Option<peyvand_app::RecordView>| view.as_ref().map(|v| v.to_json());
    let items: Vec<Value> = found
        .iter()
        .map(|q| {
            let mut item = q.quote.to_json();
            item["order"] = optional(&q.order).unwrap_or(Value::Null);
            item["invoice"] = optional(&q.invoice).unwrap_or(Value::Null);
            item
        })
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}
