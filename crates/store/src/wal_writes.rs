//! One write to the WAL file per commit, instead of two per page.
//!
//! SQLite appends a commit to the WAL a frame at a time and writes each frame with two calls:
//! its 24-byte header, then the page. A created contact's commit is some sixty frames, so the
//! writer thread made over a hundred `pwrite` calls per commit, and the kernel handled each
//! 4 KiB page of the file three times, since frames of 4,120 bytes straddle its pages: a fifth
//! of the writer's time (perf, bench/http.sh, docs/benchmarks.md).
//!
//! The writer's connections open their files through this VFS, [`NAME`]. It hands every file but
//! a WAL straight to the platform's default VFS, and wraps a WAL so that writes that continue
//! where the previous one ended collect in a buffer. The buffer goes to the file in one call:
//! - as soon as it holds a commit frame whole (a frame header that carries the database's size
//!   after the commit, then its page): that is inside SQLite's `walFrames`, before SQLite
//!   publishes the commit in the WAL index, so no connection can look for a committed frame
//!   that is not in the file, and a commit is as durable as before;
//! - before any other use of the file (a read, a sync, a truncation, its size, closing it), and
//!   before a write anywhere but at the buffer's end (SQLite rewriting a frame of the same
//!   transaction, or starting the WAL over), which goes to the file directly;
//! - when it passes [`BUFFER_LIMIT`], for the frames a large transaction spills before it commits.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::OnceLock;

use rusqlite::ffi;

/// The VFS's name, for `Connection::open_with_flags_and_vfs`.
pub(crate) const NAME: &CStr = c"peyvand-wal";

/// The most a WAL's buffer holds before it is written out without waiting for a commit.
pub(crate) const BUFFER_LIMIT: usize = 1024 * 1024;

/// The size of a WAL frame's header, the write that precedes each page.
const FRAME_HEADER: usize = 24;

/// The VFS this one wraps (it lives as long as the process).
struct Vfs {
    default: *mut ffi::sqlite3_vfs,
}

// SAFETY: a registered VFS object, which SQLite shares between all its threads and which
// nothing changes once it is registered.
unsafe impl Send for Vfs {}
unsafe impl Sync for Vfs {}

static VFS: OnceLock<Option<Vfs>> = OnceLock::new();

/// Registers the VFS (once; later calls only answer). Returns whether it is there to be named
/// in an open; without it, connections use the default VFS, which is only slower.
pub(crate) fn register() -> bool {
    VFS.get_or_init(|| {
        let vfs = register_once();
        if vfs.is_none() {
            tracing::warn!("the WAL-writing VFS could not be registered: the default one is used");
        }
        vfs
    })
    .is_some()
}

fn register_once() -> Option<Vfs> {
    // SAFETY: `sqlite3_vfs_find` returns the default VFS (or null); SQLite keeps the registered
    // copy, which is leaked so that it outlives every connection, as registration requires.
    unsafe {
        let default = ffi::sqlite3_vfs_find(std::ptr::null());
        if default.is_null() {
            return None;
        }
        let inner_size = usize::try_from((*default).szOsFile).ok()?;
        let wrapper = Box::into_raw(Box::new(ffi::sqlite3_vfs {
            iVersion: 1,
            szOsFile: c_int::try_from(inner_offset() + inner_size).ok()?,
            mxPathname: (*default).mxPathname,
            pNext: std::ptr::null_mut(),
            zName: NAME.as_ptr(),
            pAppData: std::ptr::null_mut(),
            xOpen: Some(open),
            xDelete: Some(delete),
            xAccess: Some(access),
            xFullPathname: Some(full_pathname),
            xDlOpen: Some(dl_open),
            xDlError: Some(dl_error),
            xDlSym: Some(dl_sym),
            xDlClose: Some(dl_close),
            xRandomness: Some(randomness),
            xSleep: Some(sleep),
            xCurrentTime: Some(current_time),
            xGetLastError: Some(get_last_error),
            xCurrentTimeInt64: None,
            xSetSystemCall: None,
            xGetSystemCall: None,
            xNextSystemCall: None,
        }));
        if ffi::sqlite3_vfs_register(wrapper, 0) != ffi::SQLITE_OK {
            drop(Box::from_raw(wrapper));
            return None;
        }
        // No connection can name the VFS before `register` returns, and with it the default
        // VFS its methods forward to.
        Some(Vfs { default })
    }
}

