//! The OpenAPI 3.1 document, generated from the same record schemas that drive validation and
//! storage, so it cannot drift from what the server does.

use axum::Json;
use axum::extract::State;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{FieldDef, FieldType, Schema};
use serde_json::{Map, Value, json};

fn field_schema(field: &FieldDef) -> Value {
    let nullable = |mut schema: Value| {
        if !field.required {
            let ty = schema["type"].clone();
            schema["type"] = json!([ty, "null"]);
        }
        schema
    };
    let schema = match field.ty {
        FieldType::Text => json!({"type": "string", "maxLength": peyvand_domain::record::TEXT_MAX}),
        FieldType::LongText => {
            json!({"type": "string", "maxLength": peyvand_domain::record::LONG_TEXT_MAX})
        }
        FieldType::Email => json!({"type": "string", "format": "email"}),
        FieldType::Phone => {
            json!({"type": "string", "description": "Stored in E.164 form; Iranian numbers are accepted as 09…, +989…, 989…, in any digits."})
        }
        FieldType::Choice(choices) => json!({"type": "string", "enum": choices}),
        FieldType::Tags => json!({"type": "array", "items": {"type": "string", "maxLength": 50}}),
        FieldType::Bool => json!({"type": "boolean"}),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::Reference(kind) => {
            json!({"type": "string", "format": "uuid", "description": format!("Id of a {} record.", kind.code())})
        }
        FieldType::Timestamp => json!({"type": "string", "format": "date-time"}),
        FieldType::Integer => json!({"type": "integer"}),
        FieldType::Number => json!({"type": "number"}),
        FieldType::Money => json!({"type": "integer", "description": "An amount in Rials."}),
        FieldType::Percent => json!({
            "type": "integer",
            "minimum": 0,
            "maximum": 10000,
            "description": "A percentage in basis points (hundredths of a percent): 900 is 9%."
        }),
        FieldType::MultiChoice(choices) => {
            json!({"type": "array", "items": {"type": "string", "enum": choices}, "uniqueItems": true})
        }
    };
    let mut schema = nullable(schema);
    if let Some(labels) = field.custom {
        schema["title"] = labels.en.into();
        schema["x-label-fa"] = labels.fa.into();
    }
    if !field.writable {
        schema["readOnly"] = true.into();
    }
    schema
}

/// What the document says of a field whose type alone does not tell how it is used.
fn field_note(kind: RecordKind, field: &str) -> Option<&'static str> {
    match (kind, field) {
        (RecordKind::RoutingRule, "match_customer_classes") => Some(
            "Class names of the customer classification scheme (GET /api/v1/settings/classes): \
             the rule holds for a customer of any of them; empty or null for any customer. A \
             name that is not a class of the scheme is refused with unknown_class.",
        ),
        _ => None,
    }
}

fn record_schema(schema: &Schema) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "id".into(),
        json!({"type": "string", "format": "uuid", "readOnly": true}),
    );
    properties.insert("version".into(), json!({"type": "integer", "description": "Send it back when updating; a stale version gets 409."}));
    for field in schema.fields {
        let mut property = field_schema(field);
        if let Some(note) = field_note(schema.kind, field.name) {
            property["description"] = note.into();
        }
        properties.insert(field.name.into(), property);
    }
    if schema.kind == peyvand_domain::permission::RecordKind::User {
        properties.insert("password".into(), json!({"type": "string", "writeOnly": true, "minLength": peyvand_app::auth::MIN_PASSWORD_LEN}));
    }
    if schema.kind == peyvand_domain::permission::RecordKind::Role {
        properties.insert(
            "grants".into(),
            json!({"$ref": "#/components/schemas/Grants", "writeOnly": true}),
        );
    }
    let required: Vec<&str> = schema
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({"type": "object", "additionalProperties": false, "properties": properties, "required": required})
}

