//! Listing, reading, creating, updating and deleting records of every kind, with access rights,
//! hidden fields, optimistic concurrency and the audit trail.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, Placement, RecordKind, RowFilter, allows};
use peyvand_domain::record::{self, FieldType, Fields, Input, Schema, Value};
use peyvand_domain::text::normalize_search;
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{ExtraColumn, ListQuery, RELEVANCE, RecordRow, SortKey, Tx};
use serde_json::{Map, Value as Json, json};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::json::{value_from_json, value_to_json};
use crate::org::{filter_for, load_org, org_for};
use crate::writes::delete_in;
pub(crate) use crate::writes::{audit, create_in, create_prepared_in, diff, update_in};

/// Lists count their records up to this many; a count above it means "more than this". A
/// thousand is enough to tell a user how much work a list holds, and counting stops early: at
/// 10,000 the count was most of the cost of an agent's queue page at a million cases
/// (bench/queue.sh).
pub const COUNT_CAP: u64 = 1_000;
/// Largest page a list returns.
pub const MAX_PAGE: u64 = 200;
/// Page size when none is asked for.
pub const DEFAULT_PAGE: u64 = 50;

/// What a list should show.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    /// Free-text search.
    pub q: Option<String>,
    /// Field filters: every named field must equal the value (raw input, validated like a form).
    pub filters: BTreeMap<String, String>,
    /// Only records carrying this tag.
    pub tag: Option<String>,
    /// Sort field; a leading `-` sorts largest first.
    pub sort: Option<String>,
    /// Opaque position from a previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u64>,
}

/// A record as its viewer may see it: hidden fields are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView {
    /// Kind of record.
    pub kind: RecordKind,
    /// Id.
    pub id: Uuid,
    /// Version to name when updating.
    pub version: i64,
    /// Display title.
    pub title: String,
    /// Visible fields.
    pub fields: Fields,
    /// Owner and branch, for display and checks.
    pub placement: Placement,
}

impl RecordView {
    /// The API's JSON form: id, version and every visible field.
    pub fn to_json(&self) -> Json {
        let mut object = Map::new();
        object.insert("id".into(), json!(self.id));
        object.insert("version".into(), json!(self.version));
        for (name, value) in &self.fields {
            object.insert(name.to_string(), value_to_json(value));
        }
        Json::Object(object)
    }

    /// A borrowed view that serialises as the API's JSON object, without building it first
    /// (lists write thousands of fields a second; an intermediate map per record was the main cost).
    pub fn as_json(&self) -> RecordJson<'_> {
        RecordJson(self)
    }

    /// A field's value, Null when absent or hidden.
    pub fn get(&self, name: &str) -> &Value {
        self.fields.get(name).unwrap_or(&Value::Null)
    }
}

/// A record as the API's JSON object; see [`RecordView::as_json`].
pub struct RecordJson<'a>(&'a RecordView);

impl serde::Serialize for RecordJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let view = self.0;
        let mut map = serializer.serialize_map(Some(view.fields.len() + 2))?;
        map.serialize_entry("id", &view.id)?;
        map.serialize_entry("version", &view.version)?;
        for (name, value) in &view.fields {
            map.serialize_entry(name, &crate::json::JsonValue(value))?;
        }
        map.end()
    }
}

/// One page of a list: of whole records ([`App::list`]) or of some of their fields
/// ([`App::list_fields`]).
#[derive(Debug, Clone)]
pub struct Page<T = RecordView> {
    /// The records.
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
    /// Whether the records are in order of relevance to the search rather than by a field.
    pub by_relevance: bool,
}

/// A listed record with only some of its fields: those a list shows (see [`App::list_fields`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedRecord {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields read, less those hidden from the viewer.
    pub fields: Fields,
}

impl<T> Page<T> {
    /// The same page with each item made into another.
    fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            by_relevance: self.by_relevance,
        }
    }
}

