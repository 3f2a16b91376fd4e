//! Settings of the organisation that are not records: one JSON document per key.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use time::OffsetDateTime;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

fn v_text(text: &str) -> sea_query::Value {
    to_sql(&Value::Text(text.to_owned()), ColType::Text)
}

impl Tx {
    /// The JSON document kept under a settings key.
    pub async fn setting(&mut self, key: &str) -> StoreResult<Option<String>> {
        let mut select = Query::select();
        select
            .from("settings")
            .column("value")
            .and_where(Expr::col("key").eq(v_text(key)));
        let rows = self.fetch(&select, &[ColType::Text]).await?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
            .and_then(|value| match value {
                Value::Text(text) => Some(text),
                _ => None,
            }))
    }

    /// Stores the JSON document of a settings key, replacing what was there.
    pub async fn put_setting(
        &mut self,
        key: &str,
        value: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("settings")
            .columns(["key", "value", "updated_at"])
            .values_panic(
                [
                    v_text(key),
                    v_text(value),
                    to_sql(&Value::Time(now), ColType::Time),
                ]
                .map(Expr::val),
            )
            .on_conflict(
                OnConflict::column("key")
                    .update_columns(["value", "updated_at"])
                    .to_owned(),
            );
        self.execute(&insert).await?;
        Ok(())
    }
}