fn default_vfs() -> *mut ffi::sqlite3_vfs {
    VFS.get()
        .and_then(Option::as_ref)
        .map(|vfs| vfs.default)
        .expect("SQLite calls the VFS only once it is registered")
}

/// A WAL opened through the VFS: the methods' view of the memory SQLite gives a file.
#[repr(C)]
struct WalFile {
    /// SQLite's part: the methods of [`WAL_METHODS`].
    base: ffi::sqlite3_file,
    /// The default VFS's file, in the same memory after this header.
    inner: *mut ffi::sqlite3_file,
    /// The writes not yet in the file (owned; freed when the file closes).
    pending: *mut Pending,
}

/// Where the default VFS's file starts in the memory SQLite gives each file.
const fn inner_offset() -> usize {
    let size = std::mem::size_of::<WalFile>();
    let align = 16;
    size.div_ceil(align) * align
}

/// Consecutive writes to a WAL, not yet in the file.
#[derive(Default)]
struct Pending {
    /// The file offset of `bytes[0]`.
    start: i64,
    bytes: Vec<u8>,
    /// Where the latest write ended, buffered or not: a write there continues the file.
    next_offset: i64,
    /// The buffer ends with a commit frame's header: its page completes the commit.
    commit_header_last: bool,
}

impl Pending {
    /// Takes a write; returns `true` if it completed a commit frame (the buffer must go out).
    fn take(&mut self, offset: i64, data: &[u8]) -> bool {
        if self.bytes.is_empty() {
            self.start = offset;
        }
        self.bytes.extend_from_slice(data);
        self.next_offset = offset + data.len() as i64;
        let completes_commit = self.commit_header_last && data.len() != FRAME_HEADER;
        self.commit_header_last = data.len() == FRAME_HEADER && is_commit_header(data);
        completes_commit || self.bytes.len() >= BUFFER_LIMIT
    }

    /// Empties the buffer once it is in the file. `commit_header_last` stays as it is: it
    /// describes the latest write, not the buffer, so a commit header that filled the buffer
    /// still makes its page end a commit.
    fn sent(&mut self) {
        self.bytes.clear();
    }

    /// Whether a write at `offset` continues the latest one (buffered or not).
    fn continues(&self, offset: i64) -> bool {
        offset == self.next_offset
    }

    /// Notes a write that went to the file directly (the buffer having gone out before it).
    fn passed(&mut self, offset: i64, data: &[u8]) {
        self.next_offset = offset + data.len() as i64;
        // A commit frame's header written directly still makes its page the end of a commit.
        self.commit_header_last = data.len() == FRAME_HEADER && is_commit_header(data);
    }
}

/// A WAL frame header carries, in its second four bytes, the database's size in pages after
/// the commit when it is the commit's last frame, and zero otherwise.
fn is_commit_header(header: &[u8]) -> bool {
    header[4..8] != [0, 0, 0, 0]
}

/// Writes the buffer to the file in one call and empties it.
///
/// # Safety
/// `file` must be a [`WalFile`] opened by [`open`] and not yet closed.
unsafe fn flush(file: *mut WalFile) -> c_int {
    // SAFETY: as the caller promises; SQLite calls a file's methods from one thread at a time.
    unsafe {
        let pending = &mut *(*file).pending;
        if pending.bytes.is_empty() {
            return ffi::SQLITE_OK;
        }
        let inner = (*file).inner;
        let write = (*(*inner).pMethods).xWrite.expect("every VFS file writes");
        let mut rc = ffi::SQLITE_OK;
        for (offset, chunk) in chunks(pending.start, &pending.bytes) {
            let amount = c_int::try_from(chunk.len()).expect("chunks are below WRITE_LIMIT");
            rc = write(inner, chunk.as_ptr().cast(), amount, offset);
            if rc != ffi::SQLITE_OK {
                break;
            }
        }
        pending.sent();
        rc
    }
}