impl ListedRecord {
    /// A field's value, Null when absent, hidden or not read.
    pub fn get(&self, name: &str) -> &Value {
        self.fields.get(name).unwrap_or(&Value::Null)
    }
}

pub(crate) fn view(session: &Session, schema: &'static Schema, row: RecordRow) -> RecordView {
    let placement = record::placement(schema, row.id, &row.fields);
    let title = record::title(schema, &row.fields);
    RecordView {
        kind: schema.kind,
        id: row.id,
        version: row.version,
        title,
        fields: visible(session, schema, row.fields),
        placement,
    }
}

/// `fields` less those hidden from the session's user.
fn visible(session: &Session, schema: &Schema, fields: Fields) -> Fields {
    if session.actor.grants.hidden_fields(schema.kind).is_empty() {
        fields
    } else {
        fields
            .into_iter()
            .filter(|(name, _)| !session.actor.grants.is_hidden(schema.kind, name))
            .collect()
    }
}

/// Rejects any use of fields the actor may not see, as if they did not exist.
pub(crate) fn reject_hidden<'a>(
    session: &Session,
    kind: RecordKind,
    names: impl Iterator<Item = &'a String>,
) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    for name in names {
        if session.actor.grants.is_hidden(kind, name) {
            errors.add(name.clone(), FieldError::UNKNOWN_FIELD);
        }
    }
    errors.into_result().map_err(AppError::Validation)
}

fn encode_cursor(sort: &SortKey, value: &Value, id: Uuid) -> String {
    let payload = json!([sort.field, sort.descending, value_to_json(value), id]);
    URL_SAFE_NO_PAD.encode(payload.to_string())
}

fn decode_cursor(schema: &Schema, sort: &SortKey, cursor: &str) -> AppResult<(Value, Uuid)> {
    let bad = AppError::BadRequest("cursor");
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| AppError::BadRequest("cursor"))?;
    let payload: Json =
        serde_json::from_slice(&bytes).map_err(|_| AppError::BadRequest("cursor"))?;
    let parts = payload
        .as_array()
        .filter(|p| p.len() == 4)
        .ok_or(AppError::BadRequest("cursor"))?;
    if parts[0].as_str() != Some(sort.field.as_str()) || parts[1].as_bool() != Some(sort.descending)
    {
        return Err(bad);
    }
    let id = parts[3]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or(AppError::BadRequest("cursor"))?;
    let value = if sort.field == "id" {
        Value::Null
    } else if sort.field == RELEVANCE {
        Value::Int(parts[2].as_i64().filter(|n| *n >= 0).ok_or(bad)?)
    } else {
        let ty = schema.field(&sort.field).map_or(FieldType::Text, |f| f.ty);
        value_from_json(&parts[2], ty).ok_or(bad)?
    };
    Ok((value, id))
}

fn parse_sort(session: &Session, schema: &Schema, sort: Option<&str>) -> AppResult<SortKey> {
    let raw = sort.unwrap_or(schema.default_sort);
    let (field, descending) = match raw.strip_prefix('-') {
        Some(field) => (field, true),
        None => (raw, false),
    };
    if !schema.is_sortable(field) || session.actor.grants.is_hidden(schema.kind, field) {
        return Err(AppError::field("sort", FieldError::INVALID));
    }
    Ok(SortKey {
        field: field.to_owned(),
        descending,
    })
}

/// Filters are validated like form input so that "0912…" finds "+98912…" and choices are checked.
fn parse_filters(
    session: &Session,
    schema: &Schema,
    filters: &BTreeMap<String, String>,
) -> AppResult<Vec<(String, Value)>> {
    reject_hidden(session, schema.kind, filters.keys())?;
    let mut out = Vec::new();
    let mut errors = ValidationErrors::new();
    for (name, raw) in filters {
        let Some(def) = schema.field(name) else {
            errors.add(name.clone(), FieldError::UNKNOWN_FIELD);
            continue;
        };
        if raw.trim().is_empty()
            || matches!(
                def.ty,
                FieldType::Tags | FieldType::LongText | FieldType::Timestamp
            )
        {
            if !raw.trim().is_empty() {
                errors.add(name.clone(), FieldError::INVALID);
            }
            continue;
        }
        // System fields (such as converted_account_id) can be filtered on although not written.
        match record::parse_field(def, &Input::Text(raw.clone()), CalendarKind::Gregorian) {
            Ok(value) => out.push((name.clone(), value)),
            Err(error) => errors.add(name.clone(), error),
        }
    }
    errors.into_result().map_err(AppError::Validation)?;
    Ok(out)
}

