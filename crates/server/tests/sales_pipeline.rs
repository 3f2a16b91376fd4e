//! The sales pipeline end to end (issue 4), on SQLite and PostgreSQL: stages, opportunities and
//! their rules, the board's move, the funnel, the forecast and targets.

mod common;

use axum::http::StatusCode;
use common::{TestApp, backends};
use serde_json::{Value, json};

async fn default_pipeline(t: &TestApp, token: &str) -> Value {
    let pipelines = t.list_all("/api/v1/pipelines", token).await;
    pipelines
        .into_iter()
        .find(|p| p["is_default"] == true)
        .expect("a default pipeline")
}

async fn stages(t: &TestApp, token: &str, pipeline: &str) -> Vec<Value> {
    let reply = t
        .get(&format!("/api/v1/pipelines/{pipeline}/stages"), token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["items"].as_array().unwrap().clone()
}

async fn an_account(t: &TestApp, token: &str) -> String {
    let accounts = t.list_all("/api/v1/accounts", token).await;
    accounts[0]["id"].as_str().unwrap().to_owned()
}

async fn new_deal(t: &TestApp, token: &str, amount: i64, close: &str) -> Value {
    let account = an_account(t, token).await;
    let reply = t
        .post(
            "/api/v1/opportunities",
            token,
            json!({"name": "قرارداد آزمایشی", "account_id": account, "amount": amount, "expected_close": close}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}: {}",
        t.name(),
        reply.body
    );
    reply.json()
}

#[tokio::test]
async fn stages_are_validated_and_edited_as_a_whole() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        // A pipeline of its own: the demo's deals have been at every stage of the default one.
        let pipeline = t
            .post("/api/v1/pipelines", &admin, json!({"name": "آزمون مراحل"}))
            .await
            .json();
        let pid = pipeline["id"].as_str().unwrap();
        let before = stages(&t, &admin, pid).await;
        assert_eq!(before.len(), 5, "{}", t.name());
        let path = format!("/api/v1/pipelines/{pid}/stages");
        let put = |body: Value| {
            let (t, admin, path) = (&t, &admin, &path);
            async move {
                t.call(axum::http::Method::PUT, path, Some(admin), Some(body))
                    .await
            }
        };
        let two = put(
            json!({"stages": [{"name": "a", "probability": 10}, {"name": "b", "probability": 20}]}),
        )
        .await;
        assert_eq!(two.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", two.body);
        assert_eq!(two.json()["fields"]["stages"], "too_short", "{}", two.body);
        let bad = put(json!({"stages": [{"name": "a", "probability": 101}, {"name": "b", "probability": 20}, {"name": "c", "probability": 30}]})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("stages.1.probability"), "{}", bad.body);
        assert_eq!(stages(&t, &admin, pid).await, before, "nothing changed");

        // Reorder: the last stage first, one renamed, one removed, one new.
        let kept: Vec<Value> = vec![
            json!({"id": before[4]["id"], "name": "قرارداد", "probability": 95}),
            json!({"id": before[0]["id"], "name": before[0]["name"], "probability": 5}),
            json!({"id": before[1]["id"], "name": before[1]["name"], "probability": 30}),
            json!({"name": "مرحله تازه", "probability": "۶۰"}),
        ];
        let ok = put(json!({"stages": kept})).await;
        assert_eq!(ok.status, StatusCode::OK, "{}: {}", t.name(), ok.body);
        let after = stages(&t, &admin, pid).await;
        let names: Vec<&str> = after.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names[0], "قرارداد");
        assert_eq!(names[3], "مرحله تازه");
        assert_eq!(after[3]["probability"], 60);
        assert_eq!(after[0]["id"], before[4]["id"]);

        // A stage a deal has been at cannot be removed; a sales rep cannot edit stages at all.
        let rep = t.token("rep@peyvand.demo").await;
        let account = an_account(&t, &rep).await;
        let deal = t
            .post(
                "/api/v1/opportunities",
                &rep,
                json!({"name": "x", "account_id": account, "amount": 1, "pipeline_id": pid}),
            )
            .await;
        assert_eq!(deal.status, StatusCode::CREATED, "{}", deal.body);
        let first = after[0].clone();
        let without_first: Vec<Value> = after[1..]
            .iter()
            .map(|s| json!({"id": s["id"], "name": s["name"], "probability": s["probability"]}))
            .collect();
        let in_use = put(json!({"stages": without_first})).await;
        assert_eq!(in_use.status, StatusCode::CONFLICT, "{}", in_use.body);
        assert_eq!(stages(&t, &admin, pid).await[0]["id"], first["id"]);
        let forbidden = t
            .call(
                axum::http::Method::PUT,
                &path,
                Some(&rep),
                Some(json!({"stages": kept})),
            )
            .await;
        assert_eq!(
            forbidden.status,
            StatusCode::FORBIDDEN,
            "{}",
            forbidden.body
        );
    }
}