fn responses(ok_status: &str, ok: Value) -> Value {
    let error = json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut map = Map::new();
    map.insert(ok_status.into(), ok);
    for status in ["400", "401", "403", "404", "409", "413", "415", "422"] {
        map.insert(status.into(), error.clone());
    }
    Value::Object(map)
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn kind_paths(paths: &mut Map<String, Value>, schema: &Schema) {
    let name = schema.path;
    let reference = json!({"$ref": format!("#/components/schemas/{name}")});
    let page = json!({"type": "object", "properties": {"items": {"type": "array", "items": reference}, "next_cursor": {"type": ["string", "null"]}}});
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let mut list_params = vec![
        json!({"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Search; Persian letter forms, diacritics, ZWNJ and digit scripts are normalised."}),
        json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}),
        json!({"name": "cursor", "in": "query", "schema": {"type": "string"}}),
        json!({"name": "sort", "in": "query", "schema": {"type": "string"}, "description": "A field name; prefix with - for descending."}),
        json!({"name": "tag", "in": "query", "schema": {"type": "string"}}),
    ];
    for field in schema.fields.iter().filter(|f| {
        !matches!(
            f.ty,
            FieldType::Tags | FieldType::LongText | FieldType::Timestamp
        )
    }) {
        list_params.push(json!({"name": field.name, "in": "query", "schema": {"type": "string"}, "description": "Equals this value."}));
    }
    let tag = [name];
    paths.insert(
        format!("/api/v1/{name}"),
        json!({
            "get": {"tags": tag, "operationId": format!("list_{name}"), "parameters": list_params, "responses": responses("200", json!({"description": "One page", "content": json_content(page)}))},
            "post": {"tags": tag, "operationId": format!("create_{name}"), "requestBody": {"required": true, "content": json_content(reference.clone())}, "responses": responses("201", json!({"description": "Created", "content": json_content(reference.clone())}))},
        }),
    );
    paths.insert(
        format!("/api/v1/{name}/export"),
        json!({"get": {"tags": tag, "operationId": format!("export_{name}"), "responses": responses("200", json!({"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}))}}),
    );
    paths.insert(
        format!("/api/v1/{name}/{{id}}"),
        json!({
            "parameters": [id_param],
            "get": {"tags": tag, "operationId": format!("get_{name}"), "responses": responses("200", json!({"description": "The record", "content": json_content(reference.clone())}))},
            "patch": {"tags": tag, "operationId": format!("update_{name}"), "description": "Send `version` (or If-Match) with the changed fields.", "requestBody": {"required": true, "content": json_content(reference.clone())}, "responses": responses("200", json!({"description": "Updated", "content": json_content(reference.clone())}))},
            "delete": {"tags": tag, "operationId": format!("delete_{name}"), "responses": responses("204", json!({"description": "Deleted"}))},
        }),
    );
    paths.insert(
        format!("/api/v1/{name}/{{id}}/timeline"),
        json!({"parameters": [id_param], "get": {"tags": tag, "operationId": format!("timeline_{name}"), "responses": responses("200", json!({"description": "Audit trail and notes, newest first", "content": json_content(json!({"type": "object"}))}))}}),
    );
    if schema.kind.is_customer() {
        paths.insert(
            format!("/api/v1/{name}/{{id}}/notes"),
            json!({
                "parameters": [id_param],
                "get": {"tags": tag, "operationId": format!("notes_{name}"), "responses": responses("200", json!({"description": "Notes", "content": json_content(json!({"type": "object"}))}))},
                "post": {"tags": tag, "operationId": format!("add_note_{name}"), "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["body"], "additionalProperties": false, "properties": {"body": {"type": "string"}}}))}, "responses": responses("201", json!({"description": "Created"}))},
            }),
        );
        paths.insert(
            format!("/api/v1/{name}/{{id}}/relationships"),
            json!({
                "parameters": [id_param],
                "get": {"tags": tag, "operationId": format!("relationships_{name}"), "responses": responses("200", json!({"description": "Relationships", "content": json_content(json!({"type": "object"}))}))},
                "post": {"tags": tag, "operationId": format!("relate_{name}"), "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["to_kind", "to_id", "relation_type"], "additionalProperties": false, "properties": {"to_kind": {"enum": ["account", "contact", "lead"]}, "to_id": {"type": "string", "format": "uuid"}, "relation_type": {"enum": peyvand_domain::record::RELATION_TYPES}, "note": {"type": ["string", "null"]}}}))}, "responses": responses("201", json!({"description": "Created"}))},
            }),
        );
    }
}

/// Custom field definitions and merging, which exist for customer kinds only.
fn customer_data_paths(paths: &mut Map<String, Value>) {
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let types: Vec<&str> = peyvand_domain::custom::CustomType::ALL
        .iter()
        .map(|t| t.code())
        .collect();
    let definition = json!({"type": "object", "additionalProperties": false, "properties": {
        "kind": {"enum": ["account", "contact", "lead"]},
        "name": {"type": "string", "description": "Lowercase a-z, digits and _; stored and served as cf_<name>."},
        "field_type": {"enum": types, "description": "Fixed once the field exists."},
        "choices": {"type": "array", "items": {"type": "string"}},
        "reference": {"type": "string", "description": "The kind a reference links to."},
        "required": {"type": "boolean"}, "in_list": {"type": "boolean"},
        "label_fa": {"type": "string"}, "label_en": {"type": "string"},
    }});
    let one = json_content(json!({"type": "object"}));
    paths.insert("/api/v1/custom-fields".into(), json!({
        "get": {"tags": ["custom fields"], "operationId": "list_custom_fields", "parameters": [json!({"name": "kind", "in": "query", "schema": {"type": "string"}})], "responses": responses("200", json!({"description": "Definitions", "content": one.clone()}))},
        "post": {"tags": ["custom fields"], "operationId": "create_custom_field", "requestBody": {"required": true, "content": json_content(definition.clone())}, "responses": responses("201", json!({"description": "Created", "content": one.clone()}))},
    }));
    paths.insert("/api/v1/custom-fields/{id}".into(), json!({
        "parameters": [id_param],
        "get": {"tags": ["custom fields"], "operationId": "get_custom_field", "responses": responses("200", json!({"description": "The definition", "content": one.clone()}))},
        "patch": {"tags": ["custom fields"], "operationId": "update_custom_field", "requestBody": {"required": true, "content": json_content(definition)}, "responses": responses("200", json!({"description": "Changed; renaming keeps the values", "content": one.clone()}))},
        "delete": {"tags": ["custom fields"], "operationId": "delete_custom_field", "responses": responses("204", json!({"description": "Deleted with its values; the definition stays in the audit trail"}))},
    }));
    paths.insert("/api/v1/custom-fields/{id}/history".into(), json!({"parameters": [id_param], "get": {"tags": ["custom fields"], "operationId": "custom_field_history", "responses": responses("200", json!({"description": "Changes, newest first", "content": one.clone()}))}}));
    for kind in ["accounts", "contacts", "leads"] {
        paths.insert(format!("/api/v1/{kind}/merge"), json!({"post": {"tags": [kind], "operationId": format!("merge_{kind}"), "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["survivor", "others"], "additionalProperties": false, "properties": {
            "survivor": {"type": "string", "format": "uuid"},
            "version": {"type": "integer"},
            "others": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string", "format": "uuid"}},
            "picks": {"type": "object", "additionalProperties": {"type": "string", "format": "uuid"}, "description": "Field name → the record whose value to keep."},
        }}))}, "responses": responses("200", json!({"description": "The surviving record", "content": one.clone()}))}}));
        let reasons = json!({"type": "array", "items": {"type": "string", "enum": ["email", "phone", "name"]}});
        paths.insert(format!("/api/v1/{kind}/duplicates/check"), json!({"post": {"tags": [kind], "operationId": format!("check_duplicates_{kind}"), "description": "The readable records that look like the one this body would create (same body as a create). Nothing is created.", "requestBody": {"required": true, "content": json_content(json!({"type": "object"}))}, "responses": responses("200", json!({"description": "Possible duplicates, strongest first", "content": json_content(json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "title": {"type": "string"},
            "reasons": reasons,
        }}}}}))}))}}));
        paths.insert(format!("/api/v1/{kind}/duplicates"), json!({"get": {"tags": [kind], "operationId": format!("duplicate_report_{kind}"), "description": "One bounded step of the report of duplicate groups; follow next_cursor until it is null.", "parameters": [json!({"name": "cursor", "in": "query", "schema": {"type": "string"}})], "responses": responses("200", json!({"description": "Groups found in this step", "content": json_content(json!({"type": "object", "properties": {
            "groups": {"type": "array", "items": {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "string", "format": "uuid"}}, "records": {"type": "array"}, "reasons": reasons, "pairs": {"type": "array"}}}},
            "next_cursor": {"type": ["string", "null"]},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
        }}))}))}}));
    }
}

