//! Notes on records, relationships between customers, and the timeline that merges the audit
//! trail with notes. All of them follow the access rights of the records they belong to.

use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::RELATION_TYPES;
use peyvand_domain::validation::FieldError;
use peyvand_store::{NoteRow, RelationshipRow};
use serde_json::Value as Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::{audit, read_checked};

/// Longest note accepted.
pub const NOTE_MAX: usize = 10_000;

/// One entry of a record's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// When it happened.
    pub at: OffsetDateTime,
    /// Who did it (None for the system).
    pub actor_id: Option<Uuid>,
    /// `create`, `update`, `delete`, `convert`, `note`, …
    pub action: String,
    /// Changed fields `{"field": [old, new]}` (hidden fields left out), or the note's text.
    pub changes: Json,
    /// The note's id when the entry is a note.
    pub note_id: Option<Uuid>,
    /// The related record the entry is about, when it is not the record itself (a customer's
    /// timeline includes the history of their sales documents): kind, id and title.
    pub subject: Option<(RecordKind, Uuid, String)>,
}

/// A relationship seen from one record: the other end and how they are related.
#[derive(Debug, Clone, PartialEq)]
pub struct Relationship {
    /// The stored relationship.
    pub row: RelationshipRow,
    /// Kind of the record at the other end.
    pub other_kind: RecordKind,
    /// The record at the other end.
    pub other_id: Uuid,
    /// Its title.
    pub other_title: String,
}

fn customer_kind(code: &str) -> AppResult<RecordKind> {
    RecordKind::parse(code)
        .filter(|k| k.is_customer())
        .ok_or(AppError::BadRequest("kind"))
}

