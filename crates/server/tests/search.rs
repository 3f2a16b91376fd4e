//! Full-text search on both databases' own indexes: prefix matching while typing, Persian
//! variants, relevance order and its pages, access rights and hidden fields.

mod common;

use axum::http::StatusCode;
use common::{TestApp, backends};
use serde_json::{Value, json};

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn create(t: &TestApp, token: &str, body: Value) -> String {
    let made = t.post("/api/v1/contacts", token, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    made.json()["id"].as_str().unwrap().to_owned()
}

/// Ids found by a search (every page), in the order the API gives them.
async fn search(t: &TestApp, token: &str, query: &str) -> Vec<String> {
    t.list_all(&format!("/api/v1/contacts?q={}", encode(query)), token)
        .await
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn prefixes_find_while_typing_and_word_middles_do_not() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let id = create(
            &t,
            &token,
            json!({"first_name": "کامبیز", "last_name": "فرخنده‌پور", "mobile": "09381234567"}),
        )
        .await;
        for typed in [
            "ک",
            "کا",
            "کامب",
            "کامبیز",
            "کامبیز ف",
            "کامبیز فرخ",
            "فرخنده",
        ] {
            assert!(
                search(&t, &token, typed).await.contains(&id),
                "{}: '{typed}' finds the contact",
                t.name()
            );
        }
        for other in ["امبیز", "کامبیزی", "کامبیز x"] {
            assert!(
                !search(&t, &token, other).await.contains(&id),
                "{}: '{other}' does not find the contact",
                t.name()
            );
        }
    }
}

#[tokio::test]
async fn persian_letter_variants_and_digits_match_either_way() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        // Arabic yeh and kaf on the way in, Persian ones in the query, and the reverse.
        let arabic = create(
            &t,
            &token,
            json!({"first_name": "علي", "last_name": "كيانوش", "mobile": "۰۹۱۲ ۷۷۷ ۶۶۵۵"}),
        )
        .await;
        let persian = create(
            &t,
            &token,
            json!({"first_name": "یاسمین", "last_name": "کیهان‌نیا", "phone": "02188776655"}),
        )
        .await;
        for (query, id) in [
            ("علی کیانو", &arabic),
            ("على كيانوش", &arabic),
            ("09127776", &arabic),
            ("۰۹۱۲۷۷۷", &arabic),
            ("+98912777", &arabic),
            ("ياسمين", &persian),
            ("كيهاننيا", &persian),
            ("۰۲۱۸۸۷", &persian),
        ] {
            assert!(
                search(&t, &token, query).await.contains(id),
                "{}: '{query}'",
                t.name()
            );
        }
    }
}

#[tokio::test]
async fn results_are_ordered_by_relevance_and_page_through_the_ranking() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        // The whole word ranks above words it only begins, even on a longer record.
        let partial = create(&t, &token, json!({"last_name": "Zorvanek"})).await;
        let whole = create(
            &t,
            &token,
            json!({"first_name": "Zorvan", "last_name": "Quillfeather", "job_title": "chief buyer of imported goods", "city": "Tabriz"}),
        )
        .await;
        let found = search(&t, &token, "zorvan").await;
        assert_eq!(found, [whole.clone(), partial.clone()], "{}", t.name());

        // Pages of a relevance list are positions in one ranking: no record twice, none lost.
        for i in 0..7 {
            create(&t, &token, json!({"last_name": format!("Zorvanian{i}")})).await;
        }
        let all = search(&t, &token, "zorv").await;
        assert_eq!(all.len(), 9, "{}", t.name());
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let reply = t
                .get(&format!("/api/v1/contacts?q=zorv&limit=2{cursor}"), &token)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let page = reply.json();
            paged.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["id"].as_str().unwrap().to_owned()),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(paged, all, "{}", t.name());

        // A chosen sort lists the same matches in that order.
        let sorted: Vec<String> = t
            .list_all("/api/v1/contacts?q=zorv&sort=-last_name", &token)
            .await
            .iter()
            .map(|c| c["last_name"].as_str().unwrap().to_owned())
            .collect();
        let mut expected = sorted.clone();
        expected.sort();
        expected.reverse();
        assert_eq!(sorted, expected, "{}", t.name());
        assert_eq!(sorted.len(), 9, "{}", t.name());
    }
}

