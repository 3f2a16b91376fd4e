//! Possible duplicates (PRODUCT.md §2, issue 3): the existing records a new one looks like,
//! and the report of groups of duplicates over existing data.
//!
//! Both work from the store's `match_keys` table (see `match_keys.rs`): candidates are the
//! records sharing a block key, found by indexed lookups, and each candidate is then compared
//! with `domain::duplicate::compare`. Only records the actor may read are candidates, and the
//! comparison uses only the fields the actor may see, so a hidden email or phone never reveals
//! a match (a hidden field may make two records candidates, but never a reported pair).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::duplicate::{MatchKeys, MatchReasons, block_keys, compare, group_duplicates};
use peyvand_domain::permission::{Action, RecordKind, RowFilter};
use peyvand_domain::record::{self, Fields, Input, Schema};
use peyvand_store::{ListQuery, RecordRow, SortKey, Tx};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::match_keys::{MatchFields, kind_number, stored};
use crate::org::filter_for;
use crate::records::reject_hidden;

/// Blocks shared by more records than this are not used: a very common name (or a company
/// switchboard shared by hundreds of contacts) says little and would cost a lot.
pub const MAX_BLOCK: usize = 50;

/// An existing record that looks like the same customer.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateCandidate {
    /// Its id.
    pub id: Uuid,
    /// Its display title.
    pub title: String,
    /// What it has in common with the record checked.
    pub reasons: MatchReasons,
}

/// The reasons as the API names them: `email`, `phone`, `name`.
pub fn reason_codes(reasons: &MatchReasons) -> Vec<&'static str> {
    [
        (reasons.email, "email"),
        (reasons.phone, "phone"),
        (reasons.name, "name"),
    ]
    .into_iter()
    .filter_map(|(on, code)| on.then_some(code))
    .collect()
}

/// Reads the records among `ids` that the actor may read (any order).
async fn readable(
    tx: &mut Tx,
    schema: &'static Schema,
    access: &RowFilter,
    ids: Vec<Uuid>,
) -> AppResult<Vec<RecordRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            tx.list_records(&ListQuery {
                schema,
                access,
                equals: vec![],
                tag: None,
                search: vec![],
                ids: Some(chunk.to_vec()),
                sort: SortKey {
                    field: "id".into(),
                    descending: false,
                },
                after: None,
                limit: chunk.len() as u64,
            })
            .await?,
        );
    }
    Ok(rows)
}

/// The match keys of a record as `session` may see it.
fn visible_keys(
    session: &Session,
    fields: &MatchFields,
    kind: RecordKind,
    row: &Fields,
) -> MatchKeys {
    fields.keys(row, |name| session.actor.grants.is_hidden(kind, name))
}

/// The customer schema and matched fields of `kind`, or "not found".
fn matched(session: &Session, kind: RecordKind) -> AppResult<(&'static Schema, MatchFields, i64)> {
    let schema = session.schema(kind);
    match (MatchFields::of(schema), kind_number(kind)) {
        (Some(fields), Some(number)) => Ok((schema, fields, number)),
        _ => Err(AppError::NotFound),
    }
}

/// The readable access filter of `kind`, or "forbidden" when the actor may read none.
async fn read_access(tx: &mut Tx, session: &Session, kind: RecordKind) -> AppResult<RowFilter> {
    let access = filter_for(tx, session, kind, Action::Read).await?;
    if access == RowFilter::Nothing {
        return Err(AppError::Forbidden);
    }
    Ok(access)
}

impl App {
    /// The existing records of `kind` the signed-in user may read that look like the record
    /// `inputs` would create (raw input as for [`App::create`]; missing required fields are
    /// not an error here, invalid values are). Strong matches (email, phone) come first.
    pub async fn possible_duplicates(
        &self,
        session: &Session,
        kind: RecordKind,
        inputs: &BTreeMap<String, Input>,
        calendar: CalendarKind,
    ) -> AppResult<Vec<DuplicateCandidate>> {
        let (schema, _, _) = matched(session, kind)?;
        reject_hidden(session, kind, inputs.keys())?;
        let fields =
            record::validate(schema, inputs, true, calendar).map_err(AppError::Validation)?;
        self.possible_duplicates_of(session, kind, &fields, None)
            .await
    }

