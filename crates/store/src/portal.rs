//! Customer portal accounts and their sessions, kept apart from staff users and sessions.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// A portal account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalUserRow {
    /// Its id.
    pub id: Uuid,
    /// The contact it belongs to.
    pub contact_id: Uuid,
    /// The sign-in address (normalised).
    pub email: String,
    /// Argon2 hash of the password.
    pub password_hash: String,
    /// Whether signing in is refused.
    pub disabled: bool,
}

/// A portal session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSessionRow {
    /// The account.
    pub portal_user_id: Uuid,
    /// The token forms must carry.
    pub csrf_token: String,
    /// When it ends.
    pub expires_at: OffsetDateTime,
}

fn v(value: Value, ty: ColType) -> sea_query::Value {
    to_sql(&value, ty)
}

const USER_COLUMNS: [&str; 5] = ["id", "contact_id", "email", "password_hash", "disabled"];
const USER_TYPES: [ColType; 5] = [
    ColType::Id,
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Bool,
];

fn user_from(values: Vec<Value>) -> Option<PortalUserRow> {
    let mut values = values.into_iter();
    let mut next = || values.next().unwrap_or(Value::Null);
    let text = |v: Value| match v {
        Value::Text(s) => Some(s),
        _ => None,
    };
    Some(PortalUserRow {
        id: next().as_id()?,
        contact_id: next().as_id()?,
        email: text(next())?,
        password_hash: text(next())?,
        disabled: next() == Value::Bool(true),
    })
}

impl Tx {
    /// Creates or replaces the portal account of a contact (a new address or password).
    pub async fn put_portal_user(
        &mut self,
        row: &PortalUserRow,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        let mut columns = USER_COLUMNS.to_vec();
        columns.extend(["created_at", "updated_at"]);
        insert
            .into_table("portal_users")
            .columns(columns)
            .values_panic(
                [
                    v(Value::Id(row.id), ColType::Id),
                    v(Value::Id(row.contact_id), ColType::Id),
                    v(Value::Text(row.email.clone()), ColType::Text),
                    v(Value::Text(row.password_hash.clone()), ColType::Text),
                    v(Value::Bool(row.disabled), ColType::Bool),
                    v(Value::Time(now), ColType::Time),
                    v(Value::Time(now), ColType::Time),
                ]
                .map(Expr::val),
            )
            .on_conflict(
                OnConflict::column("contact_id")
                    .update_columns(["email", "password_hash", "disabled", "updated_at"])
                    .to_owned(),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    async fn portal_user_where(
        &mut self,
        column: &str,
        value: Value,
        ty: ColType,
    ) -> StoreResult<Option<PortalUserRow>> {
        let mut select = Query::select();
        select
            .from("portal_users")
            .columns(USER_COLUMNS)
            .and_where(Expr::col(column.to_owned()).eq(v(value, ty)));
        let rows = self.fetch(&select, &USER_TYPES).await?;
        Ok(rows.into_iter().next().and_then(user_from))
    }

    /// The portal account signing in with `email`.
    pub async fn portal_user_by_email(
        &mut self,
        email: &str,
    ) -> StoreResult<Option<PortalUserRow>> {
        self.portal_user_where("email", Value::Text(email.to_owned()), ColType::Text)
            .await
    }

    /// The portal account with this id.
    pub async fn portal_user(&mut self, id: Uuid) -> StoreResult<Option<PortalUserRow>> {
        self.portal_user_where("id", Value::Id(id), ColType::Id)
            .await
    }

    /// The portal account of a contact.
    pub async fn portal_user_of(&mut self, contact_id: Uuid) -> StoreResult<Option<PortalUserRow>> {
        self.portal_user_where("contact_id", Value::Id(contact_id), ColType::Id)
            .await
    }

    /// Starts a portal session.
    pub async fn insert_portal_session(
        &mut self,
        id_hash: &str,
        row: &PortalSessionRow,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("portal_sessions")
            .columns([
                "id_hash",
                "portal_user_id",
                "csrf_token",
                "created_at",
                "expires_at",
            ])
            .values_panic(
                [
                    v(Value::Text(id_hash.to_owned()), ColType::Text),
                    v(Value::Id(row.portal_user_id), ColType::Id),
                    v(Value::Text(row.csrf_token.clone()), ColType::Text),
                    v(Value::Time(now), ColType::Time),
                    v(Value::Time(row.expires_at), ColType::Time),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// The portal session with this hash.
    pub async fn portal_session(&mut self, id_hash: &str) -> StoreResult<Option<PortalSessionRow>> {
        let mut select = Query::select();
        select
            .from("portal_sessions")
            .columns(["portal_user_id", "csrf_token", "expires_at"])
            .and_where(Expr::col("id_hash").eq(v(Value::Text(id_hash.to_owned()), ColType::Text)));
        let rows = self
            .fetch(&select, &[ColType::Id, ColType::Text, ColType::Time])
            .await?;
        Ok(rows.into_iter().next().and_then(|row| {
            let mut row = row.into_iter();
            let portal_user_id = row.next()?.as_id()?;
            let csrf_token = match row.next()? {
                Value::Text(s) => s,
                _ => return None,
            };
            let expires_at = match row.next()? {
                Value::Time(at) => at,
                _ => return None,
            };
            Some(PortalSessionRow {
                portal_user_id,
                csrf_token,
                expires_at,
            })
        }))
    }

    /// Ends a portal session.
    pub async fn delete_portal_session(&mut self, id_hash: &str) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("portal_sessions")
            .and_where(Expr::col("id_hash").eq(v(Value::Text(id_hash.to_owned()), ColType::Text)));
        self.execute(&delete).await?;
        Ok(())
    }
}
