//! The OpenAPI description of the sales dashboard (issue 4 §10) and of what a customer's
//! transactions gain in the 360° view (issue 4 §9): opportunities and payment punctuality.

use serde_json::{Map, Value, json};

fn query(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": "string"}, "description": description})
}

fn tally() -> Value {
    json!({"type": "object", "properties": {"count": {"type": "integer"}, "amount": {"type": "integer", "description": "Rials"}}})
}

fn comparison() -> Value {
    json!({"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "open": tally(),
        "weighted": {"type": "integer"},
        "won": tally(),
        "lost": tally(),
        "win_rate": {"type": ["number", "null"]},
    }}})
}

/// The punctuality object of a customer's transactions.
fn punctuality() -> Value {
    json!({"type": ["object", "null"], "description": "Null when the caller may not read invoices. Invoices that are not cancelled count once settled (the day their payments reached the total) or past due (the due date, else the issue date). On time: settled by the due date. Verdict: no_history (nothing judged); good (at least 80% on time and nothing overdue by more than 30 days); bad (under 50% on time, or anything overdue by more than 60 days); sometimes_late otherwise.", "properties": {
        "judged": {"type": "integer"},
        "on_time": {"type": "integer"},
        "on_time_percent": {"type": ["number", "null"]},
        "average_days_late": {"type": ["integer", "null"], "description": "Mean days late of the late invoices."},
        "overdue_count": {"type": "integer"},
        "overdue_amount": {"type": "integer", "description": "Unpaid Rials on invoices past due now."},
        "longest_overdue_days": {"type": "integer"},
        "verdict": {"type": "string", "enum": ["no_history", "good", "sometimes_late", "bad"]},
    }})
}

/// Adds the dashboard's path and completes the customers' transactions (which must already be
/// in `paths`) with opportunities and punctuality.
pub fn dashboard_paths(paths: &mut Map<String, Value>) {
    let error = json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let body = json!({"type": "object", "properties": {
        "period": {"type": "string", "enum": ["month", "quarter", "year", "custom"]},
        "calendar": {"type": "string", "enum": ["jalali", "gregorian"]},
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date", "description": "The day after the last."},
        "scope": {"type": "string", "enum": ["own", "team", "branch", "subtree", "all"], "description": "Whose deals the figures count: the caller's read right on opportunities."},
        "pipeline_id": {"type": "string", "format": "uuid"},
        "pipeline_name": {"type": "string"},
        "stages": {"type": "array", "description": "Open deals now per stage of the pipeline, with their weighted value.", "items": {"type": "object", "properties": {
            "stage_id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "probability": {"type": "integer"},
            "count": {"type": "integer"}, "amount": {"type": "integer"}, "weighted": {"type": "integer"}}}},
        "forecast": {"type": "object", "description": "As GET /api/v1/sales/forecast, over the period's months."},
        "targets": {"type": "array", "description": "As GET /api/v1/sales/targets, for targets whose period holds today (or the period's first day)."},
        "won": tally(),
        "lost": tally(),
        "win_rate": {"type": ["number", "null"]},
        "top_loss_reasons": {"type": "array", "items": {"type": "object", "properties": {
            "reason_id": {"type": ["string", "null"], "format": "uuid"}, "reason": {"type": ["string", "null"]},
            "count": {"type": "integer"}, "amount": {"type": "integer"}}}},
        "top_customers": {"type": ["array", "null"], "description": "The ten customers with the largest invoiced totals in the period (invoices not cancelled, those the caller may read); null without the right to read invoices.", "items": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["account", "contact"]}, "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
            "invoices": {"type": "integer"}, "amount": {"type": "integer"}}}},
        "people": comparison(),
        "branches": comparison(),
    }});
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({"description": "The dashboard", "content": {"application/json": {"schema": body}}}),
    );
    for status in ["400", "401", "403", "404", "422"] {
        responses.insert(status.into(), error.clone());
    }
    paths.insert("/api/v1/sales/dashboard".into(), json!({
        "get": {"tags": ["sales"], "operationId": "sales_dashboard", "description": "The sales dashboard for a period: the open pipeline by stage, the weighted forecast by expected close month, target achievement, won and lost deals with the top loss reasons, the customers invoiced most, a comparison per person (for those who see more than their own deals) and per branch (headquarters). Counts only the deals the caller may read: a sales rep their own, a sales manager the team's, a branch manager the branch's. 403 without any right to read opportunities.",
            "parameters": [
                query("period", "month, quarter or year holding today (default month), or custom with from and to."),
                query("from", "First day of a custom period (ISO or the caller's calendar)."),
                query("to", "The day after the last of a custom period."),
                query("calendar", "jalali or gregorian periods and months (the caller's by default)."),
                query("pipeline_id", "The pipeline (the default one when absent)."),
                query("branch_id", "Only this branch and those below it."),
                query("team_id", "Only this team's members."),
                query("owner_id", "Only this user's deals."),
            ],
            "responses": responses},
    }));
    for kind in ["accounts", "contacts"] {
        let path = format!("/api/v1/{kind}/{{id}}/transactions");
        let properties = paths
            .get_mut(&path)
            .and_then(|p| {
                p.pointer_mut("/get/responses/200/content/application~1json/schema/properties")
            })
            .and_then(Value::as_object_mut);
        if let Some(properties) = properties {
            properties.insert(
                "opportunities".into(),
                json!({"type": ["array", "null"], "description": "The customer's opportunities, open and closed, newest first; null when the caller may not read opportunities.", "items": {"$ref": "#/components/schemas/opportunities"}}),
            );
            properties.insert("punctuality".into(), punctuality());
        }
    }
}
