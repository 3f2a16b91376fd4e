//! Portal password resets: one-time tokens (stored as hashes) that let a portal user choose a
//! new password, and signing that user out everywhere once they have.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

fn v(value: Value, ty: ColType) -> sea_query::Value {
    to_sql(&value, ty)
}

impl Tx {
    /// Keeps a new reset token (its hash) for a portal user, valid until `expires_at`; any
    /// earlier token of the user stops working.
    pub async fn replace_portal_reset(
        &mut self,
        portal_user_id: Uuid,
        token_hash: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.delete_portal_resets(portal_user_id).await?;
        let mut insert = Query::insert();
        insert
            .into_table("portal_password_resets")
            .columns(["token_hash", "portal_user_id", "created_at", "expires_at"])
            .values_panic(
                [
                    v(Value::Text(token_hash.to_owned()), ColType::Text),
                    v(Value::Id(portal_user_id), ColType::Id),
                    v(Value::Time(now), ColType::Time),
                    v(Value::Time(expires_at), ColType::Time),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// When the user's current reset token was made, if they have one.
    pub async fn portal_reset_made_at(
        &mut self,
        portal_user_id: Uuid,
    ) -> StoreResult<Option<OffsetDateTime>> {
        let mut select = Query::select();
        select
            .from("portal_password_resets")
            .column("created_at")
            .and_where(Expr::col("portal_user_id").eq(v(Value::Id(portal_user_id), ColType::Id)));
        let rows = self.fetch(&select, &[ColType::Time]).await?;
        Ok(rows.into_iter().flatten().find_map(|value| match value {
            Value::Time(at) => Some(at),
            _ => None,
        }))
    }

    /// The portal user a token still valid at `now` belongs to.
    pub async fn portal_reset_user(
        &mut self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Uuid>> {
        let mut select = Query::select();
        select
            .from("portal_password_resets")
            .column("portal_user_id")
            .and_where(
                Expr::col("token_hash").eq(v(Value::Text(token_hash.to_owned()), ColType::Text)),
            )
            .and_where(Expr::col("expires_at").gt(v(Value::Time(now), ColType::Time)));
        let rows = self.fetch(&select, &[ColType::Id]).await?;
        Ok(rows.into_iter().flatten().find_map(|value| value.as_id()))
    }

    /// Forgets every reset token of a portal user.
    pub async fn delete_portal_resets(&mut self, portal_user_id: Uuid) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("portal_password_resets")
            .and_where(Expr::col("portal_user_id").eq(v(Value::Id(portal_user_id), ColType::Id)));
        self.execute(&delete).await?;
        Ok(())
    }

    /// Sets a portal user's password hash and ends all their sessions.
    pub async fn set_portal_password(
        &mut self,
        portal_user_id: Uuid,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let user = v(Value::Id(portal_user_id), ColType::Id);
        let mut update = Query::update();
        update
            .table("portal_users")
            .value(
                "password_hash",
                v(Value::Text(password_hash.to_owned()), ColType::Text),
            )
            .value("updated_at", v(Value::Time(now), ColType::Time))
            .and_where(Expr::col("id").eq(user.clone()));
        self.execute(&update).await?;
        let mut delete = Query::delete();
        delete
            .from_table("portal_sessions")
            .and_where(Expr::col("portal_user_id").eq(user));
        self.execute(&delete).await?;
        Ok(())
    }
}