/// Whether a record matches every search word on the fields its viewer can see, by the same
/// rule as the database's index. Used only when the viewer has hidden searchable fields, so that
/// a search cannot reveal a hidden value.
fn matches_visible(session: &Session, schema: &Schema, fields: &Fields, words: &[String]) -> bool {
    let seen: Fields = fields
        .iter()
        .filter(|(name, _)| !session.actor.grants.is_hidden(schema.kind, name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    peyvand_store::matches_words(&record::search_text(schema, &seen), words)
}

/// A list request parsed and checked against the schema and the user's rights: what
/// [`App::list`] and [`App::list_cached`] share.
struct PreparedList {
    access: RowFilter,
    /// Page size.
    limit: u64,
    /// Normalised search words.
    words: Vec<String>,
    by_relevance: bool,
    sort: SortKey,
    after: Option<(Value, Uuid)>,
    equals: Vec<(String, Value)>,
    tag: Option<String>,
}

impl PreparedList {
    /// The store's query for a page and one row more (which tells whether more follow).
    fn query<'a>(&'a self, schema: &'a Schema) -> ListQuery<'a> {
        ListQuery {
            schema,
            access: &self.access,
            equals: self.equals.clone(),
            tag: self.tag.clone(),
            search: self.words.clone(),
            ids: None,
            sort: self.sort.clone(),
            after: self.after.clone(),
            limit: self.limit + 1,
        }
    }
}

async fn prepare_list(
    tx: &mut Tx,
    session: &Session,
    schema: &'static Schema,
    params: &ListParams,
    action: Action,
) -> AppResult<PreparedList> {
    let access = filter_for(tx, session, schema.kind, action).await?;
    if access == RowFilter::Nothing {
        return Err(AppError::Forbidden);
    }
    let limit = params.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let words: Vec<String> = params
        .q
        .as_deref()
        .map(|q| {
            normalize_search(q)
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    // A search without a chosen sort shows the best matches first. Exports keep a field
    // order, because relevance ranks only a window of the matches (see peyvand_store).
    let by_relevance = params.sort.as_deref().is_none_or(str::is_empty)
        && action == Action::Read
        && words
            .iter()
            .any(|w| peyvand_store::search_tokens(w).next().is_some());
    let sort = if by_relevance {
        SortKey {
            field: RELEVANCE.to_owned(),
            descending: false,
        }
    } else {
        parse_sort(
            session,
            schema,
            params.sort.as_deref().filter(|s| !s.is_empty()),
        )?
    };
    let after = match params.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Some(decode_cursor(schema, &sort, cursor)?),
        None => None,
    };
    let equals = parse_filters(session, schema, &params.filters)?;
    Ok(PreparedList {
        access,
        limit,
        words,
        by_relevance,
        sort,
        after,
        equals,
        tag: params
            .tag
            .clone()
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.trim().to_owned()),
    })
}

/// The columns a page of [`App::list_fields`] reads: the fields asked for, the one sorted by
/// (the next page's cursor holds its value) and, when a search must be checked against the
/// fields the viewer can see, the searchable ones.
fn columns_to_read(
    schema: &'static Schema,
    names: &[&'static str],
    sort: &SortKey,
    check_search: bool,
) -> Vec<&'static str> {
    let mut columns = names.to_vec();
    columns.extend(schema.field(&sort.field).map(|f| f.name));
    if check_search {
        columns.extend(
            schema
                .fields
                .iter()
                .filter(|f| f.searchable)
                .map(|f| f.name),
        );
    }
    // In name order, as whole rows are read: the field maps are then built without sorting.
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// An item of a page listed by [`App::list_cached`].
#[derive(Debug, Clone)]
pub enum CachedItem<T> {
    /// What the caller's cache holds for the record's (id, version).
    Cached(T),
    /// The record, read whole because the cache did not know it.
    Read(RecordView),
}

/// One page of a list from [`App::list_cached`].
#[derive(Debug, Clone)]
pub struct CachedPage<T> {
    /// The records, in the list's order.
    pub items: Vec<CachedItem<T>>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
    /// Whether the records are in order of relevance to the search rather than by a field.
    pub by_relevance: bool,
}

impl App {
    /// One page of records the signed-in user may read.
    pub async fn list(
        &self,
        session: &Session,
        kind: RecordKind,
        params: &ListParams,
    ) -> AppResult<Page> {
        self.list_for(session, kind, params, Action::Read).await
    }

    /// One page of a list that the signed-in user exports: the records they may export, in
    /// field order (never by relevance, which ranks only a window of the matches). Pass the
    /// page's `next_cursor` back as `params.cursor` for the next one.
    pub async fn export_page(
        &self,
        session: &Session,
        kind: RecordKind,
        params: &ListParams,
    ) -> AppResult<Page> {
        let params = ListParams {
            limit: Some(MAX_PAGE),
            ..params.clone()
        };
        self.list_for(session, kind, &params, Action::Export).await
    }

    async fn list_for(
        &self,
        session: &Session,
        kind: RecordKind,
        params: &ListParams,
        action: Action,
    ) -> AppResult<Page> {
        let schema = session.schema(kind);
        let page = self
            .list_rows(session, schema, params, action, None)
            .await?;
        Ok(page.map(|row| view(session, schema, row)))
    }

    /// One page of records the signed-in user may read, like [`App::list`], each with only the
    /// fields named (those of them the user may see) rather than whole: what a list page
    /// shows. Reading and decoding every column of fifty cases cost a list page more than
    /// the few columns it shows. A record may hold other fields too (the one sorted by, and
    /// when needed those a search is checked on), but none hidden from the user.
    pub async fn list_fields(
        &self,
        session: &Session,
        kind: RecordKind,
        params: &ListParams,
        names: &[&str],
    ) -> AppResult<Page<ListedRecord>> {
        let schema = session.schema(kind);
        let names: Vec<&'static str> = names
            .iter()
            .filter_map(|name| schema.field(name).map(|f| f.name))
            .collect();
        let page = self
            .list_rows(session, schema, params, Action::Read, Some(&names))
            .await?;
        Ok(page.map(|row| ListedRecord {
            id: row.id,
            version: row.version,
            fields: visible(session, schema, row.fields),
        }))
    }

    /// The rows of one page as the store gives them (hidden fields still in): whole, or with
    /// `names` only the columns named and those the page itself needs.
    async fn list_rows(
        &self,
        session: &Session,
        schema: &'static Schema,
        params: &ListParams,
        action: Action,
        names: Option<&[&'static str]>,
    ) -> AppResult<Page<RecordRow>> {
        let kind = schema.kind;
        let mut tx = self.store.read().await?;
        let prepared = prepare_list(&mut tx, session, schema, params, action).await?;
        let (limit, by_relevance) = (prepared.limit, prepared.by_relevance);
        let (sort, words) = (&prepared.sort, &prepared.words);
        let hides_searchable = schema
            .fields
            .iter()
            .any(|f| f.searchable && session.actor.grants.is_hidden(kind, f.name));
        let check_search = hides_searchable && !words.is_empty();
        let columns = names.map(|names| columns_to_read(schema, names, sort, check_search));
        let mut query = prepared.query(schema);
        let mut items = Vec::new();
        loop {
            let rows = match &columns {
                None => tx.list_records(&query).await?,
                Some(columns) => tx.list_record_fields(&query, columns).await?,
            };
            // One row more than a page was asked for: its presence says whether more follow.
            let more_in_database = rows.len() as u64 > limit;
            let batch = rows.len().min(limit as usize);
            let mut consumed = 0;
            let mut last = None;
            let shown_before = match &query.after {
                Some((Value::Int(shown), _)) if by_relevance => *shown,
                _ => 0,
            };
            for row in rows.into_iter().take(batch) {
                consumed += 1;
                let key = if by_relevance {
                    // A relevance page is a position in the ranking, not a keyset.
                    Value::Int(shown_before + consumed as i64)
                } else if sort.field == "id" {
                    Value::Null
                } else {
                    row.fields
                        .get(sort.field.as_str())
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                last = Some((key, row.id));
                if !check_search || matches_visible(session, schema, &row.fields, words) {
                    items.push(row);
                }
                if items.len() as u64 == limit {
                    break;
                }
            }
            let more = more_in_database || consumed < batch;
            if items.len() as u64 == limit || !more {
                let next_cursor = match (&last, more) {
                    (Some((value, id)), true) => Some(encode_cursor(sort, value, *id)),
                    _ => None,
                };
                return Ok(Page {
                    items,
                    next_cursor,
                    by_relevance,
                });
            }
            query.after = last;
        }
    }

    /// One page of records the signed-in user may read, like [`App::list`], for a caller that
    /// keeps what it made of records by (id, version): `cached` is asked first, and only the
    /// records it does not know are read whole. A viewer with hidden fields always gets whole
    /// records, filtered for them, since no cache by (id, version) holds their view.
    pub async fn list_cached<T>(
        &self,
        session: &Session,
        kind: RecordKind,
        params: &ListParams,
        cached: impl Fn(Uuid, i64) -> Option<T>,
    ) -> AppResult<CachedPage<T>> {
        if !session.actor.grants.hidden_fields(kind).is_empty() {
            let page = self.list(session, kind, params).await?;
            return Ok(CachedPage {
                items: page.items.into_iter().map(CachedItem::Read).collect(),
                next_cursor: page.next_cursor,
                by_relevance: page.by_relevance,
            });
        }
        let schema = session.schema(kind);
        let mut tx = self.store.read().await?;
        let prepared = prepare_list(&mut tx, session, schema, params, Action::Read).await?;
        let query = prepared.query(schema);
        let mut keys = tx.list_record_keys(&query).await?;
        // One key more than a page was asked for: its presence says whether more follow.
        let more = keys.len() as u64 > prepared.limit;
        keys.truncate(usize::try_from(prepared.limit).unwrap_or(usize::MAX));
        let next_cursor = match keys.last() {
            Some(last) if more => {
                let position = if prepared.by_relevance {
                    // A relevance page is a position in the ranking, not a keyset.
                    let shown_before = match &query.after {
                        Some((Value::Int(shown), _)) => *shown,
                        _ => 0,
                    };
                    Value::Int(shown_before + keys.len() as i64)
                } else {
                    last.sort_value.clone()
                };
                Some(encode_cursor(&prepared.sort, &position, last.id))
            }
            _ => None,
        };
        let mut items: Vec<Option<CachedItem<T>>> = keys
            .iter()
            .map(|key| cached(key.id, key.version).map(CachedItem::Cached))
            .collect();
        let missing: Vec<Uuid> = keys
            .iter()
            .zip(&items)
            .filter(|(_, item)| item.is_none())
            .map(|(key, _)| key.id)
            .collect();
        if !missing.is_empty() {
            // The access filter again: a record changed since its key was read is shown only
            // if its new state may still be read.
            let rows = tx
                .records_by_ids(schema, Some(&prepared.access), &missing)
                .await?;
            let mut rows: HashMap<Uuid, RecordRow> = rows.into_iter().map(|r| (r.id, r)).collect();
            for (key, item) in keys.iter().zip(items.iter_mut()) {
                if item.is_none() {
                    *item = rows
                        .remove(&key.id)
                        .map(|row| CachedItem::Read(view(session, schema, row)));
                }
            }
        }
        Ok(CachedPage {
            items: items.into_iter().flatten().collect(),
            next_cursor,
            by_relevance: prepared.by_relevance,
        })
    }

    /// How many records a list would show in all (for page headers), counted up to
    /// [`COUNT_CAP`] + 1: more than [`COUNT_CAP`] means "more than that many".
    pub async fn count(
        &self,
        session: &Session,
        kind: RecordKind,
        params: &ListParams,
    ) -> AppResult<i64> {
        let schema = session.schema(kind);
        let mut tx = self.store.read().await?;
        let access = filter_for(&mut tx, session, kind, Action::Read).await?;
        if access == RowFilter::Nothing {
            return Err(AppError::Forbidden);
        }
        let query = ListQuery {
            schema,
            access: &access,
            equals: parse_filters(session, schema, &params.filters)?,
            tag: params.tag.clone().filter(|t| !t.trim().is_empty()),
            search: params
                .q
                .as_deref()
                .map(|q| {
                    normalize_search(q)
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            ids: None,
            sort: SortKey {
                field: "id".into(),
                descending: false,
            },
            after: None,
            limit: COUNT_CAP + 1,
        };
        Ok(tx.count_records(&query).await?)
    }

    /// One record, if the signed-in user may read it (otherwise "not found").
    pub async fn get(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<RecordView> {
        let mut tx = self.store.read().await?;
        let (_, view) = read_checked(&mut tx, session, kind, id, Action::Read).await?;
        Ok(view)
    }

    /// Display titles of records the user may read, for showing references by name.
    pub async fn titles(
        &self,
        session: &Session,
        kind: RecordKind,
        ids: &[Uuid],
    ) -> AppResult<BTreeMap<Uuid, String>> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let schema = session.schema(kind);
        let mut tx = self.store.read().await?;
        let access = filter_for(&mut tx, session, kind, Action::Read).await?;
        let query = ListQuery {
            schema,
            access: &access,
            equals: vec![],
            tag: None,
            search: vec![],
            ids: Some(ids.to_vec()),
            sort: SortKey {
                field: "id".into(),
                descending: false,
            },
            after: None,
            limit: ids.len() as u64,
        };
        // Only the title's fields are read: pages name many records by title.
        let rows = tx.list_record_fields(&query, schema.title_fields).await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.id, record::title(schema, &r.fields)))
            .collect())
    }

    /// The ids and titles of the first `limit` records of `kind` the user may read, in the
    /// list's default order (choices of select boxes). Only the title's fields are read, so
    /// that a list page offering several such boxes does not decode hundreds of whole rows.
    pub async fn record_choices(
        &self,
        session: &Session,
        kind: RecordKind,
        limit: u64,
    ) -> AppResult<Vec<(Uuid, String)>> {
        let schema = session.schema(kind);
        let mut tx = self.store.read().await?;
        let params = ListParams {
            limit: Some(limit),
            ..ListParams::default()
        };
        let prepared = prepare_list(&mut tx, session, schema, &params, Action::Read).await?;
        let query = ListQuery {
            limit: prepared.limit,
            ..prepared.query(schema)
        };
        let rows = tx.list_record_fields(&query, schema.title_fields).await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.id, record::title(schema, &r.fields)))
            .collect())
    }

    /// Creates a record from raw input. Dates are read in `calendar`.
    pub async fn create(
        &self,
        session: &Arc<Session>,
        kind: RecordKind,
        inputs: &BTreeMap<String, Input>,
        calendar: CalendarKind,
    ) -> AppResult<RecordView> {
        self.create_with(session, kind, inputs, calendar, &[]).await
    }

    pub(crate) async fn create_with(
        &self,
        session: &Arc<Session>,
        kind: RecordKind,
        inputs: &BTreeMap<String, Input>,
        calendar: CalendarKind,
        extra: &[ExtraColumn],
    ) -> AppResult<RecordView> {
        // Checked and computed here rather than on the writer thread, whose time every write
        // waits for (`PreparedCreate`); shared, not copied, by each run of the job, and the
        // last copy freed here once the job is done (the caller holds the session).
        let prepared = Arc::new(crate::writes::prepare_create(
            session, kind, inputs, calendar,
        )?);
        let (now, session_shared, extra) = (
            self.now(),
            session.clone(),
            Arc::<[ExtraColumn]>::from(extra),
        );
        let kept = prepared.clone();
        let created = self
            .write_repeatable(move |tx| {
                Box::pin(async move {
                    create_prepared_in(tx, now, &session_shared, &prepared, &extra).await
                })
            })
            .await;
        drop(kept);
        let view = created?.view(session);
        self.sessions_changed(Some(kind));
        Ok(view)
    }

    /// Changes a record if it is still at `version` (else [`AppError::VersionConflict`]).
    pub async fn update(
        &self,
        session: &Arc<Session>,
        kind: RecordKind,
        id: Uuid,
        version: i64,
        inputs: &BTreeMap<String, Input>,
        calendar: CalendarKind,
    ) -> AppResult<RecordView> {
        // Shared by each run on the writer thread and freed here (see `create_with`).
        let (now, session, inputs) = (self.now(), session.clone(), Arc::new(inputs.clone()));
        let kept = inputs.clone();
        let view = self
            .write_repeatable(move |tx| {
                Box::pin(async move {
                    update_in(tx, now, &session, kind, id, version, &inputs, calendar, &[]).await
                })
            })
            .await;
        drop(kept);
        let view = view?;
        self.sessions_changed(Some(kind));
        Ok(view)
    }

    /// Deletes a record with its notes and relationships; the audit trail keeps its last values.
    pub async fn delete(&self, session: &Session, kind: RecordKind, id: Uuid) -> AppResult<()> {
        let (now, session) = (self.now(), session.clone());
        self.write_repeatable(move |tx| {
            Box::pin(async move { delete_in(tx, now, &session, kind, id).await })
        })
        .await?;
        self.sessions_changed(Some(kind));
        Ok(())
    }
}

/// Loads a record and checks the actor may do `action` on it; records outside the read scope
/// are "not found" so that their existence does not leak.
/// The fields `session` may write on records of `schema`: writable and not hidden from them
/// (the fields of forms, and the fields an import column may fill).
pub fn editable_fields<'a>(
    session: &'a Session,
    schema: &'static Schema,
) -> impl Iterator<Item = &'static peyvand_domain::record::FieldDef> + 'a {
    schema
        .fields
        .iter()
        .filter(move |f| f.writable && !session.actor.grants.is_hidden(schema.kind, f.name))
}

pub(crate) async fn read_checked(
    tx: &mut Tx,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
    action: Action,
) -> AppResult<(RecordRow, RecordView)> {
    let schema = session.schema(kind);
    let row = tx.get_record(schema, id).await?.ok_or(AppError::NotFound)?;
    let placement = record::placement(schema, id, &row.fields);
    let org = org_for(tx, session, kind, Action::Read).await?;
    if !allows(&session.actor, kind, Action::Read, placement, &org) {
        return Err(AppError::NotFound);
    }
    if action != Action::Read {
        let org = org_for(tx, session, kind, action).await?;
        if !allows(&session.actor, kind, action, placement, &org) {
            return Err(AppError::Forbidden);
        }
    }
    let view = view(session, schema, row.clone());
    Ok((row, view))
}

/// Loads the org chart (re-exported for admin rules).
pub(crate) async fn org(tx: &mut Tx) -> AppResult<peyvand_domain::permission::OrgChart> {
    load_org(tx).await
}