    /// The existing records of `kind` the signed-in user may read that look like a record with
    /// these validated `fields`, leaving out `except` (the record itself, when it exists).
    /// For callers that have validated fields already (imports).
    pub async fn possible_duplicates_of(
        &self,
        session: &Session,
        kind: RecordKind,
        fields: &Fields,
        except: Option<Uuid>,
    ) -> AppResult<Vec<DuplicateCandidate>> {
        let (schema, matched_fields, number) = matched(session, kind)?;
        let mine = visible_keys(session, &matched_fields, kind, fields);
        let mut tx = self.store.read().await?;
        let access = read_access(&mut tx, session, kind).await?;
        // Email and phone keys are looked up whatever their block size (up to a bound); name
        // keys only when the name is not too common to mean anything.
        let strong = MatchKeys {
            name: Default::default(),
            ..mine.clone()
        };
        let names = MatchKeys {
            name: mine.name.clone(),
            ..Default::default()
        };
        let mut ids = BTreeSet::new();
        for key in stored(&block_keys(&strong)) {
            ids.extend(tx.match_key_records(number, key, MAX_BLOCK as u64).await?);
        }
        for key in stored(&block_keys(&names)) {
            let found = tx
                .match_key_records(number, key, MAX_BLOCK as u64 + 1)
                .await?;
            if found.len() <= MAX_BLOCK {
                ids.extend(found);
            }
        }
        if let Some(except) = except {
            ids.remove(&except);
        }
        let rows = readable(&mut tx, schema, &access, ids.into_iter().collect()).await?;
        let mut out: Vec<DuplicateCandidate> = rows
            .into_iter()
            .filter_map(|row| {
                let theirs = visible_keys(session, &matched_fields, kind, &row.fields);
                let reasons = compare(&mine, &theirs);
                reasons.is_possible_duplicate().then(|| DuplicateCandidate {
                    id: row.id,
                    title: record::title(schema, &row.fields),
                    reasons,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.reasons
                .is_strong()
                .cmp(&a.reasons.is_strong())
                .then_with(|| a.title.cmp(&b.title))
        });
        Ok(out)
    }
}

/// A record in a duplicate group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupMember {
    /// Its id.
    pub id: Uuid,
    /// Its display title.
    pub title: String,
}

/// Two records of a group that look alike, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPair {
    /// The first record (smaller id).
    pub first: Uuid,
    /// The second record.
    pub second: Uuid,
    /// What they have in common.
    pub reasons: MatchReasons,
}

/// Records connected by possible-duplicate pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateGroup {
    /// The records, in id order.
    pub members: Vec<GroupMember>,
    /// The pairs that connect them.
    pub pairs: Vec<GroupPair>,
}

impl DuplicateGroup {
    /// Every reason of any of its pairs.
    pub fn reasons(&self) -> MatchReasons {
        self.pairs
            .iter()
            .fold(MatchReasons::default(), |all, p| MatchReasons {
                email: all.email || p.reasons.email,
                phone: all.phone || p.reasons.phone,
                name: all.name || p.reasons.name,
                conflicting: false,
            })
    }
}

/// One step of the duplicate report.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateReport {
    /// The groups found in this step.
    pub groups: Vec<DuplicateGroup>,
    /// Where the next step starts; `None` when the whole key range has been looked at.
    pub next_cursor: Option<String>,
    /// How much of the key range has been looked at after this step, from 0 to 1.
    pub progress: f64,
}

/// How many stored keys one step of the report groups at most (its bound on work).
const STEP_KEYS: f64 = 400_000.0;
/// Shared keys one step looks at most (its bound on pairs compared).
const STEP_SHARED: u64 = 300;
/// The width of the window used to estimate how densely keys fill the key range.
const SAMPLE_WIDTH: i128 = 1 << 50;

fn progress_at(position: i128) -> f64 {
    ((position - i128::from(i64::MIN)) as f64 / 2f64.powi(64)).clamp(0.0, 1.0)
}

/// The end of a step starting at `from`: wide enough to hold about [`STEP_KEYS`] keys when
/// `sampled` keys were found in a window of [`SAMPLE_WIDTH`] there (keys are hashes, spread
/// evenly over the range).
fn step_end(from: i64, sampled: i64) -> Option<i64> {
    let total_estimate = sampled as f64 * (2f64.powi(64) / SAMPLE_WIDTH as f64);
    if total_estimate <= STEP_KEYS {
        return None;
    }
    let width = (2f64.powi(64) * STEP_KEYS / total_estimate) as i128;
    let end = i128::from(from) + width.max(1);
    (end <= i128::from(i64::MAX)).then_some(end as i64)
}

