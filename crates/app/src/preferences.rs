//! A user's own interface preferences (language and calendar), which everybody may change for
//! themself even without the right to update users.

use peyvand_domain::calendar::{CalendarKind, Locale};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{self, Fields, USERS, Value};

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::{audit, diff};

impl App {
    /// Sets the signed-in user's language and calendar. Only these two fields of the user's
    /// own record change, so no users:update right is needed; the change is audited.
    pub async fn update_preferences(
        &self,
        session: &Session,
        locale: Locale,
        calendar: CalendarKind,
    ) -> AppResult<()> {
        let id = session.actor.user_id;
        let mut tx = self.store.write().await?;
        let row = tx.get_record(&USERS, id).await?.ok_or(AppError::NotFound)?;
        let mut changes = Fields::new();
        changes.insert("locale".into(), Value::Text(locale.code().into()));
        changes.insert("calendar".into(), Value::Text(calendar.code().into()));
        let changes: Fields = changes
            .into_iter()
            .filter(|(k, v)| row.fields.get(k) != Some(v))
            .collect();
        if changes.is_empty() {
            return Ok(());
        }
        let mut merged = row.fields.clone();
        merged.extend(changes.clone());
        let search = record::search_text(&USERS, &merged);
        if !tx
            .update_record(&USERS, id, row.version, self.now(), &changes, &search, &[])
            .await?
        {
            return Err(AppError::VersionConflict);
        }
        audit(
            &mut tx,
            self.now(),
            session,
            RecordKind::User,
            id,
            "update",
            diff(&row.fields, &changes, false),
        )
        .await?;
        tx.commit().await?;
        self.sessions_changed(None);
        Ok(())
    }
}
