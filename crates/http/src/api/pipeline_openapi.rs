//! The OpenAPI description of the sales pipeline's own endpoints (issue 4); the records of the
//! sales kinds are described from their schemas with every other kind.

use serde_json::{Map, Value, json};

fn error_responses(ok_status: &str, description: &str, content: Value) -> Value {
    let error = json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut map = Map::new();
    map.insert(
        ok_status.into(),
        json!({"description": description, "content": content}),
    );
    for status in ["400", "401", "403", "404", "409", "422"] {
        map.insert(status.into(), error.clone());
    }
    Value::Object(map)
}

fn json_body(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn query(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": "string"}, "description": description})
}

/// Adds the sales endpoints to `paths`.
pub fn sales_paths(paths: &mut Map<String, Value>) {
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let tag = ["sales"];
    let stage = json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"},
        "position": {"type": "integer", "minimum": 1},
        "name": {"type": "string"},
        "probability": {"type": "integer", "minimum": 0, "maximum": 100},
    }});
    let stages =
        json!({"type": "object", "properties": {"items": {"type": "array", "items": stage}}});
    let stage_input = json!({"type": "object", "required": ["name", "probability"], "additionalProperties": false, "properties": {
        "id": {"type": ["string", "null"], "format": "uuid", "description": "A stage kept (renamed, moved); absent for a new one."},
        "name": {"type": "string"},
        "probability": {"type": ["integer", "string"], "description": "Percent, 0–100."},
    }});
    paths.insert("/api/v1/pipelines/{id}/stages".into(), json!({
        "parameters": [id_param],
        "get": {"tags": tag, "operationId": "get_pipeline_stages", "responses": error_responses("200", "The stages in order", json_body(stages.clone()))},
        "put": {"tags": tag, "operationId": "put_pipeline_stages", "description": "Replaces the stages with this list, in its order: 3–7 stages, probabilities 0–100. Stages left out are removed, unless a deal is or was at them (409). Administrators only.",
            "requestBody": {"required": true, "content": json_body(json!({"type": "object", "required": ["stages"], "additionalProperties": false, "properties": {"stages": {"type": "array", "minItems": 3, "maxItems": 7, "items": stage_input}}}))},
            "responses": error_responses("200", "The stages now", json_body(stages))},
    }));
    paths.insert("/api/v1/pipelines/{id}/board".into(), json!({
        "parameters": [id_param],
        "get": {"tags": tag, "operationId": "get_pipeline_board", "parameters": [query("limit", "Cards per column (default 20, at most 200).")],
            "responses": error_responses("200", "Per stage: count and sum of the open deals the caller sees, and the first cards", json_body(json!({"type": "object"})))},
    }));
    paths.insert("/api/v1/opportunities/{id}/move".into(), json!({
        "parameters": [id_param],
        "post": {"tags": tag, "operationId": "move_opportunity", "description": "Moves a deal to a stage (as an open deal) or closes it as won or lost (lost needs loss_reason_id). Reopening or changing a won or lost deal needs an update right on opportunities wider than one's own (403 reopen_forbidden). A stale version gets 409; nothing changes on any error.",
            "requestBody": {"required": true, "content": json_body(json!({"type": "object", "required": ["version"], "additionalProperties": false, "properties": {
                "version": {"type": "integer"},
                "stage_id": {"type": ["string", "null"], "format": "uuid"},
                "status": {"type": ["string", "null"], "enum": ["open", "won", "lost", null]},
                "loss_reason_id": {"type": ["string", "null"], "format": "uuid"},
            }}))},
            "responses": error_responses("200", "The opportunity", json_body(json!({"$ref": "#/components/schemas/opportunities"})))},
    }));
    let filters = vec![
        query(
            "pipeline_id",
            "The pipeline (funnel: the default one when absent; forecast: all).",
        ),
        query("from", "First day (ISO or the caller's calendar)."),
        query("to", "The day after the last."),
        query("owner_id", "Only this user's deals."),
        query("team_id", "Only the deals of this team's members."),
        query(
            "branch_id",
            "Only the deals of this branch and the branches below it.",
        ),
    ];
    let mut funnel_params = filters.clone();
    funnel_params.push(query("format", "csv for a CSV file."));
    paths.insert("/api/v1/sales/funnel".into(), json!({
        "get": {"tags": tag, "operationId": "sales_funnel", "description": "For a period (the last 365 days by default): opportunities that entered each stage and their value, conversion into the next stage (the last: into won), losses by stage and reason, average days in stage, won deals, win rate, average sales cycle and lead conversion. Counts only deals the caller may read.",
            "parameters": funnel_params,
            "responses": error_responses("200", "The funnel", json!({"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}))},
    }));
    let mut forecast_params = filters;
    forecast_params.push(query(
        "calendar",
        "jalali or gregorian months (the caller's by default).",
    ));
    forecast_params.push(query("target", "A target amount in Rials: adds the funnel arithmetic (deals, opportunities per stage and leads needed) from the previous year's conversion."));
    paths.insert("/api/v1/sales/forecast".into(), json!({
        "get": {"tags": tag, "operationId": "sales_forecast", "description": "Weighted pipeline (amount × stage probability, in whole Rials) of open deals by expected close month, in total and per user, team and branch (the next twelve months by default).",
            "parameters": forecast_params,
            "responses": error_responses("200", "The forecast", json_body(json!({"type": "object"})))},
    }));
    paths.insert("/api/v1/sales/targets".into(), json!({
        "get": {"tags": tag, "operationId": "sales_target_progress", "parameters": [query("on", "Only targets whose period holds this day.")],
            "responses": error_responses("200", "The targets the caller may read with the won amount or count achieved and the percent", json_body(json!({"type": "object"})))},
    }));
}
