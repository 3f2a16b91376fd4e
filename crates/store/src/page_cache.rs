//! SQLite's own page cache, without its walk over every cached page at each commit.
//!
//! At the end of every write transaction SQLite asks the page cache to drop the pages past the
//! end of the database (`xTruncate`). The built-in cache does that cheaply while the largest
//! page number it ever held is close to the end, and otherwise walks its whole hash table: every
//! page of a cache of tens of megabytes, at each commit. When a B-tree page splits, SQLite sorts
//! the new pages by number and swaps two of them through a spare number past one gigabyte (the
//! "pending byte" page, never a real page of a smaller file), which leaves that number as the
//! largest the cache has seen. Under a stream of creates nearly every commit split a page, and
//! the walk was 7–10% of the writer thread's time (perf, bench/http.sh, docs/benchmarks.md).
//!
//! [`install`] puts a thin layer over the built-in cache: it forwards every call and keeps the
//! largest page number really held, so that it passes a truncation on only when there can be
//! pages to drop. The layer must be installed before SQLite starts; when SQLite has started
//! already (a test that opened a file first) the built-in cache stays, which is only slower.

use std::ffi::{c_int, c_uint, c_void};
use std::sync::OnceLock;

use rusqlite::ffi;

/// The built-in cache's methods, which every call of the layer forwards to.
struct BuiltIn(ffi::sqlite3_pcache_methods2);

// SAFETY: the methods are plain C functions and `pArg` is the built-in cache's global state,
// which SQLite itself shares between threads (its own mutexes guard it).
unsafe impl Send for BuiltIn {}
unsafe impl Sync for BuiltIn {}

/// Kept before SQLite learns of the layer, so that its methods find them from their first call.
static BUILT_IN: OnceLock<BuiltIn> = OnceLock::new();
/// Whether the layer is in place (decided once, by the first [`install`]).
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Installs the layer if SQLite has not started yet; returns whether it is in place. Safe to
/// call any number of times from any thread; only the first call does anything.
pub(crate) fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        let installed = install_once();
        if !installed {
            tracing::debug!("SQLite started before the page cache layer: built-in cache kept");
        }
        installed
    })
}

fn install_once() -> bool {
    let mut built_in = std::mem::MaybeUninit::<ffi::sqlite3_pcache_methods2>::zeroed();
    // SAFETY: GETPCACHE2 writes the configured methods into the struct it is given (all of it:
    // the struct was zeroed before); both calls fail with SQLITE_MISUSE, changing nothing, once
    // SQLite has been initialised. SQLite copies the layer's methods it is given.
    unsafe {
        if ffi::sqlite3_config(ffi::SQLITE_CONFIG_GETPCACHE2, built_in.as_mut_ptr())
            != ffi::SQLITE_OK
        {
            return false;
        }
        let built_in = built_in.assume_init();
        if built_in.xCreate.is_none() || BUILT_IN.set(BuiltIn(built_in)).is_err() {
            return false;
        }
        ffi::sqlite3_config(ffi::SQLITE_CONFIG_PCACHE2, &layer_methods()) == ffi::SQLITE_OK
    }
}

fn built_in() -> &'static ffi::sqlite3_pcache_methods2 {
    &BUILT_IN
        .get()
        .expect("SQLite learns of the layer only after the built-in methods are kept")
        .0
}

fn layer_methods() -> ffi::sqlite3_pcache_methods2 {
    ffi::sqlite3_pcache_methods2 {
        iVersion: 1,
        pArg: std::ptr::null_mut(),
        xInit: Some(init),
        xShutdown: Some(shutdown),
        xCreate: Some(create),
        xCachesize: Some(cache_size),
        xPagecount: Some(page_count),
        xFetch: Some(fetch),
        xUnpin: Some(unpin),
        xRekey: Some(rekey),
        xTruncate: Some(truncate),
        xDestroy: Some(destroy),
        xShrink: Some(shrink),
    }
}

/// One connection's cache: the built-in one and what the layer knows of its page numbers.
struct Layer {
    inner: *mut ffi::sqlite3_pcache,
    numbers: PageNumbers,
}

/// SQLite's pending byte: a page holding it is never part of the file.
const PENDING_BYTE: c_uint = 0x4000_0000;

/// What the layer knows of the numbers of the pages a cache holds: enough to tell when a
/// truncation has pages to drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PageNumbers {
    /// No page of the cache has a number above this one (a page at `parking` aside).
    largest: c_uint,
    /// The spare number page splits swap pages through (the pending-byte page).
    parking: c_uint,
    /// Whether a page is at `parking` right now (between the swap's first and last step).
    parked: bool,
}