#[tokio::test]
async fn deals_get_defaults_and_follow_the_status_rules() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let me = t.get("/api/v1/me", &rep).await.json();
        let pipeline = default_pipeline(&t, &rep).await;
        let pid = pipeline["id"].as_str().unwrap();
        let all_stages = stages(&t, &rep, pid).await;

        let no_customer = t
            .post(
                "/api/v1/opportunities",
                &rep,
                json!({"name": "x", "amount": 5}),
            )
            .await;
        assert_eq!(no_customer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            no_customer.body.contains("account_id"),
            "{}",
            no_customer.body
        );

        let deal = new_deal(&t, &rep, 2_000_000, "2030-01-01").await;
        assert_eq!(deal["pipeline_id"], pipeline["id"], "{}", t.name());
        assert_eq!(deal["stage_id"], all_stages[0]["id"]);
        assert_eq!(deal["status"], "open");
        assert_eq!(deal["owner_id"], me["id"]);
        let id = deal["id"].as_str().unwrap();
        let mv = format!("/api/v1/opportunities/{id}/move");

        // Move a stage on; a stale version changes nothing.
        let moved = t
            .post(
                &mv,
                &rep,
                json!({"stage_id": all_stages[1]["id"], "version": 1}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_eq!(moved.json()["stage_id"], all_stages[1]["id"]);
        let stale = t
            .post(
                &mv,
                &rep,
                json!({"stage_id": all_stages[2]["id"], "version": 1}),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);

        // A stage of another pipeline is refused.
        let admin = t.token("admin@peyvand.demo").await;
        let other = t
            .post("/api/v1/pipelines", &admin, json!({"name": "فروش سازمانی"}))
            .await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
        let other_stages = stages(&t, &admin, other.json()["id"].as_str().unwrap()).await;
        assert_eq!(other_stages.len(), 5, "a new pipeline starts with stages");
        let wrong = t
            .post(
                &mv,
                &rep,
                json!({"stage_id": other_stages[0]["id"], "version": 2}),
            )
            .await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            wrong.body
        );

        // Lost needs a reason.
        let no_reason = t
            .post(&mv, &rep, json!({"status": "lost", "version": 2}))
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            no_reason.body.contains("loss_reason_id"),
            "{}",
            no_reason.body
        );
        let won = t
            .post(&mv, &rep, json!({"status": "won", "version": 2}))
            .await;
        assert_eq!(won.status, StatusCode::OK, "{}", won.body);
        let won = won.json();
        assert_eq!(won["status"], "won");
        assert!(won["closed_at"].is_string(), "{won}");
        assert_eq!(won["cycle_days"], 0);

        // The rep who won it may not reopen it; nothing changes.
        let reopen = json!({"status": "open", "stage_id": all_stages[0]["id"], "version": 3});
        let refused = t.post(&mv, &rep, reopen.clone()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.json()["error"], "reopen_forbidden");
        let unchanged = t
            .get(&format!("/api/v1/opportunities/{id}"), &rep)
            .await
            .json();
        assert_eq!(unchanged["status"], "won");
        assert_eq!(unchanged["version"], 3);
        // Their sales manager may.
        let manager = t.token("sales.manager@peyvand.demo").await;
        let reopened = t.post(&mv, &manager, reopen).await;
        assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
        assert_eq!(reopened.json()["status"], "open");
        assert!(reopened.json()["closed_at"].is_null());
    }
}