/// The most the Unix VFS writes in one call: it keeps only the low 17 bits of a write's length
/// (`seekAndWriteFd` in os_unix.c), so a longer write would be cut short.
const WRITE_LIMIT: usize = 0x1ffff;

/// `bytes`, to be written at `start`, in pieces the default VFS takes whole, each ending on a
/// 4 KiB boundary of the file but the last, so the kernel takes no page of it twice.
fn chunks(start: i64, bytes: &[u8]) -> impl Iterator<Item = (i64, &[u8])> {
    let mut offset = start;
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let furthest = offset + WRITE_LIMIT as i64;
        let end = if offset + (rest.len() as i64) <= furthest {
            offset + rest.len() as i64
        } else {
            furthest - furthest % 4096
        };
        let (chunk, after) = rest.split_at((end - offset) as usize);
        let piece = (offset, chunk);
        offset = end;
        rest = after;
        Some(piece)
    })
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let default = default_vfs();
    // SAFETY: SQLite gives `file` the VFS's `szOsFile` bytes: a default VFS file fits at its
    // start, and a WalFile header followed by one at `inner_offset`.
    unsafe {
        let default_open = (*default).xOpen.expect("every VFS opens files");
        if flags & ffi::SQLITE_OPEN_WAL == 0 {
            return default_open(default, name, file, flags, out_flags);
        }
        let wal = file.cast::<WalFile>();
        let inner = file
            .cast::<u8>()
            .add(inner_offset())
            .cast::<ffi::sqlite3_file>();
        let rc = default_open(default, name, inner, flags, out_flags);
        if rc != ffi::SQLITE_OK {
            // SQLite closes a file that failed to open only if it has methods: this one has
            // none, so the inner file is closed here if it got as far as having them.
            if !(*inner).pMethods.is_null() {
                ((*(*inner).pMethods).xClose.expect("every VFS file closes"))(inner);
            }
            (*wal).base.pMethods = std::ptr::null();
            return rc;
        }
        wal.write(WalFile {
            base: ffi::sqlite3_file {
                pMethods: &WAL_METHODS,
            },
            inner,
            pending: Box::into_raw(Box::default()),
        });
        ffi::SQLITE_OK
    }
}

/// The methods of a WAL opened through the VFS (version 1: SQLite maps and locks shared memory
/// through the database's file, never through its WAL).
static WAL_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xClose: Some(wal_close),
    xRead: Some(wal_read),
    xWrite: Some(wal_write),
    xTruncate: Some(wal_truncate),
    xSync: Some(wal_sync),
    xFileSize: Some(wal_file_size),
    xLock: Some(wal_lock),
    xUnlock: Some(wal_unlock),
    xCheckReservedLock: Some(wal_check_reserved_lock),
    xFileControl: Some(wal_file_control),
    xSectorSize: Some(wal_sector_size),
    xDeviceCharacteristics: Some(wal_device_characteristics),
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    xFetch: None,
    xUnfetch: None,
};

/// The inner file and its methods, for the calls that only pass through.
///
/// # Safety
/// `file` must be a [`WalFile`] opened by [`open`] and not yet closed.
unsafe fn inner(
    file: *mut ffi::sqlite3_file,
) -> (*mut ffi::sqlite3_file, &'static ffi::sqlite3_io_methods) {
    // SAFETY: as the caller promises; the default VFS's methods are static.
    unsafe {
        let inner = (*file.cast::<WalFile>()).inner;
        (inner, &*(*inner).pMethods)
    }
}