#[tokio::test]
async fn search_results_follow_access_rights_and_never_match_hidden_fields() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let admins = create(&t, &admin, json!({"last_name": "Quillonby"})).await;
        let reps = create(&t, &rep, json!({"last_name": "Quillonby"})).await;
        let mut both = search(&t, &admin, "quillon").await;
        both.sort();
        let mut expected = vec![admins.clone(), reps.clone()];
        expected.sort();
        assert_eq!(both, expected, "{}: the admin sees both", t.name());
        assert_eq!(
            search(&t, &rep, "quillon").await,
            [reps],
            "{}: the rep sees only their own",
            t.name()
        );

        // The viewer cannot see emails or mobiles (see the permission test): a search must not
        // match on them, not even where a visible word contains the query in its middle.
        let viewer = t.token("viewer@peyvand.demo").await;
        let hidden = create(
            &t,
            &admin,
            json!({"first_name": "Khalil", "last_name": "Vermeer", "email": "alidoost@example.com", "mobile": "09191112233"}),
        )
        .await;
        for query in ["alidoost", "ali", "0919111"] {
            assert!(
                search(&t, &admin, query).await.contains(&hidden),
                "{}: '{query}' matches for the admin",
                t.name()
            );
            assert!(
                !search(&t, &viewer, query).await.contains(&hidden),
                "{}: '{query}' only matches a hidden field for the viewer",
                t.name()
            );
        }
        assert!(
            search(&t, &viewer, "vermeer khal").await.contains(&hidden),
            "{}: visible words still match",
            t.name()
        );
    }
}

/// How many contacts a search counts (the figure of a list page's header).
async fn counted(t: &TestApp, query: &str) -> i64 {
    let session = t.session("admin@peyvand.demo").await;
    let params = peyvand_app::ListParams {
        q: Some(query.to_owned()),
        ..peyvand_app::ListParams::default()
    };
    t.app
        .count(
            &session,
            peyvand_domain::permission::RecordKind::Contact,
            &params,
        )
        .await
        .unwrap()
}

/// How many contacts a search lists when sorted by last name rather than by relevance.
async fn listed_by_name(t: &TestApp, token: &str, query: &str) -> usize {
    t.list_all(
        &format!("/api/v1/contacts?q={}&sort=last_name", encode(query)),
        token,
    )
    .await
    .len()
}

/// Searches, counts and lists sorted by relevance or by a field find a created record, and stop
/// finding words a record no longer has, from the moment of the commit: in a record's first
/// commit, and after many others have been written to the index since.
#[tokio::test]
async fn searches_see_every_committed_change() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let older = create(&t, &token, json!({"last_name": "Vexmoor Older"})).await;
        let id = create(&t, &token, json!({"last_name": "Vexmoor Quintal"})).await;
        assert_eq!(
            search(&t, &token, "vexm").await,
            [id.clone(), older.clone()]
        );
        assert_eq!(search(&t, &token, "vexmoor quin").await, [id.as_str()]);
        assert_eq!(counted(&t, "vexm").await, 2, "{}", t.name());
        assert_eq!(listed_by_name(&t, &token, "vexm").await, 2, "{}", t.name());

        // Many more records written to the index: its segments merge.
        wendrakes(&t, &token, 0).await;
        assert_eq!(
            search(&t, &token, "wendrake").await.len(),
            130,
            "{}",
            t.name()
        );
        assert_eq!(
            search(&t, &token, "vexm").await,
            [id.clone(), older.clone()]
        );

        // Renamed: found by its new words only.
        let renamed = t
            .patch(
                &format!("/api/v1/contacts/{id}"),
                &token,
                json!({"last_name": "Yarrowind", "version": 1}),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert!(
            search(&t, &token, "quintal").await.is_empty(),
            "{}",
            t.name()
        );
        assert_eq!(search(&t, &token, "yarrow").await, [id.as_str()]);
        assert_eq!(search(&t, &token, "vexm").await, [older.as_str()]);
        assert_eq!(counted(&t, "vexm").await, 1, "{}", t.name());
        assert_eq!(listed_by_name(&t, &token, "vexm").await, 1, "{}", t.name());

        // Deleted: found no more.
        let deleted = t.delete(&format!("/api/v1/contacts/{older}"), &token).await;
        assert!(deleted.status.is_success(), "{}", deleted.body);
        assert!(search(&t, &token, "vexm").await.is_empty(), "{}", t.name());
        assert_eq!(counted(&t, "vexm").await, 0, "{}", t.name());

        // And still so after many more writes.
        wendrakes(&t, &token, 130).await;
        assert!(search(&t, &token, "vexm").await.is_empty(), "{}", t.name());
        assert!(
            search(&t, &token, "quintal").await.is_empty(),
            "{}",
            t.name()
        );
        assert_eq!(search(&t, &token, "yarrow").await, [id.as_str()]);
    }
}

/// Creates 130 contacts named Wendrake, numbered from `from`.
async fn wendrakes(t: &TestApp, token: &str, from: usize) {
    for i in from..from + 130 {
        create(t, token, json!({"last_name": format!("Wendrake{i}")})).await;
    }
}
