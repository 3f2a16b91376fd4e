//! The OpenAPI paths of customer classification (issue 4 §8).

use serde_json::{Map, Value, json};

fn error() -> Value {
    json!({"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn answer(status: &str, description: &str, schema: Value) -> Value {
    json!({
        status: {"description": description, "content": {"application/json": {"schema": schema}}},
        "default": error(),
    })
}

/// The scheme's JSON schema.
fn scheme() -> Value {
    let class = json!({"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "maxLength": 50, "description": "The label stored on customers and matched by price lists' customer_classes."},
        "share_bp": {"type": ["integer", "null"], "description": "Shares: the share of the ranking in basis points (2000 = 20%); all shares add up to 10000."},
        "min": {"type": ["integer", "null"], "description": "Thresholds: the least measure (Rials or a count), descending; none for the last class, which takes the rest."},
        "industries": {"type": "array", "items": {"type": "string"}, "description": "Industry criterion: the account industries of this class."},
        "offer": {"type": "string", "description": "The offer shown on the customer page next to the class."}}});
    let period = json!({"oneOf": [
        {"type": "object", "required": ["kind", "days"], "properties": {"kind": {"const": "last_days"}, "days": {"type": "integer", "minimum": 1, "maximum": 3650}}},
        {"type": "object", "required": ["kind", "year"], "properties": {"kind": {"const": "jalali_year"}, "year": {"type": "integer", "minimum": 1300, "maximum": 1500}}},
        {"type": "object", "required": ["kind", "from", "to"], "properties": {"kind": {"const": "range"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}}]});
    json!({"type": "object", "required": ["criterion", "period", "method", "classes"], "properties": {
        "criterion": {"enum": ["purchase_count", "purchase_amount", "margin", "contract_value", "industry"],
            "description": "contract_value sums the values of the customer's contracts past draft (approved, active, expired, renewed) that start in the period."},
        "period": period,
        "method": {"enum": ["shares", "thresholds"], "description": "Ignored for the industry criterion."},
        "classes": {"type": "array", "minItems": 2, "maxItems": 10, "items": class, "description": "Best first; customers without purchases get the last."},
        "nightly": {"type": "boolean", "default": true}}})
}

/// A run's JSON schema.
fn run() -> Value {
    let moment = json!({"type": ["string", "null"], "format": "date-time"});
    json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "origin": {"enum": ["manual", "nightly"]},
        "state": {"enum": ["queued", "running", "done", "failed"]},
        "requested_by": {"type": ["string", "null"], "format": "uuid"},
        "total": {"type": "integer"}, "done": {"type": "integer"}, "percent": {"type": "integer"},
        "changed": {"type": "integer", "description": "Customers whose class changed."},
        "counts": {"type": "array", "items": {"type": "object", "properties": {"class": {"type": "string"}, "customers": {"type": "integer"}}}},
        "error": {"type": ["string", "null"], "description": "no_scheme or internal."},
        "created_at": {"type": "string", "format": "date-time"}, "started_at": moment, "finished_at": moment}})
}

/// Adds the paths to the document.
pub(crate) fn classes_paths(paths: &mut Map<String, Value>) {
    paths.insert("/api/v1/settings/classes".into(), json!({
        "get": {"tags": ["classes"], "operationId": "class_scheme", "description": "The classification scheme; 404 while none is set.",
            "responses": answer("200", "The scheme", scheme())},
        "put": {"tags": ["classes"], "operationId": "set_class_scheme", "description": "Administrators only; customers keep their classes until the next recompute.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": scheme()}}},
            "responses": answer("200", "The scheme as stored", scheme())}}));
    paths.insert("/api/v1/classes/recompute".into(), json!({"post": {
        "tags": ["classes"], "operationId": "recompute_classes",
        "description": "Administrators only. Queues a recompute of every account's and contact's customer_class on the job queue; poll the run.",
        "responses": answer("202", "The run, queued", run())}}));
    paths.insert("/api/v1/classes/runs".into(), json!({"get": {
        "tags": ["classes"], "operationId": "class_runs", "description": "Administrators only.",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}],
        "responses": answer("200", "Runs, newest first", json!({"type": "object", "properties": {"items": {"type": "array", "items": run()}}}))}}));
    paths.insert("/api/v1/classes/runs/{id}".into(), json!({
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
        "get": {"tags": ["classes"], "operationId": "class_run", "description": "Administrators only.",
            "responses": answer("200", "The run's progress and outcome", run())}}));
}