/// Sends the buffer to the file, then gives the inner file and its methods, for a call that
/// must find the file as SQLite wrote it so far; the write's error if it failed.
///
/// # Safety
/// `file` must be a [`WalFile`] opened by [`open`] and not yet closed.
unsafe fn flushed(
    file: *mut ffi::sqlite3_file,
) -> Result<(*mut ffi::sqlite3_file, &'static ffi::sqlite3_io_methods), c_int> {
    // SAFETY: as the caller promises.
    unsafe {
        match flush(file.cast()) {
            ffi::SQLITE_OK => Ok(inner(file)),
            rc => Err(rc),
        }
    }
}

unsafe extern "C" fn wal_close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite closes a file it opened through `open` once, and uses it no more.
    unsafe {
        let wal = file.cast::<WalFile>();
        let flushed = flush(wal);
        let (inner, methods) = inner(file);
        let closed = (methods.xClose.expect("every VFS file closes"))(inner);
        drop(Box::from_raw((*wal).pending));
        (*wal).base.pMethods = std::ptr::null();
        if flushed != ffi::SQLITE_OK {
            flushed
        } else {
            closed
        }
    }
}

unsafe extern "C" fn wal_read(
    file: *mut ffi::sqlite3_file,
    buffer: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        match flushed(file) {
            Ok((inner, methods)) => {
                (methods.xRead.expect("every VFS file reads"))(inner, buffer, amount, offset)
            }
            Err(rc) => rc,
        }
    }
}

