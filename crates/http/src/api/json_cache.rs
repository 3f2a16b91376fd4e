//! The serialised JSON of records, by kind, id and version.
//!
//! Every change to a record increments its version, so the JSON of one (kind, id, version) never
//! changes: a cached text can be reused without any invalidation, by this process or alongside
//! other processes sharing a PostgreSQL database. Lists write the same records over and over;
//! serialising them (Persian text escaping included) was a quarter of the time of serving a
//! page. Only records shown in full are cached: a viewer with hidden fields gets them
//! serialised afresh. The key also holds the generation of the schemas the record was read
//! with, since adding, renaming or deleting a custom field changes a record's JSON without
//! changing its version.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use peyvand_app::RecordView;
use peyvand_domain::permission::RecordKind;
use uuid::Uuid;

/// Entries kept at most; past that the cache starts over (old versions simply age out).
const MAX_ENTRIES: usize = 50_000;

type Key = (u64, RecordKind, Uuid, i64);

/// The cache; one per server.
#[derive(Default)]
pub struct JsonCache {
    entries: Mutex<HashMap<Key, Arc<str>>>,
}

impl JsonCache {
    /// The JSON object of a record shown in full, if the cache holds it: lists ask first and
    /// read whole only the records it does not hold (`App::list_cached`).
    pub fn get(
        &self,
        generation: u64,
        kind: RecordKind,
        id: Uuid,
        version: i64,
    ) -> Option<Arc<str>> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(generation, kind, id, version))
            .cloned()
    }

    /// The JSON object of a record shown in full, read with schemas of `generation`.
    pub fn full_record(&self, generation: u64, view: &RecordView) -> Arc<str> {
        let key = (generation, view.kind, view.id, view.version);
        if let Some(json) = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return json.clone();
        }
        let json: Arc<str> = serde_json::to_string(&view.as_json())
            .unwrap_or_default()
            .into();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, json.clone());
        json
    }
}
