//! The OpenAPI description of the sales document endpoints beyond generic records (issue 4).

use serde_json::{Map, Value, json};

/// The error responses every endpoint may give, with `ok` for success.
fn responses(ok_status: &str, ok: Value) -> Value {
    let error = json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut map = Map::new();
    map.insert(ok_status.into(), ok);
    for status in ["400", "401", "403", "404", "409", "415", "422"] {
        map.insert(status.into(), error.clone());
    }
    Value::Object(map)
}

fn content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

/// Adds the paths of lines, status moves, approval, conversion, price proposal and a
/// customer's transactions.
pub fn sales_paths(paths: &mut Map<String, Value>) {
    let uuid = json!({"type": "string", "format": "uuid"});
    let id = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": uuid});
    let bp = json!({"type": "integer", "minimum": 0, "maximum": 10000, "description": "Basis points: 900 is 9%."});
    let line = json!({"type": "object", "properties": {
        "id": uuid, "position": {"type": "integer"}, "product_id": {"type": ["string", "null"], "format": "uuid"},
        "description": {"type": "string"}, "quantity": {"type": "integer"}, "unit_price": {"type": "integer"},
        "discount_bp": bp, "tax_bp": bp, "gross": {"type": "integer"}, "discount": {"type": "integer"},
        "net": {"type": "integer"}, "tax": {"type": "integer"}, "total": {"type": "integer"},
    }});
    let lines = content(
        json!({"type": "object", "properties": {"items": {"type": "array", "items": line}, "next_cursor": {"type": "null"}}}),
    );
    let line_input = content(
        json!({"type": "object", "additionalProperties": false, "properties": {
            "product_id": uuid,
            "description": {"type": "string", "description": "Defaults to the product's code and name."},
            "quantity": {"type": "integer", "minimum": 1},
            "unit_price": {"type": "integer", "minimum": 0, "description": "Rials; defaults to the price proposed from the customer's price list, else the base price."},
            "discount_bp": bp,
            "tax_bp": {"type": "integer", "minimum": 0, "maximum": 10000, "description": "Basis points; defaults to the product's tax rate."},
        }}),
    );
    let opportunity_lines = "A deal's product lines (issue 4 §2): the price is proposed from the customer's price list as of today, and the deal's amount becomes the lines' total (then a typed amount is refused with amount_from_lines). Lines of a won or lost deal change only for those who may reopen it (403 reopen_forbidden otherwise).";
    paths.insert("/api/v1/opportunities/{id}/lines".into(), json!({
        "parameters": [id("id")],
        "get": {"tags": ["opportunities"], "operationId": "lines_opportunities", "responses": responses("200", json!({"description": "The lines in order", "content": lines}))},
        "post": {"tags": ["opportunities"], "operationId": "add_line_opportunities", "description": opportunity_lines, "requestBody": {"required": true, "content": line_input}, "responses": responses("201", json!({"description": "Every line", "content": lines}))},
    }));
    paths.insert("/api/v1/opportunities/{id}/lines/{line}".into(), json!({
        "parameters": [id("id"), id("line")],
        "patch": {"tags": ["opportunities"], "operationId": "update_line_opportunities", "description": opportunity_lines, "requestBody": {"required": true, "content": line_input}, "responses": responses("200", json!({"description": "Every line", "content": lines}))},
        "delete": {"tags": ["opportunities"], "operationId": "delete_line_opportunities", "responses": responses("200", json!({"description": "Every line", "content": lines}))},
    }));
    paths.insert("/api/v1/opportunities/{id}/quote".into(), json!({
        "parameters": [id("id")],
        "post": {"tags": ["opportunities"], "operationId": "quote_from_opportunity", "description": "A draft quote for the deal's customer, owner and branch with its lines copied at their prices; the quote keeps opportunity_id. Each call makes a new quote (a revision).", "responses": responses("201", json!({"description": "The quote", "content": content(json!({"$ref": "#/components/schemas/quotes"}))}))},
    }));
    paths.insert("/api/v1/opportunities/{id}/quotes".into(), json!({
        "parameters": [id("id")],
        "get": {"tags": ["opportunities"], "operationId": "opportunity_quotes", "description": "The quotes made from the deal that the caller may read, newest first, each with `order` and `invoice`: what it became, or null.", "responses": responses("200", json!({"description": "The quotes", "content": content(json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}, "next_cursor": {"type": "null"}}}))}))},
    }));
    for kind in ["quotes", "orders", "invoices"] {
        let tag = [kind];
        let record = json!({"$ref": format!("#/components/schemas/{kind}")});
        paths.insert(format!("/api/v1/{kind}/{{id}}/lines"), json!({
            "parameters": [id("id")],
            "get": {"tags": tag, "operationId": format!("lines_{kind}"), "responses": responses("200", json!({"description": "The lines in order", "content": lines}))},
            "post": {"tags": tag, "operationId": format!("add_line_{kind}"), "description": "Adds a line and recomputes the totals (and the need for discount approval) in one transaction.", "requestBody": {"required": true, "content": line_input}, "responses": responses("201", json!({"description": "Every line", "content": lines}))},
        }));
        paths.insert(format!("/api/v1/{kind}/{{id}}/lines/{{line}}"), json!({
            "parameters": [id("id"), id("line")],
            "patch": {"tags": tag, "operationId": format!("update_line_{kind}"), "requestBody": {"required": true, "content": line_input}, "responses": responses("200", json!({"description": "Every line", "content": lines}))},
            "delete": {"tags": tag, "operationId": format!("delete_line_{kind}"), "responses": responses("200", json!({"description": "Every line", "content": lines}))},
        }));
        paths.insert(format!("/api/v1/{kind}/{{id}}/status"), json!({
            "parameters": [id("id")],
            "post": {"tags": tag, "operationId": format!("move_{kind}"), "description": "Quotes: draft → sent → accepted or rejected (draft → rejected too). Orders: confirmed → delivered. Invoices: issued → cancelled before any payment; paid and partly paid follow from payments.", "requestBody": {"required": true, "content": content(json!({"type": "object", "required": ["status"], "additionalProperties": false, "properties": {"status": {"type": "string"}}}))}, "responses": responses("200", json!({"description": "The document", "content": content(record.clone())}))},
        }));
        paths.insert(format!("/api/v1/{kind}/{{id}}/approve"), json!({
            "parameters": [id("id")],
            "post": {"tags": tag, "operationId": format!("approve_{kind}"), "description": "Approves discounts above the author's role limit; the approver's role limit must cover the largest discount.", "responses": responses("200", json!({"description": "The document", "content": content(record.clone())}))},
        }));
        if kind != "invoices" {
            paths.insert(format!("/api/v1/{kind}/{{id}}/convert"), json!({
                "parameters": [id("id")],
                "post": {"tags": tag, "operationId": format!("convert_{kind}"), "description": "A sent or accepted quote becomes an order; a confirmed or delivered order becomes an invoice. Lines, customer, owner and branch are copied. A second conversion is 409 already_converted.", "responses": responses("201", json!({"description": "The new document", "content": content(json!({"type": "object"}))}))},
            }));
        }
    }
    paths.insert("/api/v1/products/{id}/price".into(), json!({
        "parameters": [id("id"),
            {"name": "account_id", "in": "query", "schema": uuid},
            {"name": "contact_id", "in": "query", "schema": uuid},
            {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Defaults to today."}],
        "get": {"tags": ["products"], "operationId": "propose_price", "description": "The unit price for this customer on this day: the most specific valid price list that applies to the customer's kind, tags or class, else the base price.", "responses": responses("200", json!({"description": "The price", "content": content(json!({"type": "object", "properties": {"unit_price": {"type": "integer"}, "price_list_id": {"type": ["string", "null"], "format": "uuid"}}}))}))},
    }));
    for kind in ["accounts", "contacts"] {
        paths.insert(format!("/api/v1/{kind}/{{id}}/transactions"), json!({
            "parameters": [id("id")],
            "get": {"tags": [kind], "operationId": format!("transactions_{kind}"), "description": "The customer's quotes, orders, invoices and payments the caller may read, newest first.", "responses": responses("200", json!({"description": "Documents by kind", "content": content(json!({"type": "object", "properties": {
                "quotes": {"type": "array"}, "orders": {"type": "array"}, "invoices": {"type": "array"}, "payments": {"type": "array"},
            }}))}))},
        }));
    }
}
