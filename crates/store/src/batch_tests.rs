//! Tests of the writer's batches and the checkpointer (`batch.rs`).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{AuditRow, Store};

fn entry(record_id: Uuid, action: &str) -> AuditRow {
    AuditRow {
        id: Uuid::now_v7(),
        record_kind: "contact".into(),
        record_id,
        action: action.into(),
        actor_id: None,
        at: OffsetDateTime::UNIX_EPOCH,
        changes: "{}".into(),
    }
}

/// The writer's `temp_store` as a job sees it (1 files, 2 memory).
async fn temp_store_seen(store: &Store, large: bool) -> i64 {
    pragma_seen(store, large, "(SELECT temp_store FROM pragma_temp_store)").await
}

/// The value of a pragma (`query` reads it) as a job sees it.
async fn pragma_seen(store: &Store, large: bool, query: &'static str) -> i64 {
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(-1));
    let into = seen.clone();
    let job: super::WriteJob = Box::new(move |tx| {
        Box::pin(async move {
            let mut select = sea_query::Query::select();
            select.expr(sea_query::Expr::cust(query));
            let rows = tx
                .fetch(&select, &[crate::values::ColType::Int])
                .await
                .unwrap();
            if let Some(peyvand_domain::record::Value::Int(value)) = rows[0].first() {
                into.store(*value, std::sync::atomic::Ordering::Relaxed);
            }
            true
        })
    });
    if large {
        store.write_large_job(job).await.unwrap();
    } else {
        store.write_job(job).await.unwrap();
    }
    seen.load(std::sync::atomic::Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkpointer_syncs_the_wal_the_writer_writes() {
    let (store, database) = crate::temp_sqlite_store("batch").await;
    let record = Uuid::now_v7();
    store
        .write_job(Box::new(move |tx| {
            Box::pin(async move {
                tx.insert_audit(&entry(record, "written")).await.unwrap();
                true
            })
        }))
        .await
        .unwrap();
    let wal = super::wal_path_of(&database);
    assert_eq!(wal.file_name().unwrap(), "store.db-wal");
    super::sync_what_came_since(&wal).expect("the WAL beside the database is synced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_is_cut_back_when_it_starts_over() {
    let (store, _database) = crate::temp_sqlite_store("batch").await;
    let limit = "(SELECT journal_size_limit FROM pragma_journal_size_limit)";
    assert_eq!(
        pragma_seen(&store, false, limit).await,
        crate::direct::WAL_SIZE_LIMIT
    );
}

/// Frames in the WAL of the database at `path`, through a connection of its own (a passive
/// checkpoint reports them; it copies them too, which changes nothing the test looks at).
fn frames_in_wal(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
        .unwrap()
}

/// After a checkpointer round that copied everything, the writer copies what was committed
/// since before its next batch, so that batch starts the WAL over instead of appending: under
/// a steady stream of writes the WAL would otherwise grow without end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_finishes_a_checkpoint_round_so_the_wal_starts_over() {
    let (store, database) = crate::temp_sqlite_store("round").await;
    let rows_job = |rows: usize| -> super::WriteJob {
        Box::new(move |tx| {
            Box::pin(async move {
                for _ in 0..rows {
                    let mut row = entry(Uuid::now_v7(), "created");
                    row.changes = format!("\"{}\"", "x".repeat(2_000));
                    tx.insert_audit(&row).await.unwrap();
                }
                true
            })
        })
    };
    store.write_job(rows_job(200)).await.unwrap();
    // As the checkpointer does when its round found nothing it could not copy; the frames
    // of the job above came after that round (its sleep of 100 ms is still running).
    store.batcher().report_a_finished_round();
    store.write_job(rows_job(1)).await.unwrap();
    let frames = frames_in_wal(&database);
    assert!(
        frames < 20,
        "the last job's few pages, not the 200 rows before it: {frames} frames"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_job_leaves_the_wal_empty() {
    let (store, path) = crate::temp_sqlite_store("emptywal").await;
    let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
    let rows_job = || -> super::WriteJob {
        Box::new(move |tx| {
            Box::pin(async move {
                for _ in 0..200 {
                    let mut row = entry(Uuid::now_v7(), "created");
                    row.changes = format!("\"{}\"", "x".repeat(2_000));
                    tx.insert_audit(&row).await.unwrap();
                }
                true
            })
        })
    };
    store.write_job(rows_job()).await.unwrap();
    let after_small = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(
        after_small > 100_000,
        "an ordinary job stays in the WAL: {after_small}"
    );
    store.write_large_job(rows_job()).await.unwrap();
    // The job is told of its commit first; the writer empties the WAL next.
    store.drain_writer().await;
    let after_large = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(after_large, 0, "the WAL after a large job");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_large_job_leaves_the_writer_its_usual_page_cache() {
    let (store, _database) = crate::temp_sqlite_store("cache").await;
    let cache = "(SELECT cache_size FROM pragma_cache_size)";
    let usual = -crate::direct::WRITER_CACHE_KIB;
    assert_eq!(pragma_seen(&store, false, cache).await, usual);
    // A bulk load that changed the cache and then failed: the rollback does not undo it.
    store
        .write_large_job(Box::new(|tx| {
            Box::pin(async move {
                tx.run_ddl("PRAGMA cache_size = -1024").await.unwrap();
                false
            })
        }))
        .await
        .unwrap();
    assert_eq!(pragma_seen(&store, false, cache).await, usual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_jobs_run_alone_with_temporary_storage_in_files() {
    let (store, _database) = crate::temp_sqlite_store("alone").await;
    assert_eq!(temp_store_seen(&store, false).await, 2);
    assert_eq!(temp_store_seen(&store, true).await, 1);
    assert_eq!(temp_store_seen(&store, false).await, 2);

    // Submitted among ordinary jobs, a large job still gets a transaction of its own.
    let before = store.writer_stats().unwrap();
    let (a, b, c) = tokio::join!(
        temp_store_seen(&store, false),
        temp_store_seen(&store, true),
        temp_store_seen(&store, false)
    );
    assert_eq!((a, b, c), (2, 1, 2));
    let after = store.writer_stats().unwrap();
    assert_eq!(after.jobs - before.jobs, 3, "jobs");
    assert!(after.batches - before.batches >= 2, "batches");
    // Every transaction is timed, and falls within the histogram's bounds or past them.
    assert!(after.busy_seconds > before.busy_seconds);
    let counted = |stats: &crate::WriterStats| stats.within.last().unwrap().1;
    assert!(counted(&after) <= after.batches);
    assert!(counted(&after) >= counted(&before));
    for pair in after.within.windows(2) {
        assert!(pair[0].0 < pair[1].0 && pair[0].1 <= pair[1].1, "{pair:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_first_job_is_undone_without_a_savepoint_and_the_writer_goes_on() {
    let (store, _database) = crate::temp_sqlite_store("batch").await;
    let record = Uuid::now_v7();
    for (action, keep) in [("undone", false), ("kept", true), ("undone too", false)] {
        store
            .write_job(Box::new(move |tx| {
                Box::pin(async move {
                    tx.insert_audit(&entry(record, action)).await.unwrap();
                    keep
                })
            }))
            .await
            .unwrap();
    }
    let mut tx = store.read().await.unwrap();
    let entries = tx.audit_of("contact", record, 10).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["kept"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_fails_after_writing_is_undone_alone() {
    let (store, _database) = crate::temp_sqlite_store("batch").await;
    let record = Uuid::now_v7();
    let mut waiting = Vec::new();
    for i in 0..60 {
        let store = store.clone();
        waiting.push(tokio::spawn(async move {
            store
                .write_job(Box::new(move |tx| {
                    Box::pin(async move {
                        // Every third job writes twice and then gives up; the others keep
                        // their one write. Some first writes are updates (no folded savepoint).
                        if i % 5 == 0 {
                            let _ = tx
                                .revoke_api_token(
                                    Uuid::now_v7(),
                                    Uuid::now_v7(),
                                    OffsetDateTime::UNIX_EPOCH,
                                )
                                .await;
                        }
                        tx.insert_audit(&entry(record, &format!("kept {i}")))
                            .await
                            .unwrap();
                        if i % 3 == 0 {
                            tx.insert_audit(&entry(record, "undone")).await.unwrap();
                            return false;
                        }
                        true
                    })
                }))
                .await
        }));
    }
    for job in waiting {
        job.await.unwrap().unwrap();
    }
    let mut tx = store.read().await.unwrap();
    let entries = tx.audit_of("contact", record, 1000).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(entries.len(), 40, "{actions:?}");
    assert!(actions.iter().all(|a| a.starts_with("kept ")));
    for i in (0..60).filter(|i| i % 3 == 0) {
        assert!(
            !actions.contains(&format!("kept {i}").as_str()),
            "job {i} was rolled back whole"
        );
    }
}

/// A job that writes an audit entry named `action` for `record`, counts its runs in `runs`
/// and keeps its change on the runs `keep` says yes to (numbered from 1).
fn counted_job(
    record: Uuid,
    action: &'static str,
    runs: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    keep: fn(usize) -> bool,
) -> super::WriteJob {
    let runs = runs.clone();
    Box::new(move |tx| {
        Box::pin(async move {
            let run = runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            tx.insert_audit(&entry(record, action)).await.unwrap();
            keep(run)
        })
    })
}

fn request(work: super::Work) -> super::Request {
    super::Request {
        work,
        alone: false,
        done: tokio::sync::oneshot::channel().0,
    }
}

fn repeatable(
    record: Uuid,
    action: &'static str,
    runs: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    keep: fn(usize) -> bool,
) -> super::Request {
    let runs = runs.clone();
    request(super::Work::Repeatable(Box::new(move || {
        counted_job(record, action, &runs, keep)
    })))
}

fn once(
    record: Uuid,
    action: &'static str,
    runs: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    keep: fn(usize) -> bool,
) -> super::Request {
    request(super::Work::Once(Some(counted_job(
        record, action, runs, keep,
    ))))
}

/// Runs `batch` as the writer would, on a connection of its own, and gives the actions
/// committed for `record`.
async fn committed(
    store: &Store,
    path: &std::path::Path,
    record: Uuid,
    mut batch: Vec<super::Request>,
) -> Vec<String> {
    let (path, runtime) = (path.to_owned(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || {
        let conn = crate::direct::open(&path).unwrap();
        let (_, outcome) = super::run_batch(conn, &mut batch, &runtime);
        outcome.unwrap();
    })
    .await
    .unwrap();
    let mut tx = store.read().await.unwrap();
    let entries = tx.audit_of("contact", record, 100).await.unwrap();
    let mut actions: Vec<String> = entries.into_iter().map(|e| e.action).collect();
    actions.sort();
    actions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeatable_jobs_are_run_over_when_a_later_job_fails_after_writing() {
    let (store, path) = crate::temp_sqlite_store("batch").await;
    let counters: Vec<_> = (0..3).map(|_| std::sync::Arc::default()).collect();
    let yes: fn(usize) -> bool = |_| true;
    let no: fn(usize) -> bool = |_| false;

    // The failing one-off job rolls everything back; the repeatable job before it runs
    // again, the one after it once.
    let record = Uuid::now_v7();
    let batch = vec![
        repeatable(record, "first", &counters[0], yes),
        once(record, "failed", &counters[1], no),
        repeatable(record, "third", &counters[2], yes),
    ];
    let actions = committed(&store, &path, record, batch).await;
    assert_eq!(actions, ["first", "third"]);
    let runs: Vec<usize> = counters
        .iter()
        .map(|c| c.load(std::sync::atomic::Ordering::SeqCst))
        .collect();
    assert_eq!(runs, [2, 1, 1]);

    // After a one-off job is kept, a failing job is undone by its savepoint: nothing runs
    // over, and the one-off job's change stands.
    let record = Uuid::now_v7();
    let counters: Vec<_> = (0..3).map(|_| std::sync::Arc::default()).collect();
    let batch = vec![
        once(record, "kept once", &counters[0], yes),
        repeatable(record, "failed", &counters[1], no),
        repeatable(record, "after", &counters[2], yes),
    ];
    let actions = committed(&store, &path, record, batch).await;
    assert_eq!(actions, ["after", "kept once"]);
    let runs: Vec<usize> = counters
        .iter()
        .map(|c| c.load(std::sync::atomic::Ordering::SeqCst))
        .collect();
    assert_eq!(runs, [1, 1, 1]);

    // A job that fails when run over is dropped, and the others run over once more.
    let record = Uuid::now_v7();
    let counters: Vec<_> = (0..3).map(|_| std::sync::Arc::default()).collect();
    let batch = vec![
        repeatable(record, "steady", &counters[0], yes),
        repeatable(record, "only the first time", &counters[1], |run| run == 1),
        repeatable(record, "failed", &counters[2], no),
    ];
    let actions = committed(&store, &path, record, batch).await;
    assert_eq!(actions, ["steady"]);
    let runs: Vec<usize> = counters
        .iter()
        .map(|c| c.load(std::sync::atomic::Ordering::SeqCst))
        .collect();
    assert_eq!(runs, [3, 2, 1]);
}
