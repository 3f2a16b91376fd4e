//! The expiry sweep: active contracts whose end date has passed become expired, once. The job
//! worker runs it with the service-level sweep; a restart simply finds nothing left to do,
//! because the status it reads by is the one it changes.

use peyvand_domain::calendar::IRAN_OFFSET;
use peyvand_domain::contracts::CONTRACTS;
use peyvand_domain::contracts::status::{ACTIVE, EXPIRED};
use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{self, Fields, Value};
use peyvand_store::RecordsWhere;
use serde_json::json;
use uuid::Uuid;

use crate::App;
use crate::error::{AppError, AppResult};

/// A day before any contract's end: the lower bound of the sweep's date range (a bound both
/// databases store; PostgreSQL refuses `time`'s own minimum).
const EARLIEST: time::Date = time::macros::date!(1900 - 01 - 01);

/// Contracts expired per transaction.
const SWEEP_BATCH: u64 = 500;

impl App {
    /// Marks every active contract whose end date is before today (in Iran) expired, with an
    /// audit entry of the system; returns how many it expired.
    pub async fn contract_sweep(&self) -> AppResult<usize> {
        let now = self.now();
        let today = now.to_offset(IRAN_OFFSET).date();
        let Some(yesterday) = today.previous_day() else {
            return Ok(0);
        };
        let mut expired = 0;
        loop {
            let mut tx = self.store.write().await?;
            // Read through the (status, end_date) index: the work follows the contracts that
            // ran out, not the number of contracts.
            let rows = tx
                .records_where(&RecordsWhere {
                    schema: &CONTRACTS,
                    access: &RowFilter::Everything,
                    equals: vec![("status", Value::Text(ACTIVE.into()))],
                    people: None,
                    date_between: Some(("end_date", EARLIEST, yesterday)),
                    due_by: None,
                    not_in: None,
                    order_by: "end_date",
                    limit: SWEEP_BATCH,
                })
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let changes = Fields::from([("status".into(), Value::Text(EXPIRED.into()))]);
                let mut merged = row.fields.clone();
                merged.extend(changes.clone());
                let search = record::search_text(&CONTRACTS, &merged);
                if !tx
                    .update_record(&CONTRACTS, row.id, row.version, now, &changes, &search, &[])
                    .await?
                {
                    return Err(AppError::VersionConflict);
                }
                tx.insert_audit(&peyvand_store::AuditRow {
                    id: Uuid::now_v7(),
                    record_kind: "contract".to_owned(),
                    record_id: row.id,
                    action: "expire".to_owned(),
                    actor_id: None,
                    at: now,
                    changes: json!({"status": [ACTIVE, EXPIRED]}).to_string(),
                })
                .await?;
            }
            tx.commit().await?;
            expired += rows.len();
            if (rows.len() as u64) < SWEEP_BATCH {
                break;
            }
        }
        Ok(expired)
    }
}