unsafe extern "C" fn wal_write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`, with `amount` bytes at
    // `data`.
    unsafe {
        let wal = file.cast::<WalFile>();
        let Ok(length) = usize::try_from(amount) else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), length);
        let pending = &mut *(*wal).pending;
        if !pending.continues(offset) {
            pending.passed(offset, bytes);
            return match flushed(file) {
                Ok((inner, methods)) => {
                    (methods.xWrite.expect("every VFS file writes"))(inner, data, amount, offset)
                }
                Err(rc) => rc,
            };
        }
        if pending.take(offset, bytes) {
            return flush(wal);
        }
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn wal_truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        match flushed(file) {
            Ok((inner, methods)) => {
                (methods.xTruncate.expect("every VFS file truncates"))(inner, size)
            }
            Err(rc) => rc,
        }
    }
}

unsafe extern "C" fn wal_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        match flushed(file) {
            Ok((inner, methods)) => (methods.xSync.expect("every VFS file syncs"))(inner, flags),
            Err(rc) => rc,
        }
    }
}

unsafe extern "C" fn wal_file_size(
    file: *mut ffi::sqlite3_file,
    size: *mut ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        match flushed(file) {
            Ok((inner, methods)) => {
                (methods.xFileSize.expect("every VFS file has a size"))(inner, size)
            }
            Err(rc) => rc,
        }
    }
}

unsafe extern "C" fn wal_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        let (inner, methods) = inner(file);
        (methods.xLock.expect("every VFS file locks"))(inner, level)
    }
}

unsafe extern "C" fn wal_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        let (inner, methods) = inner(file);
        (methods.xUnlock.expect("every VFS file unlocks"))(inner, level)
    }
}

unsafe extern "C" fn wal_check_reserved_lock(
    file: *mut ffi::sqlite3_file,
    reserved: *mut c_int,
) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        let (inner, methods) = inner(file);
        (methods.xCheckReservedLock.expect("every VFS file locks"))(inner, reserved)
    }
}

unsafe extern "C" fn wal_file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    argument: *mut c_void,
) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        let (inner, methods) = inner(file);
        (methods.xFileControl.expect("every VFS file has controls"))(inner, op, argument)
    }
}

unsafe extern "C" fn wal_sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        let (inner, methods) = inner(file);
        (methods
            .xSectorSize
            .expect("every VFS file has a sector size"))(inner)
    }
}

unsafe extern "C" fn wal_device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite calls the methods of files opened through `open`.
    unsafe {
        let (inner, methods) = inner(file);
        (methods
            .xDeviceCharacteristics
            .expect("every VFS file describes its device"))(inner)
    }
}

// The VFS's other methods pass through to the default VFS, with the default VFS as the one
// they are called on.

unsafe extern "C" fn delete(
    _: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe { ((*default).xDelete.expect("every VFS deletes"))(default, name, sync_dir) }
}

unsafe extern "C" fn access(
    _: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    flags: c_int,
    result: *mut c_int,
) -> c_int {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe { ((*default).xAccess.expect("every VFS checks access"))(default, name, flags, result) }
}

unsafe extern "C" fn full_pathname(
    _: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    size: c_int,
    out: *mut c_char,
) -> c_int {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe { ((*default).xFullPathname.expect("every VFS names paths"))(default, name, size, out) }
}

unsafe extern "C" fn dl_open(_: *mut ffi::sqlite3_vfs, name: *const c_char) -> *mut c_void {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        (*default)
            .xDlOpen
            .map_or(std::ptr::null_mut(), |f| f(default, name))
    }
}

unsafe extern "C" fn dl_error(_: *mut ffi::sqlite3_vfs, size: c_int, message: *mut c_char) {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        if let Some(f) = (*default).xDlError {
            f(default, size, message);
        }
    }
}

type Symbol = unsafe extern "C" fn(*mut ffi::sqlite3_vfs, *mut c_void, *const c_char);

unsafe extern "C" fn dl_sym(
    _: *mut ffi::sqlite3_vfs,
    library: *mut c_void,
    symbol: *const c_char,
) -> Option<Symbol> {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe { (*default).xDlSym.and_then(|f| f(default, library, symbol)) }
}

unsafe extern "C" fn dl_close(_: *mut ffi::sqlite3_vfs, library: *mut c_void) {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        if let Some(f) = (*default).xDlClose {
            f(default, library);
        }
    }
}

unsafe extern "C" fn randomness(_: *mut ffi::sqlite3_vfs, size: c_int, out: *mut c_char) -> c_int {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe { ((*default).xRandomness.expect("every VFS has randomness"))(default, size, out) }
}

unsafe extern "C" fn sleep(_: *mut ffi::sqlite3_vfs, microseconds: c_int) -> c_int {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe { ((*default).xSleep.expect("every VFS sleeps"))(default, microseconds) }
}

unsafe extern "C" fn current_time(_: *mut ffi::sqlite3_vfs, now: *mut f64) -> c_int {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe { ((*default).xCurrentTime.expect("every VFS tells the time"))(default, now) }
}

unsafe extern "C" fn get_last_error(
    _: *mut ffi::sqlite3_vfs,
    size: c_int,
    message: *mut c_char,
) -> c_int {
    let default = default_vfs();
    // SAFETY: forwarded as SQLite called it.
    unsafe {
        (*default)
            .xGetLastError
            .map_or(0, |f| f(default, size, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_header(commit_size: u32) -> Vec<u8> {
        let mut header = vec![0; FRAME_HEADER];
        header[0..4].copy_from_slice(&7u32.to_be_bytes());
        header[4..8].copy_from_slice(&commit_size.to_be_bytes());
        header
    }

    #[test]
    fn a_commit_frame_completes_the_buffer() {
        let mut pending = Pending {
            next_offset: 32,
            ..Pending::default()
        };
        let page = vec![1u8; 4096];
        assert!(pending.continues(32));
        assert!(!pending.take(32, &frame_header(0)));
        assert!(!pending.take(56, &page));
        assert!(!pending.take(4152, &frame_header(120)));
        assert!(pending.continues(4176));
        assert!(
            pending.take(4176, &page),
            "the commit's page sends the buffer out"
        );
        assert_eq!(pending.start, 32);
        assert_eq!(pending.bytes.len(), 2 * (FRAME_HEADER + 4096));
    }

    #[test]
    fn writes_elsewhere_do_not_continue_the_buffer() {
        let mut pending = Pending {
            next_offset: 32,
            ..Pending::default()
        };
        assert!(!pending.take(32, &frame_header(0)));
        assert!(!pending.continues(8), "a rewrite of an earlier frame");
        assert!(!pending.continues(1_000_000), "a gap");
    }

    #[test]
    fn a_commit_header_written_directly_still_ends_the_commit_at_its_page() {
        let mut pending = Pending::default();
        // A WAL that already held frames when it was opened: its first append is elsewhere.
        assert!(!pending.continues(4152));
        pending.passed(4152, &frame_header(120));
        assert!(pending.continues(4176));
        assert!(pending.take(4176, &[0u8; 4096]));
    }

    #[test]
    fn a_commit_header_that_fills_the_buffer_still_ends_the_commit_at_its_page() {
        let mut pending = Pending::default();
        let filler = vec![0u8; BUFFER_LIMIT - 10];
        assert!(!pending.take(0, &filler));
        let header_at = filler.len() as i64;
        assert!(
            pending.take(header_at, &frame_header(120)),
            "the buffer is full"
        );
        pending.sent();
        assert!(
            pending.take(header_at + 24, &[0u8; 4096]),
            "the commit's page sends the buffer out"
        );
    }

    #[test]
    fn a_flush_goes_out_in_pieces_the_default_vfs_writes_whole() {
        let bytes: Vec<u8> = (0..300_000u32).map(|i| i as u8).collect();
        let pieces: Vec<(i64, &[u8])> = chunks(32, &bytes).collect();
        assert_eq!(pieces.len(), 3);
        let mut expected = 32;
        let mut joined = Vec::new();
        for (offset, piece) in &pieces {
            assert_eq!(*offset, expected, "the pieces follow each other");
            assert!(piece.len() <= WRITE_LIMIT);
            expected += piece.len() as i64;
            joined.extend_from_slice(piece);
        }
        assert_eq!(joined, bytes);
        assert_eq!((pieces[0].0 + pieces[0].1.len() as i64) % 4096, 0);
        assert_eq!(chunks(0, &[]).count(), 0);
    }

    #[test]
    fn a_large_transaction_goes_out_before_its_commit() {
        let mut pending = Pending::default();
        let page = vec![0u8; 4096];
        let mut offset = 0;
        let mut sent = false;
        while !sent {
            sent = pending.take(offset, &frame_header(0)) || pending.take(offset + 24, &page);
            offset += 4120;
        }
        assert!(pending.bytes.len() >= BUFFER_LIMIT);
    }

    fn count(conn: &rusqlite::Connection) -> (i64, i64) {
        conn.query_row(
            "SELECT count(*), coalesce(sum(length(v)), 0) FROM t",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
    }

    /// Other connections read the WAL through the default VFS: each commit must be in the
    /// file by the time it is theirs to see, whatever its size, and after the WAL starts over.
    #[test]
    fn other_connections_see_every_commit_whole() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("wal.db");
        assert!(register());
        let writer = rusqlite::Connection::open_with_flags_and_vfs(
            &path,
            rusqlite::OpenFlags::default(),
            NAME,
        )
        .unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB);",
            )
            .unwrap();
        let reader = rusqlite::Connection::open(&path).unwrap();
        let mut rows = 0;
        for round in 0..40 {
            // Some commits pass the buffer's limit; most are a few frames.
            let added = if round % 10 == 9 {
                2_000
            } else {
                1 + round * 3
            };
            writer
                .execute_batch(&format!(
                    "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                     WHERE i < {added}) INSERT INTO t (v) SELECT randomblob(900) FROM n; COMMIT;"
                ))
                .unwrap();
            rows += added;
            assert_eq!(count(&reader), (rows, rows * 900), "after commit {round}");
            if round % 13 == 12 {
                reader
                    .execute_batch("PRAGMA wal_checkpoint(RESTART);")
                    .unwrap();
            }
        }
        // A transaction that spills frames to the WAL and then rolls back leaves nothing.
        writer
            .execute_batch(
                "PRAGMA cache_size = 10; BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL \
                 SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO t (v) SELECT randomblob(900) \
                 FROM n; ROLLBACK;",
            )
            .unwrap();
        assert_eq!(count(&reader), (rows, rows * 900));
        drop(writer);
        drop(reader);
        let reopened = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(count(&reopened), (rows, rows * 900));
        let check: String = reopened
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}
