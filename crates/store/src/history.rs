//! What happened to records and what people wrote about them: the audit trail, notes and
//! relationships between customers.

use peyvand_domain::record::Value;
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, MomentText, to_sql};

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// The entry's id.
    pub id: Uuid,
    /// Kind of the record changed (a [`peyvand_domain::permission::RecordKind`] code).
    pub record_kind: String,
    /// The record changed.
    pub record_id: Uuid,
    /// `create`, `update`, `delete`, `convert`, …
    pub action: String,
    /// Who did it; None for the system.
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: OffsetDateTime,
    /// JSON object `{"field": [old, new]}`.
    pub changes: String,
}

/// A note on a record.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    /// The note's id.
    pub id: Uuid,
    /// Kind of the record it is on.
    pub record_kind: String,
    /// The record it is on.
    pub record_id: Uuid,
    /// Who wrote it.
    pub author_id: Uuid,
    /// The text.
    pub body: String,
    /// When it was written.
    pub created_at: OffsetDateTime,
}

/// A relationship from one customer record to another.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationshipRow {
    /// The relationship's id.
    pub id: Uuid,
    /// Kind of the first record.
    pub from_kind: String,
    /// The first record.
    pub from_id: Uuid,
    /// Kind of the second record.
    pub to_kind: String,
    /// The second record.
    pub to_id: Uuid,
    /// `family`, `business` or `referral`.
    pub relation_type: String,
    /// Free text about it.
    pub note: Option<String>,
    /// Who recorded it.
    pub created_by: Uuid,
    /// When.
    pub created_at: OffsetDateTime,
}

fn v_id(v: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(v), ColType::Id)
}
fn v_text(v: &str) -> sea_query::Value {
    to_sql(&Value::Text(v.to_owned()), ColType::Text)
}
fn v_time(v: OffsetDateTime) -> sea_query::Value {
    to_sql(&Value::Time(v), ColType::Time)
}
fn text(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::Text(s)) => Some(s),
        _ => None,
    }
}
fn time(v: Option<Value>) -> Option<OffsetDateTime> {
    match v {
        Some(Value::Time(t)) => Some(t),
        _ => None,
    }
}

pub(crate) const AUDIT_COLUMNS: [&str; 7] = [
    "id",
    "record_kind",
    "record_id",
    "action",
    "actor_id",
    "at",
    "changes",
];
pub(crate) const AUDIT_TYPES: [ColType; 7] = [
    ColType::Id,
    ColType::Text,
    ColType::Id,
    ColType::Text,
    ColType::Id,
    ColType::Time,
    ColType::Text,
];
const NOTE_COLUMNS: [&str; 6] = [
    "id",
    "record_kind",
    "record_id",
    "author_id",
    "body",
    "created_at",
];
const NOTE_TYPES: [ColType; 6] = [
    ColType::Id,
    ColType::Text,
    ColType::Id,
    ColType::Id,
    ColType::Text,
    ColType::Time,
];
const REL_COLUMNS: [&str; 9] = [
    "id",
    "from_kind",
    "from_id",
    "to_kind",
    "to_id",
    "relation_type",
    "note",
    "created_by",
    "created_at",
];
const REL_TYPES: [ColType; 9] = [
    ColType::Id,
    ColType::Text,
    ColType::Id,
    ColType::Text,
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Id,
    ColType::Time,
];

pub(crate) fn audit_from(row: Vec<Value>) -> Option<AuditRow> {
    let mut row = row.into_iter();
    Some(AuditRow {
        id: row.next()?.as_id()?,
        record_kind: text(row.next())?,
        record_id: row.next()?.as_id()?,
        action: text(row.next())?,
        actor_id: row.next()?.as_id(),
        at: time(row.next())?,
        changes: text(row.next())?,
    })
}

fn note_from(row: Vec<Value>) -> Option<NoteRow> {
    let mut row = row.into_iter();
    Some(NoteRow {
        id: row.next()?.as_id()?,
        record_kind: text(row.next())?,
        record_id: row.next()?.as_id()?,
        author_id: row.next()?.as_id()?,
        body: text(row.next())?,
        created_at: time(row.next())?,
    })
}

