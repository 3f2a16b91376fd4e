//! Sign-in data: password credentials, web sessions, API tokens and failed-login throttling.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// What sign-in needs to know about a user found by email.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user.
    pub user_id: Uuid,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Disabled users cannot sign in.
    pub disabled: bool,
}

/// A web session (looked up by the hash of its cookie value).
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// Who is signed in.
    pub user_id: Uuid,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// When the session stops working.
    pub expires_at: OffsetDateTime,
}

/// A personal API token (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTokenRow {
    /// The token's id (shown in lists, used to revoke).
    pub id: Uuid,
    /// Whose token it is.
    pub user_id: Uuid,
    /// A name the user gave it.
    pub name: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked; revoked tokens no longer work.
    pub revoked_at: Option<OffsetDateTime>,
}

/// Failed sign-ins for one email address.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleRow {
    /// The (normalised) email address tried.
    pub email: String,
    /// Failures since `window_start`.
    pub failures: i64,
    /// When the current counting window began.
    pub window_start: OffsetDateTime,
    /// Sign-in is refused until then.
    pub locked_until: Option<OffsetDateTime>,
}

fn id(v: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(v), ColType::Id)
}
fn text(v: &str) -> sea_query::Value {
    to_sql(&Value::Text(v.to_owned()), ColType::Text)
}
fn time(v: OffsetDateTime) -> sea_query::Value {
    to_sql(&Value::Time(v), ColType::Time)
}
fn opt_time(v: Option<OffsetDateTime>) -> sea_query::Value {
    to_sql(&v.map_or(Value::Null, Value::Time), ColType::Time)
}
fn as_time(v: &Value) -> Option<OffsetDateTime> {
    match v {
        Value::Time(t) => Some(*t),
        _ => None,
    }
}
fn as_text(v: Value) -> String {
    match v {
        Value::Text(s) => s,
        _ => String::new(),
    }
}

impl Tx {
    /// The credentials of the user with this (normalised) email, if any.
    pub async fn credentials(&mut self, email: &str) -> StoreResult<Option<Credentials>> {
        let mut select = Query::select();
        select
            .from("users")
            .columns(["id", "password_hash", "disabled"])
            .and_where(Expr::col("email").eq(text(email)));
        let rows = self
            .fetch(&select, &[ColType::Id, ColType::Text, ColType::Bool])
            .await?;
        Ok(rows.into_iter().next().map(|row| {
            let mut row = row.into_iter();
            Credentials {
                user_id: row.next().and_then(|v| v.as_id()).unwrap_or_default(),
                password_hash: as_text(row.next().unwrap_or(Value::Null)),
                disabled: matches!(row.next(), Some(Value::Bool(true))),
            }
        }))
    }

    /// A role's name and its grants (JSON), in one query: every authenticated request needs both.
    pub async fn role_access(&mut self, role_id: Uuid) -> StoreResult<Option<(String, String)>> {
        let mut select = Query::select();
        select
            .from("roles")
            .columns(["name", "grants"])
            .and_where(Expr::col("id").eq(id(role_id)));
        let rows = self.fetch(&select, &[ColType::Text, ColType::Text]).await?;
        Ok(rows.into_iter().next().map(|row| {
            let mut row = row.into_iter();
            (
                as_text(row.next().unwrap_or(Value::Null)),
                as_text(row.next().unwrap_or(Value::Null)),
            )
        }))
    }

