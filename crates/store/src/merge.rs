//! Moving what belongs to one record onto another, for merging duplicates: notes,
//! relationships, the audit trail and every reference other records hold.

use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{FieldType, Schema, Value};
use sea_query::{Cond, Expr, ExprTrait, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

fn id(value: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(value), ColType::Id)
}

fn text(value: &str) -> sea_query::Value {
    to_sql(&Value::Text(value.to_owned()), ColType::Text)
}

impl Tx {
    /// Moves the notes, relationships and audit entries of record `from` of `kind` to `into`,
    /// and points every field of `referencing` schemas that refers to `from` at `into`.
    ///
    /// Records whose reference changes get a new version and `updated_at`, so that anything
    /// cached by version (the API's serialised records) is not served stale. A relationship
    /// between `from` and `into` is dropped: a record is not related to itself.
    pub async fn repoint_record(
        &mut self,
        kind: RecordKind,
        from: Uuid,
        into: Uuid,
        referencing: &[&Schema],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let code = kind.code();
        for table in ["notes", "audit_log"] {
            let mut update = Query::update();
            update
                .table(table)
                .value("record_id", Expr::val(id(into)))
                .and_where(Expr::col("record_kind").eq(text(code)))
                .and_where(Expr::col("record_id").eq(id(from)));
            self.execute(&update).await?;
        }
        self.repoint_relationships(code, from, into).await?;
        for schema in referencing {
            for field in schema.fields {
                if field.ty != FieldType::Reference(kind) {
                    continue;
                }
                let mut update = Query::update();
                update
                    .table(schema.table)
                    .value(field.name, Expr::val(id(into)))
                    .value("version", Expr::col("version").add(1))
                    .value(
                        "updated_at",
                        Expr::val(to_sql(&Value::Time(now), ColType::Time)),
                    )
                    .and_where(Expr::col(field.name).eq(id(from)));
                self.execute(&update).await?;
            }
        }
        Ok(())
    }

    async fn repoint_relationships(
        &mut self,
        code: &str,
        from: Uuid,
        into: Uuid,
    ) -> StoreResult<()> {
        let end = |side: &str, record: Uuid| {
            Cond::all()
                .add(Expr::col(format!("{side}_kind")).eq(text(code)))
                .add(Expr::col(format!("{side}_id")).eq(id(record)))
        };
        let mut between = Query::delete();
        between.from_table("relationships").cond_where(
            Cond::any()
                .add(end("from", from).add(end("to", into)))
                .add(end("from", into).add(end("to", from))),
        );
        self.execute(&between).await?;
        for side in ["from", "to"] {
            let mut update = Query::update();
            update
                .table("relationships")
                .value(format!("{side}_id"), Expr::val(id(into)))
                .cond_where(end(side, from));
            self.execute(&update).await?;
        }
        Ok(())
    }
}