#[tokio::test]
async fn funnel_and_forecast_follow_the_moves() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let pipeline = default_pipeline(&t, &admin).await;
        let pid = pipeline["id"].as_str().unwrap();
        let all_stages = stages(&t, &admin, pid).await;
        // A fresh pipeline of its own, so demo deals do not enter the counts.
        let own = t
            .post("/api/v1/pipelines", &admin, json!({"name": "آزمون قیف"}))
            .await
            .json();
        let own_id = own["id"].as_str().unwrap().to_owned();
        let own_stages = stages(&t, &admin, &own_id).await;
        let account = an_account(&t, &admin).await;
        let today = time::OffsetDateTime::now_utc().date();
        let close = today.to_string();
        let mut ids = Vec::new();
        for amount in [1_000, 3_000, 6_000] {
            let reply = t
                .post(
                    "/api/v1/opportunities",
                    &admin,
                    json!({"name": "قیف", "account_id": account, "amount": amount, "expected_close": close, "pipeline_id": own_id}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            ids.push(reply.json()["id"].as_str().unwrap().to_owned());
        }
        let mv = |id: &str| format!("/api/v1/opportunities/{id}/move");
        // Two move to the second stage; one of them is lost there; the third is won at stage one.
        for id in &ids[1..] {
            let r = t
                .post(
                    &mv(id),
                    &admin,
                    json!({"stage_id": own_stages[1]["id"], "version": 1}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let reasons = t.list_all("/api/v1/loss-reasons", &admin).await;
        let reason = reasons[0]["id"].clone();
        let lost = t
            .post(
                &mv(&ids[1]),
                &admin,
                json!({"status": "lost", "loss_reason_id": reason, "version": 2}),
            )
            .await;
        assert_eq!(lost.status, StatusCode::OK, "{}", lost.body);
        let won = t
            .post(&mv(&ids[0]), &admin, json!({"status": "won", "version": 1}))
            .await;
        assert_eq!(won.status, StatusCode::OK, "{}", won.body);

        let funnel = t
            .get(
                &format!("/api/v1/sales/funnel?pipeline_id={own_id}"),
                &admin,
            )
            .await;
        assert_eq!(funnel.status, StatusCode::OK, "{}", funnel.body);
        let f = funnel.json();
        assert_eq!(f["stages"][0]["entered"], 3, "{}: {f}", t.name());
        assert_eq!(f["stages"][0]["value"], 10_000);
        assert_eq!(f["stages"][1]["entered"], 2);
        assert_eq!(f["stages"][1]["value"], 9_000);
        assert_eq!(f["stages"][0]["conversion"], 2.0 / 3.0);
        assert_eq!(f["stages"][1]["lost"], 1);
        assert_eq!(f["stages"][1]["lost_value"], 3_000);
        assert_eq!(f["losses"][0]["reason_id"], reason);
        assert_eq!(f["won"], 1);
        assert_eq!(f["won_value"], 1_000);
        assert_eq!(f["win_rate"], 0.5);
        // The stays that ended have a (tiny) average; the current ones do not count.
        assert!(f["stages"][0]["average_days"].is_number());

        let csv = t
            .get(
                &format!("/api/v1/sales/funnel?pipeline_id={own_id}&format=csv"),
                &admin,
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            csv.body.contains(own_stages[1]["name"].as_str().unwrap()),
            "{}",
            csv.body
        );
        assert!(csv.body.contains(reasons[0]["name"].as_str().unwrap()));

        // The only open deal of the pipeline: 6,000 at the second stage (25%) this month.
        let forecast = t
            .get(
                &format!("/api/v1/sales/forecast?pipeline_id={own_id}&calendar=gregorian"),
                &admin,
            )
            .await;
        assert_eq!(forecast.status, StatusCode::OK, "{}", forecast.body);
        let fc = forecast.json();
        let probability = own_stages[1]["probability"].as_i64().unwrap();
        assert_eq!(fc["months"].as_array().unwrap().len(), 12, "{fc}");
        assert_eq!(
            fc["total"]["weighted"][0],
            6_000 * probability / 100,
            "{}: {fc}",
            t.name()
        );
        assert_eq!(fc["total"]["amount_total"], 6_000);
        assert_eq!(fc["by_branch"].as_array().unwrap().len(), 1);

        // With a target: wins needed = target / average deal won.
        let planned = t
            .get(
                &format!("/api/v1/sales/forecast?pipeline_id={own_id}&target=5000"),
                &admin,
            )
            .await
            .json();
        assert_eq!(planned["plan"]["average_deal"], 1_000, "{planned}");
        assert_eq!(planned["plan"]["wins"], 5);
        let _ = all_stages;

        let bad = t.get("/api/v1/sales/funnel?from=1403/13/01", &admin).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    }
}

#[tokio::test]
async fn reports_and_lists_respect_access_rights() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let isfahan_manager = t.token("branch.manager@peyvand.demo").await;
        let all = t.list_all("/api/v1/opportunities", &admin).await;
        let me = t.get("/api/v1/me", &rep).await.json();
        let mine = t.list_all("/api/v1/opportunities", &rep).await;
        assert!(!mine.is_empty(), "{}", t.name());
        assert!(mine.len() < all.len());
        assert!(mine.iter().all(|d| d["owner_id"] == me["id"]));
        let branch_deals = t.list_all("/api/v1/opportunities", &isfahan_manager).await;
        assert!(!branch_deals.is_empty());
        assert!(branch_deals.len() < all.len());

        // The rep's funnel counts only their own deals.
        let funnel = |token: String| {
            let t = &t;
            async move {
                t.get("/api/v1/sales/funnel", &token).await.json()["stages"][0]["entered"]
                    .as_i64()
                    .unwrap()
            }
        };
        let rep_entered = funnel(rep.clone()).await;
        let all_entered = funnel(admin.clone()).await;
        assert!(
            rep_entered > 0 && rep_entered < all_entered,
            "{rep_entered} {all_entered}"
        );

        // A service agent has no deals: reports are forbidden, lists are empty.
        let service = t.token("service@peyvand.demo").await;
        assert_eq!(
            t.get("/api/v1/sales/funnel", &service).await.status,
            StatusCode::FORBIDDEN
        );

        // Targets: the demo has one per branch; the board sums what the user sees.
        let targets = t.get("/api/v1/sales/targets", &admin).await.json();
        assert!(
            !targets["items"].as_array().unwrap().is_empty(),
            "{targets}"
        );
        let pipeline = default_pipeline(&t, &rep).await;
        let board = t
            .get(
                &format!(
                    "/api/v1/pipelines/{}/board",
                    pipeline["id"].as_str().unwrap()
                ),
                &rep,
            )
            .await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.body);
        let board = board.json();
        let counted: i64 = board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .sum();
        let open_mine = mine
            .iter()
            .filter(|d| d["status"] == "open" && d["pipeline_id"] == pipeline["id"])
            .count();
        assert_eq!(counted, i64::try_from(open_mine).unwrap());
    }
}