    /// Stores a new session.
    pub async fn insert_session(
        &mut self,
        id_hash: &str,
        user_id: Uuid,
        csrf_token: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("sessions")
            .columns(["id", "user_id", "csrf_token", "created_at", "expires_at"])
            .values_panic(
                [
                    text(id_hash),
                    id(user_id),
                    text(csrf_token),
                    time(now),
                    time(expires_at),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// The session with this hashed id, if it exists.
    pub async fn session(&mut self, id_hash: &str) -> StoreResult<Option<SessionRow>> {
        let mut select = Query::select();
        select
            .from("sessions")
            .columns(["user_id", "csrf_token", "expires_at"])
            .and_where(Expr::col("id").eq(text(id_hash)));
        let rows = self
            .fetch(&select, &[ColType::Id, ColType::Text, ColType::Time])
            .await?;
        Ok(rows.into_iter().next().and_then(|row| {
            let mut row = row.into_iter();
            Some(SessionRow {
                user_id: row.next()?.as_id()?,
                csrf_token: as_text(row.next()?),
                expires_at: as_time(&row.next()?)?,
            })
        }))
    }

    /// Ends one session.
    pub async fn delete_session(&mut self, id_hash: &str) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("sessions")
            .and_where(Expr::col("id").eq(text(id_hash)));
        self.execute(&delete).await?;
        Ok(())
    }

    /// Ends every session of a user (when they are disabled or change their password).
    pub async fn delete_user_sessions(&mut self, user_id: Uuid) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("sessions")
            .and_where(Expr::col("user_id").eq(id(user_id)));
        self.execute(&delete).await?;
        Ok(())
    }

    /// Stores a new API token by the hash of its secret.
    pub async fn insert_api_token(
        &mut self,
        row: &ApiTokenRow,
        token_hash: &str,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("api_tokens")
            .columns(["id", "user_id", "name", "token_hash", "created_at"])
            .values_panic(
                [
                    id(row.id),
                    id(row.user_id),
                    text(&row.name),
                    text(token_hash),
                    time(row.created_at),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    const TOKEN_COLUMNS: [&'static str; 6] = [
        "id",
        "user_id",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
    ];
    const TOKEN_TYPES: [ColType; 6] = [
        ColType::Id,
        ColType::Id,
        ColType::Text,
        ColType::Time,
        ColType::Time,
        ColType::Time,
    ];

    fn token_from(row: Vec<Value>) -> Option<ApiTokenRow> {
        let mut row = row.into_iter();
        Some(ApiTokenRow {
            id: row.next()?.as_id()?,
            user_id: row.next()?.as_id()?,
            name: as_text(row.next()?),
            created_at: as_time(&row.next()?)?,
            last_used_at: as_time(&row.next()?),
            revoked_at: as_time(&row.next()?),
        })
    }

    /// The token whose secret hashes to `token_hash`, revoked or not.
    pub async fn api_token_by_hash(
        &mut self,
        token_hash: &str,
    ) -> StoreResult<Option<ApiTokenRow>> {
        let mut select = Query::select();
        select
            .from("api_tokens")
            .columns(Self::TOKEN_COLUMNS)
            .and_where(Expr::col("token_hash").eq(text(token_hash)));
        let rows = self.fetch(&select, &Self::TOKEN_TYPES).await?;
        Ok(rows.into_iter().next().and_then(Self::token_from))
    }

    /// A user's tokens, newest first.
    pub async fn api_tokens_of(&mut self, user_id: Uuid) -> StoreResult<Vec<ApiTokenRow>> {
        let mut select = Query::select();
        select
            .from("api_tokens")
            .columns(Self::TOKEN_COLUMNS)
            .and_where(Expr::col("user_id").eq(id(user_id)))
            .order_by("created_at", Order::Desc)
            .order_by("id", Order::Desc);
        let rows = self.fetch(&select, &Self::TOKEN_TYPES).await?;
        Ok(rows.into_iter().filter_map(Self::token_from).collect())
    }

    /// Revokes a user's token; false when the user has no such active token.
    pub async fn revoke_api_token(
        &mut self,
        token_id: Uuid,
        user_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table("api_tokens")
            .value("revoked_at", time(now))
            .and_where(Expr::col("id").eq(id(token_id)))
            .and_where(Expr::col("user_id").eq(id(user_id)))
            .and_where(Expr::col("revoked_at").is_null());
        Ok(self.execute(&update).await? == 1)
    }

    /// Records that a token was used.
    pub async fn touch_api_token(
        &mut self,
        token_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("api_tokens")
            .value("last_used_at", time(now))
            .and_where(Expr::col("id").eq(id(token_id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// The failed-sign-in record of an email address.
    pub async fn throttle(&mut self, email: &str) -> StoreResult<Option<ThrottleRow>> {
        let mut select = Query::select();
        select
            .from("login_throttle")
            .columns(["email", "failures", "window_start", "locked_until"])
            .and_where(Expr::col("email").eq(text(email)));
        let rows = self
            .fetch(
                &select,
                &[ColType::Text, ColType::Int, ColType::Time, ColType::Time],
            )
            .await?;
        Ok(rows.into_iter().next().and_then(|row| {
            let mut row = row.into_iter();
            Some(ThrottleRow {
                email: as_text(row.next()?),
                failures: match row.next()? {
                    Value::Int(n) => n,
                    _ => 0,
                },
                window_start: as_time(&row.next()?)?,
                locked_until: as_time(&row.next()?),
            })
        }))
    }

    /// Saves the failed-sign-in record of an email address.
    pub async fn put_throttle(&mut self, row: &ThrottleRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("login_throttle")
            .columns(["email", "failures", "window_start", "locked_until"])
            .values_panic(
                [
                    text(&row.email),
                    to_sql(&Value::Int(row.failures), ColType::Int),
                    time(row.window_start),
                    opt_time(row.locked_until),
                ]
                .map(Expr::val),
            )
            .on_conflict(
                OnConflict::column("email")
                    .update_columns(["failures", "window_start", "locked_until"])
                    .to_owned(),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// Forgets the failures of an email address after a successful sign-in.
    pub async fn clear_throttle(&mut self, email: &str) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("login_throttle")
            .and_where(Expr::col("email").eq(text(email)));
        self.execute(&delete).await?;
        Ok(())
    }
}