impl App {
    /// One step of the report of possible duplicates among the records of `kind` the
    /// signed-in user may read. Start with no cursor and follow `next_cursor` until it is
    /// `None`; each step does a bounded amount of work, and each pair of records is reported
    /// in exactly one step (a group whose records are linked through different keys may show
    /// in parts, in different steps).
    pub async fn duplicate_report(
        &self,
        session: &Session,
        kind: RecordKind,
        cursor: Option<&str>,
    ) -> AppResult<DuplicateReport> {
        let (schema, matched_fields, number) = matched(session, kind)?;
        let from: i64 = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => c.parse().map_err(|_| AppError::BadRequest("cursor"))?,
            None => i64::MIN,
        };
        let mut tx = self.store.read().await?;
        let access = read_access(&mut tx, session, kind).await?;
        let sample_end = (i128::from(from) + SAMPLE_WIDTH).min(i128::from(i64::MAX)) as i64;
        let sampled = tx.count_match_keys(number, from, sample_end).await?;
        let until = step_end(from, sampled);
        let shared = tx
            .shared_match_keys(number, from, until, MAX_BLOCK as i64, STEP_SHARED)
            .await?;
        // A full answer ends the step just after its last key; otherwise at the range's end.
        let next: Option<i128> = match shared.last() {
            Some(last) if shared.len() as u64 == STEP_SHARED => Some(i128::from(*last) + 1),
            _ => until.map(i128::from),
        }
        .filter(|n| *n <= i128::from(i64::MAX));
        let members = tx.match_key_members(number, &shared).await?;
        let ids: BTreeSet<Uuid> = members.iter().map(|(_, id)| *id).collect();
        let rows = readable(&mut tx, schema, &access, ids.into_iter().collect()).await?;
        let records: HashMap<Uuid, (RecordRow, MatchKeys, Vec<i64>)> = rows
            .into_iter()
            .map(|row| {
                let visible = visible_keys(session, &matched_fields, kind, &row.fields);
                let all = matched_fields.stored_keys(&row.fields);
                (row.id, (row, visible, all))
            })
            .collect();
        let mut pairs: BTreeMap<(Uuid, Uuid), MatchReasons> = BTreeMap::new();
        let mut block_sizes: HashMap<i64, bool> = HashMap::new();
        for block in members.chunk_by(|a, b| a.0 == b.0) {
            let key = block[0].0;
            let present: Vec<Uuid> = block
                .iter()
                .map(|(_, id)| *id)
                .filter(|id| records.contains_key(id))
                .collect();
            for (i, a) in present.iter().enumerate() {
                for b in &present[i + 1..] {
                    if pairs.contains_key(&(*a, *b)) {
                        continue;
                    }
                    let (ra, rb) = (&records[a], &records[b]);
                    let reasons = compare(&ra.1, &rb.1);
                    if !reasons.is_possible_duplicate() {
                        continue;
                    }
                    let home = home_block(&mut tx, number, &ra.2, &rb.2, key, &mut block_sizes);
                    if home.await? {
                        pairs.insert((*a, *b), reasons);
                    }
                }
            }
        }
        Ok(DuplicateReport {
            groups: groups_of(schema, &records, &pairs),
            next_cursor: next.map(|n| n.to_string()),
            progress: next.map_or(1.0, progress_at),
        })
    }
}

/// Whether block `key` is where the pair with stored keys `a` and `b` is reported: the
/// smallest key they share whose block the report looks at (2 to [`MAX_BLOCK`] records). So a
/// pair sharing several keys is reported once, in one step.
async fn home_block(
    tx: &mut Tx,
    number: i64,
    a: &[i64],
    b: &[i64],
    key: i64,
    sizes: &mut HashMap<i64, bool>,
) -> AppResult<bool> {
    for shared in a.iter().filter(|k| **k < key && b.binary_search(k).is_ok()) {
        let usable = match sizes.get(shared) {
            Some(usable) => *usable,
            None => {
                let found = tx
                    .match_key_records(number, *shared, MAX_BLOCK as u64 + 1)
                    .await?
                    .len();
                let usable = (2..=MAX_BLOCK).contains(&found);
                sizes.insert(*shared, usable);
                usable
            }
        };
        if usable {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The pairs joined into groups (union–find), each with its members' titles.
fn groups_of(
    schema: &Schema,
    records: &HashMap<Uuid, (RecordRow, MatchKeys, Vec<i64>)>,
    pairs: &BTreeMap<(Uuid, Uuid), MatchReasons>,
) -> Vec<DuplicateGroup> {
    let ids: Vec<Uuid> = pairs
        .keys()
        .flat_map(|(a, b)| [*a, *b])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index = |id: &Uuid| ids.binary_search(id).unwrap_or_default();
    let groups = group_duplicates(ids.len(), pairs.keys().map(|(a, b)| (index(a), index(b))));
    groups
        .into_iter()
        .map(|members| {
            let in_group: BTreeSet<Uuid> = members.iter().map(|i| ids[*i]).collect();
            DuplicateGroup {
                members: in_group
                    .iter()
                    .map(|id| GroupMember {
                        id: *id,
                        title: record::title(schema, &records[id].0.fields),
                    })
                    .collect(),
                pairs: pairs
                    .iter()
                    .filter(|((a, _), _)| in_group.contains(a))
                    .map(|((a, b), reasons)| GroupPair {
                        first: *a,
                        second: *b,
                        reasons: *reasons,
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_covers_the_range_when_keys_are_few() {
        assert_eq!(step_end(i64::MIN, 0), None);
        assert_eq!(step_end(0, 1), None);
    }

    #[test]
    fn a_step_narrows_as_keys_grow_dense() {
        // 13 million keys: about 800 in the sample window.
        let end = step_end(i64::MIN, 800).expect("a bounded step");
        let share = progress_at(i128::from(end));
        assert!(share > 0.02 && share < 0.05, "{share}");
    }

    #[test]
    fn reasons_are_named() {
        let reasons = MatchReasons {
            email: true,
            name: true,
            ..Default::default()
        };
        assert_eq!(reason_codes(&reasons), ["email", "name"]);
    }
}
