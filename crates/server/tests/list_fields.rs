//! `App::list_fields`, with which list pages read only the columns they show, against
//! `App::list` on both databases: the same records in the same order and the same cursors page
//! after page (sorted by a field, by relevance, filtered), the same values of the fields named,
//! and nothing hidden from a viewer — whose searches still match only on the fields they see.

mod common;

use std::collections::BTreeMap;

use common::backends;
use peyvand_app::ListParams;
use peyvand_domain::permission::RecordKind;

/// Pages of seven, so that every list here takes several pages.
const LIMIT: u64 = 7;

/// The lists compared: a kind, its filters and search as a query string, and the fields asked
/// for (contacts' email and mobile are hidden from the demo's viewer).
const LISTS: &[(RecordKind, &str, &[&str])] = &[
    (
        RecordKind::Contact,
        "",
        &["first_name", "last_name", "email"],
    ),
    (
        RecordKind::Contact,
        "sort=-created_at",
        &["last_name", "lifecycle"],
    ),
    (
        RecordKind::Contact,
        "sort=city&lifecycle=regular",
        &["city"],
    ),
    // Relevance: the first names of the demo, and digits only phone numbers hold.
    (RecordKind::Contact, "q=علی", &["first_name", "mobile"]),
    (RecordKind::Contact, "q=0912", &["last_name"]),
    (RecordKind::Contact, "q=0912&sort=last_name", &["last_name"]),
    (
        RecordKind::Case,
        "",
        &["number", "status", "account_id", "owner_id"],
    ),
    (RecordKind::Account, "sort=-created_at", &["name", "phone"]),
];

fn params(query: &str, cursor: Option<String>) -> ListParams {
    let pairs: BTreeMap<String, String> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let mut filters = pairs.clone();
    filters.retain(|k, _| k != "q" && k != "sort");
    ListParams {
        q: pairs.get("q").cloned(),
        sort: pairs.get("sort").cloned(),
        filters,
        cursor,
        limit: Some(LIMIT),
        ..ListParams::default()
    }
}

#[tokio::test]
async fn listing_some_fields_pages_like_listing_whole_records() {
    for t in backends().await {
        for email in ["admin@peyvand.demo", "viewer@peyvand.demo"] {
            let session = t.session(email).await;
            for (kind, query, names) in LISTS {
                let what = format!("{} {email} {kind:?} {query}", t.name());
                let (mut cursor, mut pages, mut listed) = (None, 0, 0);
                loop {
                    let params = params(query, cursor.clone());
                    let whole = t.app.list(&session, *kind, &params).await;
                    let some = t.app.list_fields(&session, *kind, &params, names).await;
                    let (whole, some) = match (whole, some) {
                        (Ok(whole), Ok(some)) => (whole, some),
                        // A kind the user may not list is refused alike.
                        (Err(a), Err(b)) if a.code().code == b.code().code => break,
                        (a, b) => panic!("{what}: {:?} / {:?}", a.err(), b.err()),
                    };
                    assert_eq!(some.by_relevance, whole.by_relevance, "{what}");
                    assert_eq!(some.next_cursor, whole.next_cursor, "{what} page {pages}");
                    assert_eq!(some.items.len(), whole.items.len(), "{what} page {pages}");
                    for (part, record) in some.items.iter().zip(&whole.items) {
                        assert_eq!((part.id, part.version), (record.id, record.version));
                        for name in *names {
                            assert_eq!(part.get(name), record.get(name), "{what} {name}");
                        }
                        // Nothing the viewer may not see, whatever was read.
                        for name in part.fields.keys() {
                            assert!(record.fields.contains_key(name), "{what} shows {name}");
                        }
                    }
                    listed += some.items.len();
                    pages += 1;
                    cursor = some.next_cursor;
                    if cursor.is_none() || pages == 20 {
                        break;
                    }
                }
                // The administrator sees every list here, so each compares something.
                assert!(
                    listed > 0 || email != "admin@peyvand.demo",
                    "{what}: nothing listed"
                );
            }
        }
    }
}