impl PageNumbers {
    fn new(page_size: c_uint) -> PageNumbers {
        PageNumbers {
            largest: 0,
            parking: PENDING_BYTE / page_size.max(1) + 1,
            parked: false,
        }
    }

    /// A page numbered `key` is in the cache.
    fn fetched(&mut self, key: c_uint) {
        self.largest = self.largest.max(key);
    }

    /// The page numbered `old` is now numbered `new`.
    fn rekeyed(&mut self, old: c_uint, new: c_uint) {
        if new == self.parking {
            self.parked = true;
        } else {
            self.largest = self.largest.max(new);
        }
        if old == self.parking && new != self.parking {
            self.parked = false;
        }
    }

    /// Whether pages numbered `limit` or above may be in the cache; if so they are about to be
    /// dropped, and the numbers say so.
    fn truncate(&mut self, limit: c_uint) -> bool {
        let drops_parked = self.parked && self.parking >= limit;
        if limit > self.largest && !drops_parked {
            return false;
        }
        self.largest = self.largest.min(limit.saturating_sub(1));
        if drops_parked {
            self.parked = false;
        }
        true
    }
}

fn layer<'a>(cache: *mut ffi::sqlite3_pcache) -> &'a mut Layer {
    // SAFETY: every cache SQLite hands the layer's methods was made by `create` below, and
    // SQLite uses a cache from one thread at a time (its connection's).
    unsafe { &mut *(cache as *mut Layer) }
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    let methods = built_in();
    // SAFETY: forwards to the built-in cache with its own argument.
    unsafe { methods.xInit.map_or(ffi::SQLITE_OK, |f| f(methods.pArg)) }
}

unsafe extern "C" fn shutdown(_: *mut c_void) {
    let methods = built_in();
    // SAFETY: as `init`.
    if let Some(f) = methods.xShutdown {
        unsafe { f(methods.pArg) }
    }
}

unsafe extern "C" fn create(
    page_size: c_int,
    extra: c_int,
    purgeable: c_int,
) -> *mut ffi::sqlite3_pcache {
    let Some(create) = built_in().xCreate else {
        return std::ptr::null_mut();
    };
    // SAFETY: forwards to the built-in cache.
    let inner = unsafe { create(page_size, extra, purgeable) };
    if inner.is_null() {
        return inner;
    }
    let layer = Layer {
        inner,
        numbers: PageNumbers::new(page_size.max(1) as c_uint),
    };
    Box::into_raw(Box::new(layer)) as *mut ffi::sqlite3_pcache
}

unsafe extern "C" fn cache_size(cache: *mut ffi::sqlite3_pcache, pages: c_int) {
    let inner = layer(cache).inner;
    // SAFETY: forwards to the built-in cache this layer wraps.
    if let Some(f) = built_in().xCachesize {
        unsafe { f(inner, pages) }
    }
}

unsafe extern "C" fn page_count(cache: *mut ffi::sqlite3_pcache) -> c_int {
    let inner = layer(cache).inner;
    // SAFETY: as `cache_size`.
    unsafe { built_in().xPagecount.map_or(0, |f| f(inner)) }
}

unsafe extern "C" fn fetch(
    cache: *mut ffi::sqlite3_pcache,
    key: c_uint,
    create: c_int,
) -> *mut ffi::sqlite3_pcache_page {
    let layer = layer(cache);
    let Some(fetch) = built_in().xFetch else {
        return std::ptr::null_mut();
    };
    // SAFETY: as `cache_size`.
    let page = unsafe { fetch(layer.inner, key, create) };
    if !page.is_null() {
        layer.numbers.fetched(key);
    }
    page
}

unsafe extern "C" fn unpin(
    cache: *mut ffi::sqlite3_pcache,
    page: *mut ffi::sqlite3_pcache_page,
    discard: c_int,
) {
    let inner = layer(cache).inner;
    // SAFETY: as `cache_size`.
    if let Some(f) = built_in().xUnpin {
        unsafe { f(inner, page, discard) }
    }
}

unsafe extern "C" fn rekey(
    cache: *mut ffi::sqlite3_pcache,
    page: *mut ffi::sqlite3_pcache_page,
    old: c_uint,
    new: c_uint,
) {
    let layer = layer(cache);
    // SAFETY: as `cache_size`.
    if let Some(f) = built_in().xRekey {
        unsafe { f(layer.inner, page, old, new) }
    }
    layer.numbers.rekeyed(old, new);
}

unsafe extern "C" fn truncate(cache: *mut ffi::sqlite3_pcache, limit: c_uint) {
    let layer = layer(cache);
    if !layer.numbers.truncate(limit) {
        // No page numbered `limit` or above: nothing to drop, and no walk.
        return;
    }
    // SAFETY: as `cache_size`.
    if let Some(f) = built_in().xTruncate {
        unsafe { f(layer.inner, limit) }
    }
}

