//! The OpenAPI description of the analytical CRM's endpoints (issue 6).

use serde_json::{Map, Value, json};

fn responses(ok_status: &str, description: &str, content: Value) -> Value {
    let error = json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut map = Map::new();
    map.insert(
        ok_status.into(),
        json!({"description": description, "content": content}),
    );
    for status in ["400", "401", "403", "404", "422"] {
        map.insert(status.into(), error.clone());
    }
    Value::Object(map)
}

fn query(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": "string"}, "description": description})
}

fn json_or_csv(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}, "text/csv": {"schema": {"type": "string"}}})
}

fn json_only(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

/// The filters of the customer lists.
fn filters() -> Vec<Value> {
    vec![
        query(
            "branch_id",
            "Customers of this branch and the branches below it.",
        ),
        query(
            "segment",
            "RFM segment code (champions, loyal, at_risk, …).",
        ),
        query("tier", "Value pyramid tier: top, middle or bottom."),
        query(
            "cell",
            "Profitability matrix cell: passive_champion, demanding, cheap_familiar or aggressive.",
        ),
        query(
            "loyalty",
            "Loyalty class: undivided, divided, unstable or disloyal.",
        ),
        query(
            "from",
            "Last order on or after this day (ISO or the caller's calendar).",
        ),
        query("to", "Last order before this day."),
        query("min_churn", "Churn probability at least this (0–1)."),
        query("min_clv", "Predicted value at least this (Rials)."),
        query("cursor", "The next_cursor of the previous page."),
        query("limit", "Rows per page (default 100, at most 1000)."),
        query("format", "csv for a CSV file of every page."),
    ]
}

/// Adds the analytics endpoints to `paths`.
pub fn insights_paths(paths: &mut Map<String, Value>) {
    let tag = ["insights"];
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let run = json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"},
        "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "stage": {"type": "string"},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "trigger": {"type": "string", "enum": ["manual", "nightly"]},
        "as_of": {"type": "string", "format": "date"},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "error": {"type": ["string", "null"]},
        "summary": {"type": ["object", "null"], "description": "Counts, BG/NBD and Gamma-Gamma parameters, churn ROC AUC."},
    }});
    let score = json!({"type": "object", "properties": {
        "customer_kind": {"type": "string", "enum": ["account", "contact"]},
        "customer_id": {"type": "string", "format": "uuid"},
        "name": {"type": ["string", "null"]},
        "orders": {"type": "integer"}, "first_order": {"type": "string", "format": "date"},
        "last_order": {"type": "string", "format": "date"}, "recency_days": {"type": "integer"},
        "revenue": {"type": "integer", "description": "Historical value, Rials."},
        "margin": {"type": "integer"}, "cost_to_serve": {"type": "integer"}, "profit": {"type": "integer"},
        "r": {"type": "integer"}, "f": {"type": "integer"}, "m": {"type": "integer"}, "segment": {"type": "string"},
        "p_alive": {"type": ["number", "null"]}, "expected_purchases": {"type": ["number", "null"]},
        "clv": {"type": "integer", "description": "Predicted value of the coming 52 weeks (base + growth), Rials."},
        "clv_base": {"type": "integer"}, "clv_growth": {"type": "integer"},
        "clv_networking": {"type": "integer"}, "clv_learning": {"type": "integer"},
        "referrals": {"type": "integer"},
        "churn_probability": {"type": ["number", "null"]},
        "churn_reasons": {"type": "array", "items": {"type": "string"}, "description": "feature:above|below:value"},
        "tier": {"type": "string"}, "cell": {"type": "string"}, "loyalty": {"type": ["string", "null"]},
    }});
    let page = json!({"type": "object", "properties": {
        "items": {"type": "array", "items": score.clone()},
        "next_cursor": {"type": ["string", "null"]},
    }});
    let rule = json!({"type": "object", "properties": {
        "antecedents": {"type": "array", "items": {"type": "string", "format": "uuid"}},
        "consequents": {"type": "array", "items": {"type": "string", "format": "uuid"}},
        "support": {"type": "number"}, "confidence": {"type": "number"}, "lift": {"type": "number"},
    }});
    let rules = json!({"type": "object", "properties": {"items": {"type": "array", "items": rule.clone()}}});
    let rule_set = json!({"type": "object", "properties": {
        "branch_id": {"type": ["string", "null"], "format": "uuid", "description": "The picked branch; null for the company-wide rules."},
        "items": {"type": "array", "items": rule},
        "invoices": {"type": ["integer", "null"], "description": "Invoices with products the rules were mined from (the branch's and those below it); null when the newest run has no such set."},
        "too_few_invoices": {"type": "boolean", "description": "The branch and those below it had fewer than min_invoices invoices, so it has no rules of its own."},
        "min_invoices": {"type": "integer", "description": "Invoices a branch needs for rules of its own."},
    }});
    paths.insert("/api/v1/insights/runs".into(), json!({
        "post": {"tags": tag, "operationId": "request_insights_run", "description": "Queues a recomputation of every analysis as a background job (or returns the one queued or running). Follow it at /api/v1/insights/runs/{id}.",
            "responses": responses("202", "The run", json_only(run.clone()))},
    }));
    paths.insert("/api/v1/insights/runs/latest".into(), json!({
        "get": {"tags": tag, "operationId": "latest_insights_run",
            "responses": responses("200", "The newest run (latest) and the newest finished run whose results are served (current)", json_only(json!({"type": "object", "properties": {"latest": run.clone(), "current": run.clone()}})))},
    }));
    paths.insert("/api/v1/insights/runs/{id}".into(), json!({
        "parameters": [id_param.clone()],
        "get": {"tags": tag, "operationId": "get_insights_run", "responses": responses("200", "The run's state and progress", json_only(run))},
    }));
    paths.insert("/api/v1/insights/customers".into(), json!({
        "get": {"tags": tag, "operationId": "insights_customers", "description": "Per-customer scores of the newest finished run (RFM, CLV with components, churn, pyramid tier, matrix cell, loyalty class) for the customers the caller may read, highest CLV first.",
            "parameters": filters(), "responses": responses("200", "A page of scores", json_or_csv(page.clone()))},
    }));
    paths.insert("/api/v1/insights/retention".into(), json!({
        "get": {"tags": tag, "operationId": "insights_retention", "description": "The retention list: customers likely to leave (min_churn, 0.5 by default), most valuable first; as CSV a campaign target list.",
            "parameters": filters(), "responses": responses("200", "A page of scores", json_or_csv(page))},
    }));
    let tagging = json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "tag": {"type": "string"}, "filters": {"type": "object"},
        "requested_by": {"type": "string", "format": "uuid"}, "nightly": {"type": "boolean"},
        "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "progress": {"type": "integer"}, "tagged": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"}, "error": {"type": ["string", "null"]},
    }});
    let tagging_body = json!({"type": "object", "required": ["tag"], "properties": {
        "tag": {"type": "string"}, "nightly": {"type": "boolean", "description": "Tag again after every recomputation."},
        "min_churn": {"type": "number"}, "min_clv": {"type": "integer"},
        "segment": {"type": "string"}, "tier": {"type": "string"}, "cell": {"type": "string"}, "loyalty": {"type": "string"},
        "from": {"type": "string"}, "to": {"type": "string"}, "branch_id": {"type": "string", "format": "uuid"},
    }});
    paths.insert("/api/v1/insights/retention/tag".into(), json!({
        "post": {"tags": tag, "operationId": "tag_insights_retention", "description": "Queues a background job that adds a tag to every customer of the retention list (min_churn 0.5 unless given; the other filters as fields) that the caller may update, with an audit entry each; with nightly, again after every recomputation. Follow it at /api/v1/insights/taggings/{id}.",
            "requestBody": {"required": true, "content": json_only(tagging_body.clone())},
            "responses": responses("202", "The tagging, queued", json_only(tagging.clone()))},
    }));
    paths.insert("/api/v1/insights/taggings".into(), json!({
        "get": {"tags": tag, "operationId": "list_insights_taggings", "responses": responses("200", "The newest taggings", json_only(json!({"type": "object", "properties": {"items": {"type": "array", "items": tagging.clone()}}})))},
        "post": {"tags": tag, "operationId": "create_insights_tagging", "description": "As /api/v1/insights/retention/tag for any list of the newest run (no bar on churn unless min_churn is given).",
            "requestBody": {"required": true, "content": json_only(tagging_body)},
            "responses": responses("202", "The tagging, queued", json_only(tagging.clone()))},
    }));
    paths.insert("/api/v1/insights/taggings/{id}".into(), json!({
        "parameters": [id_param.clone()],
        "get": {"tags": tag, "operationId": "get_insights_tagging", "responses": responses("200", "The tagging's state and progress", json_only(tagging))},
        "delete": {"tags": tag, "operationId": "stop_insights_tagging", "description": "Stops a tagging (a nightly one is no longer repeated); its requester or an administrator. A running tagging is in use until it ends.",
            "responses": {"204": {"description": "Stopped"}}},
    }));
    paths.insert("/api/v1/insights/groups/{dimension}".into(), json!({
        "parameters": [{"name": "dimension", "in": "path", "required": true, "schema": {"type": "string", "enum": ["segment", "tier", "cell", "loyalty"]}}],
        "get": {"tags": tag, "operationId": "insights_groups", "description": "Customers, revenue, profit and CLV per RFM segment, pyramid tier, matrix cell or loyalty class.",
            "parameters": filters(),
            "responses": responses("200", "The groups", json_or_csv(json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
                "key": {"type": "string"}, "customers": {"type": "integer"}, "revenue": {"type": "integer"}, "profit": {"type": "integer"}, "clv": {"type": "integer"}}}}}})))},
    }));
    paths.insert("/api/v1/insights/rules".into(), json!({
        "get": {"tags": tag, "operationId": "insights_rules", "description": "Market basket rules of the newest finished run. Each run mines the invoices of every branch and the branches below it as well as the whole company's; a branch with too few invoices gets none.",
            "parameters": [query("branch_id", "Rules over the invoices of this branch and the branches below it (the company's when absent). A branch outside the caller's reach over invoices is 404."), query("format", "csv for a CSV file (product names).")],
            "responses": responses("200", "Market basket rules over invoice lines, highest lift first", json_or_csv(rule_set))},
    }));
    paths.insert("/api/v1/insights/nps".into(), json!({
        "get": {"tags": tag, "operationId": "insights_nps", "description": "NPS (promoters 9–10 minus detractors 0–6) and CSAT (share of 4–5) of the satisfaction surveys answered in the range about cases the caller may read, by period with the trend.",
            "parameters": [query("from", "First day (a year before to by default)."), query("to", "Last day (today by default)."),
                query("period", "month (default), quarter or year."), query("group", "branch or segment."),
                query("branch_id", "Only cases of this branch and the branches below it."), query("segment", "Only answers of customers in this RFM segment (newest run)."),
                query("format", "csv for a file.")],
            "responses": responses("200", "The report", json_or_csv(json!({"type": "object"})))},
    }));
    paths.insert("/api/v1/{kind}/{id}/insights".into(), json!({
        "parameters": [{"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["accounts", "contacts"]}}, id_param.clone()],
        "get": {"tags": tag, "operationId": "customer_insights", "description": "One customer's scores with the CLV components and churn reasons, and next-best offers (cross-sell from basket rules, up-sell to a dearer item of the same kind). Sales reps see their own customers.",
            "responses": responses("200", "The card", json_only(json!({"type": "object", "properties": {"score": score, "offers": {"type": "array"}, "as_of": {"type": ["string", "null"]}}})))},
    }));
    paths.insert("/api/v1/products/{id}/also-bought".into(), json!({
        "parameters": [id_param],
        "get": {"tags": tag, "operationId": "product_also_bought", "description": "Customers who bought this product also bought: the rules whose antecedent is this product alone.",
            "responses": responses("200", "The rules", json_only(rules))},
    }));
}