fn other_paths(paths: &mut Map<String, Value>) {
    let object = json!({"type": "object"});
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    paths.insert("/api/v1/auth/token".into(), json!({"post": {"tags": ["auth"], "operationId": "sign_in", "security": [], "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["email", "password"], "additionalProperties": false, "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}))}, "responses": responses("201", json!({"description": "A new API token", "content": json_content(json!({"type": "object", "properties": {"token": {"type": "string"}, "id": {"type": "string"}}}))}))}}));
    paths.insert("/api/v1/me".into(), json!({"get": {"tags": ["auth"], "operationId": "me", "responses": responses("200", json!({"description": "The caller", "content": json_content(object.clone())}))}}));
    paths.insert("/api/v1/tokens".into(), json!({
        "get": {"tags": ["auth"], "operationId": "list_tokens", "responses": responses("200", json!({"description": "The caller's tokens", "content": json_content(object.clone())}))},
        "post": {"tags": ["auth"], "operationId": "create_token", "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["name"], "additionalProperties": false, "properties": {"name": {"type": "string"}}}))}, "responses": responses("201", json!({"description": "The token; its secret is shown only now", "content": json_content(object.clone())}))},
    }));
    paths.insert("/api/v1/tokens/{id}".into(), json!({"parameters": [id_param], "delete": {"tags": ["auth"], "operationId": "revoke_token", "responses": responses("204", json!({"description": "Revoked"}))}}));
    paths.insert("/api/v1/notes/{id}".into(), json!({"parameters": [id_param], "delete": {"tags": ["notes"], "operationId": "delete_note", "responses": responses("204", json!({"description": "Deleted"}))}}));
    paths.insert("/api/v1/relationships/{id}".into(), json!({"parameters": [id_param], "delete": {"tags": ["relationships"], "operationId": "delete_relationship", "responses": responses("204", json!({"description": "Deleted"}))}}));
    paths.insert("/api/v1/leads/{id}/convert".into(), json!({"parameters": [id_param], "post": {"tags": ["leads"], "operationId": "convert_lead", "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["version"], "additionalProperties": false, "properties": {"version": {"type": "integer"}, "account_name": {"type": ["string", "null"]}, "existing_account_id": {"type": ["string", "null"], "format": "uuid"}, "opportunity_amount": {"type": ["integer", "null"], "description": "With an amount in Rials, an opportunity is created too (default pipeline, first stage)."}}}))}, "responses": responses("200", json!({"description": "Lead, account and contact", "content": json_content(object.clone())}))}}));
    paths.insert("/api/v1/roles/{id}/grants".into(), json!({
        "parameters": [id_param],
        "get": {"tags": ["roles"], "operationId": "get_grants", "responses": responses("200", json!({"description": "Access rights", "content": json_content(json!({"$ref": "#/components/schemas/Grants"}))}))},
        "put": {"tags": ["roles"], "operationId": "put_grants", "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["version", "grants"], "additionalProperties": false, "properties": {"version": {"type": "integer"}, "grants": {"$ref": "#/components/schemas/Grants"}}}))}, "responses": responses("200", json!({"description": "The role", "content": json_content(object.clone())}))},
    }));
    paths.insert("/api/v1/users/{id}/password".into(), json!({"parameters": [id_param], "post": {"tags": ["users"], "operationId": "set_password", "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["password"], "additionalProperties": false, "properties": {"password": {"type": "string"}}}))}, "responses": responses("204", json!({"description": "Changed"}))}}));
}

/// The document as JSON, for the record kinds as `kinds` describe them (with custom fields).
pub fn build<'a>(kinds: impl IntoIterator<Item = &'a Schema>) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for schema in kinds {
        kind_paths(&mut paths, schema);
        schemas.insert(schema.path.into(), record_schema(schema));
    }
    other_paths(&mut paths);
    customer_data_paths(&mut paths);
    super::openapi_service::service_paths(&mut paths);
    super::openapi_notify::notify_paths(&mut paths);
    // Sales documents (issue 4).
    super::openapi_sales::sales_paths(&mut paths);
    super::pipeline_openapi::sales_paths(&mut paths);
    // The analytical CRM in the app (issue 6).
    super::insights_openapi::insights_paths(&mut paths);
    // Contracts (issue 4 §7).
    super::contracts::contract_paths(&mut paths);
    // Customer classification (issue 4 §8).
    super::openapi_classes::classes_paths(&mut paths);
    // The sales dashboard and the customer's opportunities and punctuality (issue 4 §9, §10).
    super::sales_dashboard_openapi::dashboard_paths(&mut paths);
    let codes: Vec<&str> = peyvand_app::error::ERROR_CODES
        .iter()
        .map(|c| c.code)
        .collect();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "enum": codes},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "field_messages": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }),
    );
    let scopes: Vec<&str> = peyvand_domain::permission::Scope::ALL
        .iter()
        .map(|s| s.code())
        .collect();
    schemas.insert("Grants".into(), json!({
        "type": "object",
        "properties": {
            "scopes": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {"enum": scopes}}},
            "hidden": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    }));
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Peyvand CRM API", "version": env!("CARGO_PKG_VERSION"), "description": "Every record kind has the same endpoints. Lists are keyset-paginated: pass next_cursor back as cursor."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token from POST /api/v1/auth/token or /api/v1/tokens."},
                "cookie": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE, "description": "The web session; unsafe methods also need the X-CSRF-Token header."},
            },
        },
    })
}

/// `GET /api/v1/openapi.json`: public, like any API's documentation; it shows the custom
/// fields in force.
pub async fn document(State(state): State<crate::AppState>) -> Json<Value> {
    Json(build(state.app.schemas().all()))
}