impl App {
    /// Adds a note to a record the user may update.
    pub async fn add_note(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
        body: &str,
    ) -> AppResult<NoteRow> {
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::field("body", FieldError::REQUIRED));
        }
        if body.chars().count() > NOTE_MAX {
            return Err(AppError::field("body", FieldError::TOO_LONG));
        }
        let mut tx = self.store.write().await?;
        read_checked(&mut tx, session, kind, id, Action::Update).await?;
        let row = NoteRow {
            id: Uuid::now_v7(),
            record_kind: kind.code().into(),
            record_id: id,
            author_id: session.actor.user_id,
            body: body.to_owned(),
            created_at: self.now(),
        };
        tx.insert_note(&row).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The notes on a record the user may read, newest first.
    pub async fn notes(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Vec<NoteRow>> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, kind, id, Action::Read).await?;
        Ok(tx.notes_of(kind.code(), id).await?)
    }

    /// Deletes a note: its author may, and so may whoever may delete the record it is on.
    pub async fn delete_note(&self, session: &Session, note_id: Uuid) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let note = tx.note(note_id).await?.ok_or(AppError::NotFound)?;
        let kind = RecordKind::parse(&note.record_kind).ok_or(AppError::NotFound)?;
        read_checked(&mut tx, session, kind, note.record_id, Action::Read).await?;
        if note.author_id != session.actor.user_id {
            read_checked(&mut tx, session, kind, note.record_id, Action::Delete).await?;
        }
        tx.delete_note(note_id).await?;
        let changes = serde_json::json!({"note": [note.body, null]});
        audit(
            &mut tx,
            self.now(),
            session,
            kind,
            note.record_id,
            "note_deleted",
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A record's timeline: its audit trail and notes, newest first. Values of fields hidden
    /// from the viewer are left out.
    pub async fn timeline(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Vec<TimelineEntry>> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, kind, id, Action::Read).await?;
        let mut entries: Vec<TimelineEntry> = tx
            .audit_of(kind.code(), id, 500)
            .await?
            .into_iter()
            .map(|row| {
                let mut changes: Json = serde_json::from_str(&row.changes).unwrap_or(Json::Null);
                if let Json::Object(map) = &mut changes {
                    map.retain(|field, _| !session.actor.grants.is_hidden(kind, field));
                }
                TimelineEntry {
                    at: row.at,
                    actor_id: row.actor_id,
                    action: row.action,
                    changes,
                    note_id: None,
                    subject: None,
                }
            })
            .collect();
        entries.extend(
            tx.notes_of(kind.code(), id)
                .await?
                .into_iter()
                .map(|note| TimelineEntry {
                    at: note.created_at,
                    actor_id: Some(note.author_id),
                    action: "note".into(),
                    changes: Json::String(note.body),
                    note_id: Some(note.id),
                    subject: None,
                }),
        );
        // Activities and customer service (issue 5): a customer's activities and cases.
        entries
            .extend(crate::service::activity_timeline_entries(&mut tx, session, kind, id).await?);
        // Sales documents (issue 4): a customer's timeline includes their documents' history.
        entries.extend(crate::sales::document_entries(&mut tx, session, kind, id).await?);
        // Contracts (issue 4 §7): and their contracts' history.
        entries.extend(crate::contracts::contract_entries(&mut tx, session, kind, id).await?);
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.at));
        Ok(entries)
    }

    /// Records a relationship from one customer record (which the user may update) to another
    /// (which they may read).
    pub async fn add_relationship(
        &self,
        session: &Session,
        from: (RecordKind, Uuid),
        to_kind: &str,
        to_id: Uuid,
        relation_type: &str,
        note: Option<&str>,
    ) -> AppResult<RelationshipRow> {
        customer_kind(from.0.code())?;
        let to_kind = customer_kind(to_kind)
            .map_err(|_| AppError::field("to_kind", FieldError::INVALID_CHOICE))?;
        if !RELATION_TYPES.contains(&relation_type) {
            return Err(AppError::field("relation_type", FieldError::INVALID_CHOICE));
        }
        if (to_kind, to_id) == from {
            return Err(AppError::field("to_id", FieldError::INVALID));
        }
        let mut tx = self.store.write().await?;
        read_checked(&mut tx, session, from.0, from.1, Action::Update).await?;
        read_checked(&mut tx, session, to_kind, to_id, Action::Read)
            .await
            .map_err(|_| AppError::field("to_id", FieldError::NOT_FOUND))?;
        let row = RelationshipRow {
            id: Uuid::now_v7(),
            from_kind: from.0.code().into(),
            from_id: from.1,
            to_kind: to_kind.code().into(),
            to_id,
            relation_type: relation_type.into(),
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            created_by: session.actor.user_id,
            created_at: self.now(),
        };
        tx.insert_relationship(&row).await?;
        let changes = serde_json::json!({"relationship": [null, format!("{} {}:{}", relation_type, to_kind.code(), to_id)]});
        audit(
            &mut tx,
            self.now(),
            session,
            from.0,
            from.1,
            "relate",
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The relationships of a record whose other end the user may read.
    pub async fn relationships(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Vec<Relationship>> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, kind, id, Action::Read).await?;
        let mut out = Vec::new();
        for row in tx.relationships_of(kind.code(), id).await? {
            let (other_kind, other_id) = if row.from_kind == kind.code() && row.from_id == id {
                (row.to_kind.clone(), row.to_id)
            } else {
                (row.from_kind.clone(), row.from_id)
            };
            let Ok(other_kind) = customer_kind(&other_kind) else {
                continue;
            };
            if let Ok((_, other)) =
                read_checked(&mut tx, session, other_kind, other_id, Action::Read).await
            {
                out.push(Relationship {
                    row,
                    other_kind,
                    other_id,
                    other_title: other.title,
                });
            }
        }
        Ok(out)
    }

    /// Removes a relationship; the user must be able to update the record it starts from.
    pub async fn delete_relationship(
        &self,
        session: &Session,
        relationship_id: Uuid,
    ) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let row = tx
            .relationship(relationship_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let kind = customer_kind(&row.from_kind)?;
        read_checked(&mut tx, session, kind, row.from_id, Action::Update).await?;
        tx.delete_relationship(relationship_id).await?;
        let changes = serde_json::json!({"relationship": [format!("{} {}:{}", row.relation_type, row.to_kind, row.to_id), null]});
        audit(
            &mut tx,
            self.now(),
            session,
            kind,
            row.from_id,
            "unrelate",
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
