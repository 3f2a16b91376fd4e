//! The OpenAPI paths of notifications, jobs, surveys, case attachments, the service report and
//! portal access (issue 5).

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

fn items(item: Value) -> Value {
    json!({"type": "object", "properties": {"items": {"type": "array", "items": item}}})
}

/// Adds the paths to the document.
pub(crate) fn notify_paths(paths: &mut Map<String, Value>) {
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let kind = json!({"name": "kind", "in": "path", "required": true, "schema": {"enum": ["accounts", "contacts", "cases"]}});
    let uuid = json!({"type": "string", "format": "uuid"});
    let moment = json!({"type": "string", "format": "date-time"});
    let smtp = json!({"type": ["object", "null"], "properties": {
        "host": {"type": "string"}, "port": {"type": "integer"}, "security": {"enum": ["starttls", "tls", "none"]},
        "username": {"type": "string"}, "password": {"type": "string", "writeOnly": true, "description": "Empty keeps the stored one; never returned."},
        "from": {"type": "string"}}});
    let sms = json!({"type": ["object", "null"], "properties": {
        "provider": {"enum": ["kavenegar", "http"]}, "url": {"type": "string"},
        "api_key": {"type": "string", "writeOnly": true, "description": "Empty keeps the stored one; never returned."},
        "sender": {"type": "string"}, "body": {"type": "string"}, "key_header": {"type": "string"}}});
    let settings = json!({"type": "object", "additionalProperties": false, "properties": {
        "public_url": {"type": "string", "description": "The address customers reach the server at (survey links)."},
        "smtp": smtp, "sms": sms}});
    paths.insert("/api/v1/settings/notifications".into(), json!({
        "get": {"tags": ["notifications"], "operationId": "notification_settings", "description": "Administrators only; secrets are shown only as password_set / api_key_set.", "responses": ok("The settings", json!({"type": "object"}))},
        "put": {"tags": ["notifications"], "operationId": "set_notification_settings", "requestBody": body(settings), "responses": ok("The settings", json!({"type": "object"}))}}));
    paths.insert("/api/v1/settings/notifications/test".into(), json!({"post": {
        "tags": ["notifications"], "operationId": "send_test_message",
        "requestBody": body(json!({"type": "object", "required": ["channel", "to"], "additionalProperties": false, "properties": {"channel": {"enum": ["email", "sms"]}, "to": {"type": "string"}}})),
        "responses": {"202": {"description": "Queued", "content": {"application/json": {"schema": {"type": "object", "properties": {"job_id": uuid}}}}}}}}));
    let job = json!({"type": "object", "properties": {
        "id": uuid, "kind": {"enum": ["email", "sms", "sms_batch", "campaign_sms", "campaign_start", "insights", "insight_tag", "classify"]}, "state": {"enum": ["queued", "running", "done", "failed"]},
        "attempts": {"type": "integer"}, "to": {"type": "string"}, "last_error": {"type": ["string", "null"]},
        "run_at": moment, "created_at": moment,
        "delivery": {"type": ["string", "null"], "enum": ["pending", "delivered", "failed", "unknown", null], "description": "For a sent SMS, what its gateway last reported (asked every few minutes until delivered or failed; pending after three days becomes unknown)."}}});
    paths.insert("/api/v1/settings/notifications/sms-credit".into(), json!({"get": {
        "tags": ["notifications"], "operationId": "sms_credit", "description": "The SMS gateway account's remaining credit in Rials, asked of the gateway now; administrators only. 502 channel_unavailable when the gateway does not answer.",
        "responses": ok("The credit", json!({"type": "object", "properties": {"credit": {"type": ["integer", "null"], "description": "Rials; null when no SMS gateway is set up"}}}))}}));
    paths.insert("/api/v1/jobs".into(), json!({"get": {
        "tags": ["notifications"], "operationId": "jobs", "description": "The newest jobs of the durable queue; administrators only.",
        "parameters": [{"name": "state", "in": "query", "schema": {"enum": ["failed"]}}, {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
        "responses": ok("Jobs, newest first", items(job))}}));
    messaging_paths(paths, &id, &uuid, &moment);
    let survey = json!({"type": "object", "properties": {
        "id": uuid, "case_id": uuid, "created_at": moment, "answered_at": {"type": ["string", "null"], "format": "date-time"},
        "csat": {"type": ["integer", "null"], "minimum": 1, "maximum": 5}, "nps": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
        "comment": {"type": ["string", "null"]}}});
    paths.insert("/api/v1/{kind}/{id}/surveys".into(), json!({"parameters": [kind, id.clone()], "get": {
        "tags": ["cases"], "operationId": "surveys", "responses": ok("Satisfaction surveys, newest first", items(survey))}}));
    let attachment = json!({"type": "object", "properties": {
        "id": uuid, "case_id": uuid, "file_name": {"type": "string"}, "content_type": {"type": "string"},
        "size": {"type": "integer"}, "from_customer": {"type": "boolean"}, "uploaded_by": {"type": ["string", "null"], "format": "uuid"}, "created_at": moment}});
    paths.insert("/api/v1/cases/{id}/attachments".into(), json!({"parameters": [id.clone()],
        "get": {"tags": ["cases"], "operationId": "case_attachments", "responses": ok("Attachments, oldest first", items(attachment.clone()))},
        "post": {"tags": ["cases"], "operationId": "attach_to_case",
            "description": "The file as the body; PDF, PNG, JPEG, UTF-8 text, DOCX or XLSX up to 10 MiB, recognised by content.",
            "parameters": [{"name": "name", "in": "query", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {"201": {"description": "The attachment", "content": {"application/json": {"schema": attachment}}}}}}));
    paths.insert("/api/v1/attachments/{id}".into(), json!({"parameters": [id.clone()], "get": {
        "tags": ["cases"], "operationId": "attachment", "responses": {"200": {"description": "The file, as a download"}}}}));
    paths.insert("/api/v1/reports/service".into(), json!({"get": {
        "tags": ["reports"], "operationId": "service_report",
        "parameters": [{"name": "from", "in": "query", "schema": {"type": "string"}}, {"name": "to", "in": "query", "schema": {"type": "string"}}],
        "responses": ok("Volume, response and resolution, breaches, agents, satisfaction, monthly volume and next month's forecast", json!({"type": "object"}))}}));
    paths.insert("/api/v1/contacts/{id}/portal-access".into(), json!({"parameters": [id], "post": {
        "tags": ["contacts"], "operationId": "portal_access", "description": "Lets the contact sign in to /portal with their email and this password (at least 8 characters).",
        "requestBody": body(json!({"type": "object", "required": ["password"], "additionalProperties": false, "properties": {"password": {"type": "string", "minLength": 8}}})),
        "responses": {"204": {"description": "Access given"}}}}));
}

/// Bulk SMS campaigns and the editable notification templates (issue 5 §5).
fn messaging_paths(paths: &mut Map<String, Value>, id: &Value, uuid: &Value, moment: &Value) {
    let input = json!({"type": "object", "additionalProperties": false, "properties": {
        "q": {"type": ["string", "null"], "description": "The contact list's search."},
        "filters": {"type": "object", "additionalProperties": {"type": "string"}, "description": "The contact list's field filters."},
        "tag": {"type": ["string", "null"]},
        "text": {"type": "string", "maxLength": 469, "description": "May hold per-contact placeholders written {{name}} (see /api/v1/sms-templates/placeholders); an unknown one is refused with 422 fields.text = unknown_placeholder. Empty with template_id: the template's text."},
        "template_id": {"type": ["string", "null"], "format": "uuid", "description": "A saved SMS template to start from; 422 fields.template_id = not_found when the user cannot read it."},
        "scheduled_at": {"type": ["string", "null"], "format": "date-time", "description": "Start at this moment instead of now; must be in the future (422 in_the_past)."},
        "send_date": {"type": ["string", "null"], "description": "Or: start on this day, written in the user's calendar (Jalali or Gregorian) …"},
        "send_time": {"type": ["string", "null"], "description": "… at this time of day in Iran, HH:MM (09:00 when left out)."},
        "confirm": {"type": "boolean", "description": "Must be true to send; without it the answer is 422."}}});
    let audience = json!({"type": "object", "properties": {
        "recipients": {"type": "integer", "description": "Numbers that get the message (one per number)"},
        "not_allowed": {"type": "integer", "description": "Contacts left out: no SMS consent, or opted out"},
        "no_number": {"type": "integer"}, "segments": {"type": "integer", "description": "SMS segments of the first recipient's text"},
        "text": {"type": "string", "description": "The text with its placeholders (the template's when none was typed)"},
        "first_text": {"type": ["string", "null"], "description": "What the first recipient gets, placeholders filled"},
        "length": {"type": "integer", "description": "Characters of first_text"}}});
    let campaign = json!({"type": "object", "properties": {
        "id": uuid, "created_at": moment, "text": {"type": "string"}, "filter": {"type": "object"},
        "recipients": {"type": "integer"}, "not_allowed": {"type": "integer"}, "no_number": {"type": "integer"},
        "queued": {"type": "integer"}, "sent": {"type": "integer"}, "delivered": {"type": "integer"}, "failed": {"type": "integer"},
        "state": {"enum": ["scheduled", "cancelled", "started", "failed"], "description": "A scheduled campaign chooses its recipients when it starts; recipients is then the estimate of when it was confirmed."},
        "scheduled_at": {"type": ["string", "null"], "format": "date-time"}, "template_id": {"type": ["string", "null"], "format": "uuid"}}});
    let rights = "Needs the right to export contacts (marketing, managers, administrators); the recipients are the contacts the user may export.";
    paths.insert("/api/v1/sms-campaigns/preview".into(), json!({"post": {
        "tags": ["notifications"], "operationId": "sms_campaign_preview", "description": rights,
        "requestBody": body(input.clone()), "responses": ok("Who the campaign would reach", audience)}}));
    paths.insert("/api/v1/sms-campaigns".into(), json!({
        "get": {"tags": ["notifications"], "operationId": "sms_campaigns", "responses": ok("Campaigns, newest first", items(campaign.clone()))},
        "post": {"tags": ["notifications"], "operationId": "send_sms_campaign", "description": rights,
            "requestBody": body(input),
            "responses": {"201": {"description": "Queued: one job per 200 numbers, sent through the gateway's pair-to-pair bulk call (each number its own text and local id); or, with a schedule, one job at that moment", "content": {"application/json": {"schema": campaign.clone()}}}}}}));
    paths.insert("/api/v1/sms-campaigns/{id}".into(), json!({"parameters": [id.clone()], "get": {
        "tags": ["notifications"], "operationId": "sms_campaign",
        "responses": ok("The campaign with its progress and `recipient_list` (to, state, delivery)", campaign.clone())}}));
    paths.insert("/api/v1/sms-campaigns/{id}/cancel".into(), json!({"parameters": [id], "post": {
        "tags": ["notifications"], "operationId": "cancel_sms_campaign", "description": "Cancels a scheduled campaign before it starts; 422 fields.state = not_scheduled once it has started or was cancelled.",
        "responses": ok("The campaign, cancelled", campaign)}}));
    paths.insert("/api/v1/sms-templates/placeholders".into(), json!({"get": {
        "tags": ["sms-templates"], "operationId": "sms_template_placeholders", "description": "The per-contact placeholders an SMS template or campaign text may use, written {{name}}; any other is refused with 422 unknown_placeholder naming it.",
        "responses": ok("Placeholders", items(json!({"type": "object", "properties": {"name": {"type": "string"}, "description": {"type": "string"}}})))}}));
    let template = json!({"type": "object", "properties": {
        "key": {"type": "string", "description": "locale.event.part, e.g. fa.received.sms"},
        "locale": {"enum": ["fa", "en"]}, "event": {"enum": ["received", "answered", "closed", "survey"]},
        "part": {"enum": ["subject", "email", "sms"]}, "body": {"type": "string"}, "default_body": {"type": "string"},
        "edited": {"type": "boolean"}, "placeholders": {"type": "array", "items": {"type": "string"}}}});
    let key = json!({"name": "key", "in": "path", "required": true, "schema": {"type": "string"}});
    let text = json!({"type": "object", "additionalProperties": false, "properties": {"body": {"type": "string"}}});
    paths.insert("/api/v1/settings/notice-templates".into(), json!({"get": {
        "tags": ["notifications"], "operationId": "notice_templates", "description": "Administrators only.",
        "responses": ok("Every template", items(template.clone()))}}));
    paths.insert("/api/v1/settings/notice-templates/{key}".into(), json!({"parameters": [key.clone()],
        "put": {"tags": ["notifications"], "operationId": "set_notice_template",
            "description": "Placeholders are written {{name}}; an unknown one is refused with 422 unknown_placeholder naming it.",
            "requestBody": body(text.clone()), "responses": ok("The template", template.clone())},
        "delete": {"tags": ["notifications"], "operationId": "reset_notice_template", "responses": ok("The template, back to its built-in text", template)}}));
    paths.insert("/api/v1/settings/notice-templates/{key}/preview".into(), json!({"parameters": [key], "post": {
        "tags": ["notifications"], "operationId": "preview_notice_template",
        "requestBody": body(text), "responses": ok("The text filled with sample values", json!({"type": "object", "properties": {"text": {"type": "string"}}}))}}));
}
