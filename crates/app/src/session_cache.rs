//! A short-lived cache of signed-in sessions by the hash of their secret.
//!
//! Every API call and page would otherwise read the token or session, the user and the role
//! before doing its work — more than the work itself for a simple read. Entries live for
//! [`TTL`] and all of them are dropped at once whenever this process changes anything that a
//! session is made of (users, roles, teams, branches, tokens, sessions), so a disabled user or a
//! revoked token stops working at once here. Other processes sharing a PostgreSQL database
//! notice such changes within [`TTL`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::auth::Session;

/// How long a cached session is trusted without looking at the database again.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries kept at most; past that the cache starts over (it refills on demand).
const MAX_ENTRIES: usize = 10_000;

struct Entry {
    session: Arc<Session>,
    cached_at: Instant,
    generation: u64,
    expires_at: Option<OffsetDateTime>,
}

/// The cache; one per application.
#[derive(Default)]
pub struct SessionCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl SessionCache {
    /// The cached session for a secret hash, if still valid at `now`.
    pub fn get(&self, key: &str, now: OffsetDateTime) -> Option<Arc<Session>> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        let fresh = entry.generation == generation
            && entry.cached_at.elapsed() < TTL
            && entry.expires_at.is_none_or(|at| at > now);
        fresh.then(|| entry.session.clone())
    }

    /// Remembers a session read from the database.
    pub fn put(&self, key: String, session: Arc<Session>, expires_at: Option<OffsetDateTime>) {
        let generation = self.generation.load(Ordering::Acquire);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                session,
                cached_at: Instant::now(),
                generation,
                expires_at,
            },
        );
    }

    /// Forgets every cached session (something they are made of changed).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