#[tokio::test]
async fn converting_a_lead_can_open_an_opportunity() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let leads = t.list_all("/api/v1/leads", &rep).await;
        let lead = leads
            .iter()
            .find(|l| l["status"] != "converted" && l["company"].is_string())
            .expect("an unconverted lead with a company");
        let id = lead["id"].as_str().unwrap();
        let reply = t
            .post(
                &format!("/api/v1/leads/{id}/convert"),
                &rep,
                json!({"version": lead["version"], "opportunity_amount": 75_000_000}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}: {}", t.name(), reply.body);
        let converted = reply.json();
        let deal = &converted["opportunity"];
        assert_eq!(deal["amount"], 75_000_000);
        assert_eq!(deal["lead_id"], lead["id"]);
        assert_eq!(deal["account_id"], converted["account"]["id"]);
        assert_eq!(deal["owner_id"], lead["owner_id"]);
        assert_eq!(deal["status"], "open");
        assert_eq!(deal["name"], lead["company"]);
        // Without an amount, no opportunity.
        let other = leads
            .iter()
            .find(|l| l["status"] != "converted" && l["id"] != lead["id"])
            .unwrap();
        let plain = t
            .post(
                &format!("/api/v1/leads/{}/convert", other["id"].as_str().unwrap()),
                &rep,
                json!({"version": other["version"]}),
            )
            .await
            .json();
        assert!(plain["opportunity"].is_null(), "{plain}");
    }
}

#[tokio::test]
async fn targets_measure_what_was_won_in_their_period() {
    for t in backends().await {
        let manager = t.token("sales.manager@peyvand.demo").await;
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let me = t.get("/api/v1/me", &rep).await.json();
        let today = time::OffsetDateTime::now_utc().date();
        // A sales manager only reads targets; a branch manager or administrator sets them.
        let body = json!({
            "name": "هدف ماهانه کارشناس",
            "user_id": me["id"],
            "branch_id": me["branch_id"],
            "period": "month",
            "calendar": "gregorian",
            "starts_on": today.to_string(),
            "metric": "won_count",
            "target_value": 4,
        });
        let refused = t
            .post("/api/v1/sales-targets", &manager, body.clone())
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let created = t.post("/api/v1/sales-targets", &admin, body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let target = created.json();
        // The period snaps to the whole month.
        let first = today.replace_day(1).unwrap();
        assert_eq!(target["starts_on"], first.to_string(), "{target}");
        let progress = |token: String| {
            let (t, id) = (&t, target["id"].clone());
            async move {
                let all = t.get("/api/v1/sales/targets", &token).await.json();
                all["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["target"]["id"] == id)
                    .cloned()
                    .expect("the target is listed")
            }
        };
        let before = progress(rep.clone()).await;
        let won_before = before["achieved"].as_i64().unwrap();
        let deal = new_deal(&t, &rep, 500, &today.to_string()).await;
        let won = t
            .post(
                &format!(
                    "/api/v1/opportunities/{}/move",
                    deal["id"].as_str().unwrap()
                ),
                &rep,
                json!({"status": "won", "version": 1}),
            )
            .await;
        assert_eq!(won.status, StatusCode::OK, "{}", won.body);
        let after = progress(rep.clone()).await;
        assert_eq!(after["achieved"], won_before + 1, "{}: {after}", t.name());
        let expected = ((won_before + 1) * 1000 / 4) as f64 / 10.0;
        assert_eq!(after["percent"], expected);
        // Only targets whose period holds the day asked for.
        let next_year = format!("{}-01-15", today.year() + 1);
        let later = t
            .get(&format!("/api/v1/sales/targets?on={next_year}"), &rep)
            .await
            .json();
        assert!(
            later["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["target"]["id"] != target["id"]),
            "{later}"
        );
    }
}