fn relationship_from(row: Vec<Value>) -> Option<RelationshipRow> {
    let mut row = row.into_iter();
    Some(RelationshipRow {
        id: row.next()?.as_id()?,
        from_kind: text(row.next())?,
        from_id: row.next()?.as_id()?,
        to_kind: text(row.next())?,
        to_id: row.next()?.as_id()?,
        relation_type: text(row.next())?,
        note: text(row.next()),
        created_by: row.next()?.as_id()?,
        created_at: time(row.next())?,
    })
}

impl Tx {
    /// Appends an entry to the audit trail.
    pub async fn insert_audit(&mut self, row: &AuditRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("audit_log")
            .columns(AUDIT_COLUMNS)
            .values_panic(
                [
                    v_id(row.id),
                    v_text(&row.record_kind),
                    v_id(row.record_id),
                    v_text(&row.action),
                    to_sql(&row.actor_id.map_or(Value::Null, Value::Id), ColType::Id),
                    v_time(row.at),
                    v_text(&row.changes),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// Appends many entries at once (bulk loads), in multi-row statements.
    pub async fn insert_audits(&mut self, rows: &[AuditRow]) -> StoreResult<()> {
        // Seven parameters a row: well under both databases' limits per statement.
        if self.insert_in_place("audit_log", &AUDIT_COLUMNS, rows, 1000, bind_audits)? {
            return Ok(());
        }
        for chunk in rows.chunks(1000) {
            let mut insert = Query::insert();
            insert.into_table("audit_log").columns(AUDIT_COLUMNS);
            for row in chunk {
                insert.values_panic(
                    [
                        v_id(row.id),
                        v_text(&row.record_kind),
                        v_id(row.record_id),
                        v_text(&row.action),
                        to_sql(&row.actor_id.map_or(Value::Null, Value::Id), ColType::Id),
                        v_time(row.at),
                        v_text(&row.changes),
                    ]
                    .map(Expr::val),
                );
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// The audit trail of one record, newest first.
    pub async fn audit_of(
        &mut self,
        record_kind: &str,
        record_id: Uuid,
        limit: u64,
    ) -> StoreResult<Vec<AuditRow>> {
        let mut select = Query::select();
        select
            .from("audit_log")
            .columns(AUDIT_COLUMNS)
            .and_where(Expr::col("record_kind").eq(v_text(record_kind)))
            .and_where(Expr::col("record_id").eq(v_id(record_id)))
            .order_by("at", Order::Desc)
            .order_by("id", Order::Desc)
            .limit(limit);
        let rows = self.fetch(&select, &AUDIT_TYPES).await?;
        Ok(rows.into_iter().filter_map(audit_from).collect())
    }

    /// Stores a note.
    pub async fn insert_note(&mut self, row: &NoteRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("notes")
            .columns(NOTE_COLUMNS)
            .values_panic(
                [
                    v_id(row.id),
                    v_text(&row.record_kind),
                    v_id(row.record_id),
                    v_id(row.author_id),
                    v_text(&row.body),
                    v_time(row.created_at),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// The notes on one record, newest first.
    pub async fn notes_of(
        &mut self,
        record_kind: &str,
        record_id: Uuid,
    ) -> StoreResult<Vec<NoteRow>> {
        let mut select = Query::select();
        select
            .from("notes")
            .columns(NOTE_COLUMNS)
            .and_where(Expr::col("record_kind").eq(v_text(record_kind)))
            .and_where(Expr::col("record_id").eq(v_id(record_id)))
            .order_by("created_at", Order::Desc)
            .order_by("id", Order::Desc);
        let rows = self.fetch(&select, &NOTE_TYPES).await?;
        Ok(rows.into_iter().filter_map(note_from).collect())
    }

    /// One note by id.
    pub async fn note(&mut self, note_id: Uuid) -> StoreResult<Option<NoteRow>> {
        let mut select = Query::select();
        select
            .from("notes")
            .columns(NOTE_COLUMNS)
            .and_where(Expr::col("id").eq(v_id(note_id)));
        let rows = self.fetch(&select, &NOTE_TYPES).await?;
        Ok(rows.into_iter().next().and_then(note_from))
    }

    /// Deletes one note.
    pub async fn delete_note(&mut self, note_id: Uuid) -> StoreResult<bool> {
        let mut delete = Query::delete();
        delete
            .from_table("notes")
            .and_where(Expr::col("id").eq(v_id(note_id)));
        Ok(self.execute(&delete).await? == 1)
    }

    /// Stores a relationship.
    pub async fn insert_relationship(&mut self, row: &RelationshipRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("relationships")
            .columns(REL_COLUMNS)
            .values_panic(
                [
                    v_id(row.id),
                    v_text(&row.from_kind),
                    v_id(row.from_id),
                    v_text(&row.to_kind),
                    v_id(row.to_id),
                    v_text(&row.relation_type),
                    to_sql(
                        &row.note.clone().map_or(Value::Null, Value::Text),
                        ColType::Text,
                    ),
                    v_id(row.created_by),
                    v_time(row.created_at),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// Relationships that start or end at a record, oldest first.
    pub async fn relationships_of(
        &mut self,
        kind: &str,
        record_id: Uuid,
    ) -> StoreResult<Vec<RelationshipRow>> {
        let mut select = Query::select();
        select
            .from("relationships")
            .columns(REL_COLUMNS)
            .cond_where(
                Cond::any()
                    .add(
                        Cond::all()
                            .add(Expr::col("from_kind").eq(v_text(kind)))
                            .add(Expr::col("from_id").eq(v_id(record_id))),
                    )
                    .add(
                        Cond::all()
                            .add(Expr::col("to_kind").eq(v_text(kind)))
                            .add(Expr::col("to_id").eq(v_id(record_id))),
                    ),
            )
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc);
        let rows = self.fetch(&select, &REL_TYPES).await?;
        Ok(rows.into_iter().filter_map(relationship_from).collect())
    }

    /// One relationship by id.
    pub async fn relationship(
        &mut self,
        relationship_id: Uuid,
    ) -> StoreResult<Option<RelationshipRow>> {
        let mut select = Query::select();
        select
            .from("relationships")
            .columns(REL_COLUMNS)
            .and_where(Expr::col("id").eq(v_id(relationship_id)));
        let rows = self.fetch(&select, &REL_TYPES).await?;
        Ok(rows.into_iter().next().and_then(relationship_from))
    }

    /// Deletes one relationship.
    pub async fn delete_relationship(&mut self, relationship_id: Uuid) -> StoreResult<bool> {
        let mut delete = Query::delete();
        delete
            .from_table("relationships")
            .and_where(Expr::col("id").eq(v_id(relationship_id)));
        Ok(self.execute(&delete).await? == 1)
    }

    /// Removes the notes and relationships of a deleted record (its audit trail stays).
    pub async fn delete_attachments_of(&mut self, kind: &str, record_id: Uuid) -> StoreResult<()> {
        let mut notes = Query::delete();
        notes
            .from_table("notes")
            .and_where(Expr::col("record_kind").eq(v_text(kind)))
            .and_where(Expr::col("record_id").eq(v_id(record_id)));
        self.execute(&notes).await?;
        let mut relationships = Query::delete();
        relationships.from_table("relationships").cond_where(
            Cond::any()
                .add(
                    Cond::all()
                        .add(Expr::col("from_kind").eq(v_text(kind)))
                        .add(Expr::col("from_id").eq(v_id(record_id))),
                )
                .add(
                    Cond::all()
                        .add(Expr::col("to_kind").eq(v_text(kind)))
                        .add(Expr::col("to_id").eq(v_id(record_id))),
                ),
        );
        self.execute(&relationships).await?;
        Ok(())
    }
}

/// Binds `rows` in place as the rows of a multi-row insert of [`AUDIT_COLUMNS`] (see
/// `Tx::insert_in_place`).
fn bind_audits(
    statement: &mut rusqlite::CachedStatement<'_>,
    rows: &[AuditRow],
) -> StoreResult<()> {
    let mut moments = MomentText::default();
    for (row, entry) in rows.iter().enumerate() {
        let at = moments.of(entry.at);
        let first = row * AUDIT_COLUMNS.len();
        statement.raw_bind_parameter(first + 1, entry.id.as_bytes().as_slice())?;
        statement.raw_bind_parameter(first + 2, entry.record_kind.as_str())?;
        statement.raw_bind_parameter(first + 3, entry.record_id.as_bytes().as_slice())?;
        statement.raw_bind_parameter(first + 4, entry.action.as_str())?;
        let actor = entry.actor_id.as_ref().map(|a| a.as_bytes().as_slice());
        statement.raw_bind_parameter(first + 5, actor)?;
        statement.raw_bind_parameter(first + 6, at)?;
        statement.raw_bind_parameter(first + 7, entry.changes.as_str())?;
    }
    Ok(())
}
