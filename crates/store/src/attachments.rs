//! The records of files attached to cases (the files themselves are the application's).

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// A file attached to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    /// Its id, also the name the file is stored under.
    pub id: Uuid,
    /// The case.
    pub case_id: Uuid,
    /// The file's (sanitised) name.
    pub file_name: String,
    /// The type it is served with.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// The staff member who attached it, if one did.
    pub uploaded_by: Option<Uuid>,
    /// Whether the customer attached it (in the portal).
    pub from_customer: bool,
    /// When.
    pub created_at: OffsetDateTime,
}

const COLUMNS: [&str; 8] = [
    "id",
    "case_id",
    "file_name",
    "content_type",
    "size",
    "uploaded_by",
    "from_customer",
    "created_at",
];
const TYPES: [ColType; 8] = [
    ColType::Id,
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Int,
    ColType::Id,
    ColType::Bool,
    ColType::Time,
];

fn from_row(values: Vec<Value>) -> Option<AttachmentRow> {
    let mut values = values.into_iter();
    let mut next = || values.next().unwrap_or(Value::Null);
    let text = |v: Value| match v {
        Value::Text(s) => Some(s),
        _ => None,
    };
    Some(AttachmentRow {
        id: next().as_id()?,
        case_id: next().as_id()?,
        file_name: text(next())?,
        content_type: text(next())?,
        size: match next() {
            Value::Int(n) => n,
            _ => 0,
        },
        uploaded_by: next().as_id(),
        from_customer: next() == Value::Bool(true),
        created_at: match next() {
            Value::Time(at) => at,
            _ => return None,
        },
    })
}

impl Tx {
    /// Records an attachment.
    pub async fn insert_attachment(&mut self, row: &AttachmentRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("case_attachments")
            .columns(COLUMNS)
            .values_panic(
                [
                    to_sql(&Value::Id(row.id), ColType::Id),
                    to_sql(&Value::Id(row.case_id), ColType::Id),
                    to_sql(&Value::Text(row.file_name.clone()), ColType::Text),
                    to_sql(&Value::Text(row.content_type.clone()), ColType::Text),
                    to_sql(&Value::Int(row.size), ColType::Int),
                    to_sql(&row.uploaded_by.map_or(Value::Null, Value::Id), ColType::Id),
                    to_sql(&Value::Bool(row.from_customer), ColType::Bool),
                    to_sql(&Value::Time(row.created_at), ColType::Time),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// The attachments of a case, oldest first.
    pub async fn attachments_of(&mut self, case_id: Uuid) -> StoreResult<Vec<AttachmentRow>> {
        let mut select = Query::select();
        select
            .from("case_attachments")
            .columns(COLUMNS)
            .and_where(Expr::col("case_id").eq(to_sql(&Value::Id(case_id), ColType::Id)))
            .order_by("created_at", Order::Asc);
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().filter_map(from_row).collect())
    }

    /// One attachment.
    pub async fn attachment(&mut self, id: Uuid) -> StoreResult<Option<AttachmentRow>> {
        let mut select = Query::select();
        select
            .from("case_attachments")
            .columns(COLUMNS)
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().next().and_then(from_row))
    }
}
