//! The OpenAPI paths of the activity and customer-service endpoints (issue 5) beyond the
//! generic record CRUD, which `openapi` derives from the schemas.

use peyvand_domain::record::service::{CASE_STATUSES, PRIORITIES};
use serde_json::{Map, Value, json};

fn ok(description: &str, schema: Value) -> Value {
    json!({
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        "default": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    })
}

fn body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// Adds the service paths to the document.
pub(crate) fn service_paths(paths: &mut Map<String, Value>) {
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let case = json!({"$ref": "#/components/schemas/cases"});
    let uuid = json!({"type": "string", "format": "uuid"});
    let entry = json!({"type": "object", "properties": {
        "id": uuid, "kind": {"enum": ["internal_note", "reply", "customer"]}, "body": {"type": "string"},
        "author_id": {"type": ["string", "null"], "format": "uuid"}, "created_at": {"type": "string", "format": "date-time"}}});
    let clock = json!({"type": ["object", "null"], "properties": {
        "due": {"type": "string", "format": "date-time"},
        "state": {"enum": ["met", "missed", "running", "breached", "paused"]},
        "working_minutes_left": {"type": ["integer", "null"], "description": "Working minutes left (negative: past due)."}}});
    let people = json!({"type": "object", "additionalProperties": false, "properties": {
        "assignees": {"type": "array", "items": uuid},
        "attendees": {"type": "array", "items": {"type": "object", "description": "Exactly one of user_id, contact_id or name.", "properties": {
            "user_id": uuid, "contact_id": uuid, "name": {"type": "string"}}}}}});
    let activities = json!({"type": "array", "items": {"$ref": "#/components/schemas/activities"}});
    let tally = json!({"type": "object", "properties": {
        "id": {"type": ["string", "null"], "format": "uuid"}, "total": {"type": "integer"},
        "done_on_time": {"type": "integer"}, "done_late": {"type": "integer"},
        "overdue": {"type": "integer"}, "pending": {"type": "integer"},
        "on_time_percent": {"type": ["integer", "null"]}}});
    let date = |name: &str, description: &str| json!({"name": name, "in": "query", "schema": {"type": "string"}, "description": description});
    paths.insert("/api/v1/cases/{id}/transition".into(), json!({"parameters": [id], "post": {
        "tags": ["cases"], "operationId": "case_transition",
        "description": "Moves the case along new → assigned → in_progress ⇄ waiting_customer → resolved → closed; resolved and closed cases reopen to in_progress. Any other move is 409 invalid_transition.",
        "requestBody": body(json!({"type": "object", "required": ["status"], "additionalProperties": false, "properties": {"status": {"enum": CASE_STATUSES}}})),
        "responses": ok("The case", case.clone())}}));
    paths.insert("/api/v1/cases/{id}/entries".into(), json!({"parameters": [id],
        "get": {"tags": ["cases"], "operationId": "case_entries", "responses": ok("Internal notes and replies, oldest first", json!({"type": "object", "properties": {"items": {"type": "array", "items": entry}}}))},
        "post": {"tags": ["cases"], "operationId": "add_case_entry", "description": "An internal note (staff only) or a reply to the customer; the first reply stops the first-response clock.",
            "requestBody": body(json!({"type": "object", "required": ["kind", "body"], "additionalProperties": false, "properties": {"kind": {"enum": ["internal_note", "reply"]}, "body": {"type": "string"}}})),
            "responses": {"201": {"description": "The entry", "content": {"application/json": {"schema": entry}}}}}}));
    paths.insert("/api/v1/cases/{id}/reassign".into(), json!({"parameters": [id], "post": {
        "tags": ["cases"], "operationId": "reassign_case", "description": "Gives the case to a person (and team); recorded in the audit trail as reassign.",
        "requestBody": body(json!({"type": "object", "required": ["owner_id"], "additionalProperties": false, "properties": {"owner_id": uuid, "team_id": {"type": ["string", "null"], "format": "uuid"}}})),
        "responses": ok("The case", case)}}));
    paths.insert("/api/v1/cases/{id}/sla".into(), json!({"parameters": [id], "get": {
        "tags": ["cases"], "operationId": "case_sla", "description": format!("Service-level clocks in working hours of the branch's calendar. Targets are set in sla-targets per priority ({}) and optionally per customer class; a case takes its customer's class when opened (the contact's, else the account's) and follows the most specific target: the class's override for its priority, else the priority's target.", PRIORITIES.join(", ")),
        "responses": ok("The clocks and the target they follow", json!({"type": "object", "properties": {
            "first_response": clock, "resolution": clock,
            "customer_class": {"type": ["string", "null"], "description": "The customer's class when the case was opened."},
            "target": {"type": ["object", "null"], "description": "The target applied, as it is set now; null when none applied or it was deleted.", "properties": {
                "id": uuid, "priority": {"enum": PRIORITIES},
                "customer_class": {"type": ["string", "null"], "description": "Null for the priority's target for every class."},
                "first_response_hours": {"type": "integer"}, "resolution_hours": {"type": "integer"}}}}}))}}));
    paths.insert("/api/v1/activities/{id}/people".into(), json!({"parameters": [id],
        "get": {"tags": ["activities"], "operationId": "activity_people", "responses": ok("Assignees and attendees", people.clone())},
        "put": {"tags": ["activities"], "operationId": "set_activity_people", "requestBody": body(people.clone()), "responses": ok("Assignees and attendees", people)}}));
    paths.insert("/api/v1/agenda".into(), json!({"get": {
        "tags": ["activities"], "operationId": "agenda", "description": "Activities due in a day, week or month of the user's calendar: the caller's own (owned or assigned), or a team's for managers.",
        "parameters": [
            json!({"name": "span", "in": "query", "schema": {"enum": ["day", "week", "month"]}}),
            date("date", "A day in the period (user's calendar or ISO); today by default."),
            json!({"name": "team_id", "in": "query", "schema": uuid})],
        "responses": ok("The period and its activities", json!({"type": "object", "properties": {"span": {"type": "string"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}, "items": activities}}))}}));
    paths.insert("/api/v1/reminders".into(), json!({"get": {
        "tags": ["activities"], "operationId": "reminders", "description": "Open activities of the caller whose reminder time has come.",
        "responses": ok("Due reminders", json!({"type": "object", "properties": {"items": activities}}))}}));
    paths.insert("/api/v1/reports/activities".into(), json!({"get": {
        "tags": ["activities"], "operationId": "activity_report", "description": "Activities due in the period: done on time, done late, overdue and pending, by person, team and branch.",
        "parameters": [date("from", "First day; 30 days before `to` by default."), date("to", "Last day; today by default.")],
        "responses": ok("The report", json!({"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "total": tally, "by_person": {"type": "array", "items": tally}, "by_team": {"type": "array", "items": tally}, "by_branch": {"type": "array", "items": tally}}}))}}));
}
