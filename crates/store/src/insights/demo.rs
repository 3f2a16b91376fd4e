//! Bulk writes used only by the analytics demo history (`peyvand demo`): many invoice lines per
//! statement, so a two-year purchase history seeds in a fraction of a second.

use sea_query::{Expr, Query};

use crate::StoreResult;
use crate::sales::{LINE_COLUMNS, LineRow, line_values};
use crate::tx::Tx;

impl Tx {
    /// Stores many document lines, several hundred per statement.
    pub async fn insert_sales_lines(&mut self, rows: &[LineRow]) -> StoreResult<()> {
        // Both databases bind at most some tens of thousands of parameters per statement.
        let per_statement = 30_000 / LINE_COLUMNS.len();
        for chunk in rows.chunks(per_statement) {
            let mut insert = Query::insert();
            insert.into_table("sales_lines").columns(LINE_COLUMNS);
            for row in chunk {
                insert.values_panic(line_values(row).map(Expr::val));
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }
}
