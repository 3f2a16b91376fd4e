//! The lists that the partial indexes of migration 0320 serve still find their rows through
//! them: the list's own statement, as the store builds it, planned by SQLite.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{ACCOUNTS, CONTACTS, Schema, Value};
use sea_query::SqliteQueryBuilder;

use super::*;

/// SQLite's plan of the list `equals` sorted by `sort` (descending when it starts with `-`).
fn plan_of(path: &std::path::Path, schema: &Schema, equals: (&str, Value), sort: &str) -> String {
    let query = ListQuery {
        schema,
        access: &RowFilter::Everything,
        equals: vec![(equals.0.to_owned(), equals.1)],
        tag: None,
        search: vec![],
        ids: None,
        sort: SortKey {
            field: sort.trim_start_matches('-').to_owned(),
            descending: sort.starts_with('-'),
        },
        after: None,
        limit: 51,
    };
    let (mut select, _) = select_all_columns(schema);
    order_page(&mut select, &query, false);
    let (sql, values) = select.build(SqliteQueryBuilder);
    let params: Vec<rusqlite::types::Value> = values
        .iter()
        .map(|value| crate::direct::bind(value).unwrap())
        .collect();
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut explain = connection
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let details: Vec<String> = explain
        .query_map(rusqlite::params_from_iter(params), |row| row.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    details.join("; ")
}

#[tokio::test]
async fn lists_filtered_on_a_value_use_the_partial_indexes() {
    let (_store, database) = crate::temp_sqlite_store("plans").await;
    let path: &std::path::Path = &database;
    let text = |s: &str| Value::Text(s.to_owned());
    for (schema, equals, sort, index) in [
        (
            &CONTACTS,
            ("lifecycle", text("regular")),
            "-created_at",
            "contacts_lifecycle_created",
        ),
        (
            &CONTACTS,
            ("customer_class", text("gold")),
            "last_name",
            "contacts_class_sort",
        ),
        (
            &ACCOUNTS,
            ("customer_class", text("gold")),
            "name",
            "accounts_class_sort",
        ),
        (
            &CONTACTS,
            ("account_id", Value::Id(uuid::Uuid::now_v7())),
            "last_name",
            "contacts_account",
        ),
    ] {
        let plan = plan_of(path, schema, equals, sort);
        assert!(plan.contains(index), "{index}: {plan}");
    }
}

#[tokio::test]
async fn the_partial_indexes_leave_out_empty_fields() {
    // A created contact is without these fields; its index entries were a B-tree insert and a
    // page written in every commit (migration 0320).
    let (store, _database) = crate::temp_sqlite_store("partial").await;
    let mut tx = store.read().await.unwrap();
    for (index, condition) in [
        ("contacts_lifecycle_created", "WHERE lifecycle IS NOT NULL"),
        ("contacts_class_sort", "WHERE customer_class IS NOT NULL"),
        ("accounts_class_sort", "WHERE customer_class IS NOT NULL"),
        ("contacts_account", "WHERE account_id IS NOT NULL"),
    ] {
        let mut select = Query::select();
        select.expr(Expr::cust(format!(
            "(SELECT count(*) FROM sqlite_master WHERE name = '{index}' \
             AND sql LIKE '%{condition}')"
        )));
        assert_eq!(tx.fetch_count(&select).await.unwrap(), 1, "{index}");
    }
}