unsafe extern "C" fn destroy(cache: *mut ffi::sqlite3_pcache) {
    // SAFETY: `cache` came from `Box::into_raw` in `create`, and SQLite destroys it once.
    let layer = unsafe { Box::from_raw(cache as *mut Layer) };
    // SAFETY: as `cache_size`.
    if let Some(f) = built_in().xDestroy {
        unsafe { f(layer.inner) }
    }
}

unsafe extern "C" fn shrink(cache: *mut ffi::sqlite3_pcache) {
    let inner = layer(cache).inner;
    // SAFETY: as `cache_size`.
    if let Some(f) = built_in().xShrink {
        unsafe { f(inner) }
    }
}

#[cfg(test)]
mod tests {
    use sea_query::{Expr, Query};

    use super::*;
    use crate::values::ColType;
    use peyvand_domain::record::Value;

    #[test]
    fn a_page_split_parking_a_page_does_not_make_every_truncation_walk() {
        let mut numbers = PageNumbers::new(4096);
        assert_eq!(numbers.parking, 262_145);
        for key in 1..=300 {
            numbers.fetched(key);
        }
        // The swap of a split: 120 → parking, 130 → 120, parking → 130.
        numbers.rekeyed(120, numbers.parking);
        assert!(numbers.parked);
        numbers.rekeyed(130, 120);
        numbers.rekeyed(numbers.parking, 130);
        assert!(!numbers.parked);
        // The commit's truncation to the file's 300 pages has nothing to drop.
        assert!(!numbers.truncate(301));
        assert_eq!(numbers.largest, 300);
    }

    #[test]
    fn pages_past_the_end_are_dropped() {
        let mut numbers = PageNumbers::new(4096);
        for key in 1..=300 {
            numbers.fetched(key);
        }
        // A rolled-back transaction had grown the file to 300 pages; it has 250 again.
        assert!(numbers.truncate(251));
        assert_eq!(numbers.largest, 250);
        assert!(!numbers.truncate(251));
        // Pages added or renumbered past the end are dropped in turn.
        numbers.fetched(260);
        assert!(numbers.truncate(251));
        numbers.rekeyed(10, 270);
        assert!(numbers.truncate(251));
        // Everything goes when the cache is emptied.
        assert!(numbers.truncate(1));
        assert_eq!(numbers.largest, 0);
    }

    #[test]
    fn a_page_left_at_the_parking_number_is_dropped() {
        let mut numbers = PageNumbers::new(1024);
        numbers.fetched(40);
        numbers.rekeyed(40, numbers.parking);
        assert!(numbers.truncate(41));
        assert!(!numbers.parked);
        assert!(!numbers.truncate(41));
    }

    /// A store's writes, splits, a rolled-back growth of the file and more writes after it,
    /// with the layer in place: the database stays whole and holds what was committed.
    #[tokio::test]
    async fn the_database_stays_whole_under_the_layer() {
        let (store, _database) = crate::temp_sqlite_store("page-cache").await;
        assert!(install(), "the store's first connection installs the layer");
        let fill = |rows: u32, seed: u32, keep: bool| {
            let store = store.clone();
            async move {
                store
                    .write_job(Box::new(move |tx| {
                        Box::pin(async move {
                            let sql = format!(
                                "CREATE TABLE IF NOT EXISTS filler (k TEXT PRIMARY KEY, v BLOB); \
                                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                                 WHERE i < {rows}) INSERT INTO filler \
                                 SELECT printf('%d-%08d', {seed}, (i * 7919) % 100003), \
                                 randomblob(600) FROM n;"
                            );
                            tx.run_ddl(&sql).await.unwrap();
                            keep
                        })
                    }))
                    .await
                    .unwrap();
            }
        };
        fill(2_000, 1, true).await;
        fill(5_000, 2, false).await;
        fill(3_000, 3, true).await;
        let mut tx = store.read().await.unwrap();
        let mut count = Query::select();
        count.expr(Expr::cust("(SELECT count(*) FROM filler)"));
        assert_eq!(
            tx.fetch(&count, &[ColType::Int]).await.unwrap(),
            [[Value::Int(5_000)]]
        );
        let mut check = Query::select();
        check.expr(Expr::cust(
            "(SELECT integrity_check FROM pragma_integrity_check)",
        ));
        assert_eq!(
            tx.fetch(&check, &[ColType::Text]).await.unwrap(),
            [[Value::Text("ok".into())]]
        );
    }
}
