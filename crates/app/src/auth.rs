//! Signing in: passwords, web sessions with their CSRF token, personal API tokens, throttling of
//! failed attempts, and turning a session or token into the acting user.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use peyvand_domain::calendar::{CalendarKind, Locale};
use peyvand_domain::email::Email;
use peyvand_domain::permission::{Actor, Grants};
use peyvand_domain::record::{USERS, Value};
use peyvand_store::{ApiTokenRow, ThrottleRow, Tx};
use sha2::{Digest, Sha256};
use time::Duration;
use uuid::Uuid;

use crate::App;
use crate::error::{AppError, AppResult};

/// Failed sign-ins allowed for one email address within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: i64 = 5;
/// The window in which failures are counted, and how long sign-in is then refused.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// How long a web session lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;

/// The signed-in user as pages and endpoints need them.
#[derive(Debug, Clone)]
pub struct Session {
    /// Identity, place and rights, for access checks.
    pub actor: Actor,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Interface language.
    pub locale: Locale,
    /// Calendar for dates.
    pub calendar: CalendarKind,
    /// The CSRF token of a web session; None for API tokens (they need none: no cookie, no CSRF).
    pub csrf_token: Option<String>,
    /// The role's name, for display.
    pub role_name: String,
    /// The record schemas (with custom fields) in force when the session was loaded.
    pub schemas: std::sync::Arc<crate::Schemas>,
}

impl Session {
    /// The schema of `kind` as this session sees it, with its custom fields.
    pub fn schema(
        &self,
        kind: peyvand_domain::permission::RecordKind,
    ) -> &'static peyvand_domain::record::Schema {
        self.schemas.schema(kind)
    }
}

/// A fresh random secret: 32 bytes, URL-safe base64.
pub(crate) fn new_secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Secrets are stored only as SHA-256: a leaked database does not hand out sessions or tokens.
/// (They are long random values, so a fast hash is enough; passwords get argon2.)
pub(crate) fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

/// Hashes a password with argon2id (on a blocking thread: it is deliberately slow).
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let password = password.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Checks a new password's strength; the rules are few on purpose (length beats composition).
pub fn check_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::field(
            "password",
            peyvand_domain::validation::FieldError::TOO_SHORT,
        ));
    }
    Ok(())
}

impl App {
    /// Checks an email and password; on success returns the user's id. Failed attempts are
    /// counted per address and, past [`MAX_FAILURES`], sign-in is refused for a while, even with
    /// the right password.
    pub async fn check_credentials(&self, email: &str, password: &str) -> AppResult<Uuid> {
        let email = sign_in_address(email);
        let mut tx = self.store.write().await?;
        let credentials = tx.credentials(&email).await?;
        let account = credentials
            .as_ref()
            .map(|c| (c.password_hash.as_str(), !c.disabled));
        let accepted = throttled_check(&mut tx, &email, self.now(), account, password).await?;
        tx.commit().await?;
        match credentials {
            Some(c) if accepted => Ok(c.user_id),
            _ => Err(AppError::BadCredentials),
        }
    }

    /// Starts a web session; returns the cookie value (shown once, stored only hashed).
    pub async fn create_session(&self, user_id: Uuid) -> AppResult<String> {
        let secret = new_secret()?;
        let csrf = new_secret()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.insert_session(
            &secret_hash(&secret),
            user_id,
            &csrf,
            now,
            now + SESSION_LIFETIME,
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Ends a web session.
    pub async fn end_session(&self, cookie: &str) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        tx.delete_session(&secret_hash(cookie)).await?;
        tx.commit().await?;
        self.sessions_changed(None);
        Ok(())
    }

    /// The user behind a session cookie, if the session is valid and the user enabled.
    pub async fn session_from_cookie(&self, cookie: &str) -> AppResult<Arc<Session>> {
        let key = format!("s:{}", secret_hash(cookie));
        let now = self.now();
        if let Some(session) = self.sessions.get(&key, now) {
            return Ok(session);
        }
        let mut tx = self.store.read().await?;
        let row = tx
            .session(&key[2..])
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if row.expires_at <= now {
            return Err(AppError::Unauthenticated);
        }
        let schemas = self.current_schemas(&mut tx).await?;
        let mut session = load_session(&mut tx, row.user_id, schemas).await?;
        session.csrf_token = Some(row.csrf_token);
        let session = Arc::new(session);
        self.sessions
            .put(key, session.clone(), Some(row.expires_at));
        Ok(session)
    }

    /// The user behind a bearer token, if the token is valid and not revoked.
    pub async fn session_from_token(&self, token: &str) -> AppResult<Arc<Session>> {
        let key = format!("t:{}", secret_hash(token));
        let now = self.now();
        if let Some(session) = self.sessions.get(&key, now) {
            return Ok(session);
        }
        let mut tx = self.store.read().await?;
        let row = tx
            .api_token_by_hash(&key[2..])
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if row.revoked_at.is_some() {
            return Err(AppError::Unauthenticated);
        }
        let schemas = self.current_schemas(&mut tx).await?;
        let session = load_session(&mut tx, row.user_id, schemas).await?;
        drop(tx);
        // Noting the last use costs a write; once a minute is enough to show it in the list.
        // It queues with the other writes: on a transaction of its own it waited for SQLite's
        // write lock, which a stream of creates hardly ever leaves free, and held up the
        // requests carrying the token for up to seconds.
        if row
            .last_used_at
            .is_none_or(|at| now - at > Duration::minutes(1))
        {
            let token = row.id;
            self.write_repeatable(move |tx| {
                Box::pin(async move { Ok(tx.touch_api_token(token, now).await?) })
            })
            .await?;
        }
        let session = Arc::new(session);
        self.sessions.put(key, session.clone(), None);
        Ok(session)
    }

    /// The session of a user by id (command line tools act as a user).
    pub async fn session_for_user(&self, user_id: Uuid) -> AppResult<Session> {
        let mut tx = self.store.read().await?;
        let schemas = self.current_schemas(&mut tx).await?;
        load_session(&mut tx, user_id, schemas).await
    }

    /// Makes a personal API token for the signed-in user; the secret is returned only now.
    pub async fn create_api_token(
        &self,
        session: &Session,
        name: &str,
    ) -> AppResult<(ApiTokenRow, String)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::field(
                "name",
                peyvand_domain::validation::FieldError::REQUIRED,
            ));
        }
        if name.chars().count() > 100 {
            return Err(AppError::field(
                "name",
                peyvand_domain::validation::FieldError::TOO_LONG,
            ));
        }
        let secret = format!("pv_{}", new_secret()?);
        let row = ApiTokenRow {
            id: Uuid::now_v7(),
            user_id: session.actor.user_id,
            name: name.to_owned(),
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.store.write().await?;
        tx.insert_api_token(&row, &secret_hash(&secret)).await?;
        tx.commit().await?;
        Ok((row, secret))
    }

    /// The signed-in user's API tokens.
    pub async fn api_tokens(&self, session: &Session) -> AppResult<Vec<ApiTokenRow>> {
        let mut tx = self.store.read().await?;
        Ok(tx.api_tokens_of(session.actor.user_id).await?)
    }

    /// Revokes one of the signed-in user's tokens.
    pub async fn revoke_api_token(&self, session: &Session, token_id: Uuid) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        if !tx
            .revoke_api_token(token_id, session.actor.user_id, self.now())
            .await?
        {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        self.sessions_changed(None);
        Ok(())
    }
}

/// The throttle record after one more failure at `now`.
fn next_throttle(
    previous: Option<ThrottleRow>,
    email: &str,
    now: time::OffsetDateTime,
) -> ThrottleRow {
    let mut row = match previous {
        Some(row) if now - row.window_start < THROTTLE_WINDOW => row,
        _ => ThrottleRow {
            email: email.to_owned(),
            failures: 0,
            window_start: now,
            locked_until: None,
        },
    };
    row.failures += 1;
    if row.failures >= MAX_FAILURES {
        row.locked_until = Some(now + THROTTLE_WINDOW);
    }
    row
}

/// A valid argon2 hash of a random password nobody knows, verified when the email is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Xw0p9cYdbG0bPcNB2M06Mp2gRfxdH8zBa4sY0LQgFxA";

/// Loads who a user is and what they may do; disabled users and missing roles are refused.
pub(crate) async fn load_session(
    tx: &mut Tx,
    user_id: Uuid,
    schemas: std::sync::Arc<crate::Schemas>,
) -> AppResult<Session> {
    let user = tx
        .get_record(&USERS, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let get = |name: &str| user.fields.get(name).cloned().unwrap_or(Value::Null);
    if get("disabled") == Value::Bool(true) {
        return Err(AppError::Unauthenticated);
    }
    let role_id = get("role_id").as_id().ok_or(AppError::Unauthenticated)?;
    let (role_name, grants_json) = tx
        .role_access(role_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let grants: Grants = serde_json::from_str(&grants_json)
        .map_err(|e| AppError::Internal(format!("bad grants: {e}")))?;
    let text = |name: &str| get(name).as_text().unwrap_or_default().to_owned();
    Ok(Session {
        actor: Actor {
            user_id,
            team_id: get("team_id").as_id(),
            branch_id: get("branch_id").as_id().ok_or(AppError::Unauthenticated)?,
            grants,
        },
        name: text("name"),
        email: text("email"),
        locale: Locale::parse(&text("locale")).unwrap_or_default(),
        calendar: CalendarKind::parse(&text("calendar")).unwrap_or_default(),
        csrf_token: None,
        role_name,
        schemas,
    })
}

/// An address as typed at sign-in, normalised like stored addresses (or trimmed and lowercased
/// when it is not a valid address, so that failures are still counted under one key).
pub(crate) fn sign_in_address(email: &str) -> String {
    Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| email.trim().to_lowercase())
}

/// Checks `password` for a sign-in counted under throttle key `key`. `account` is the stored
/// hash and whether the account may sign in, or `None` when there is no such account — then a
/// dummy hash is verified, so timing does not reveal which addresses have accounts. While the
/// key is locked out every attempt is refused, even with the right password; a failure is
/// counted and a success clears the count, in `tx` (the caller commits).
pub(crate) async fn throttled_check(
    tx: &mut peyvand_store::Tx,
    key: &str,
    now: time::OffsetDateTime,
    account: Option<(&str, bool)>,
    password: &str,
) -> AppResult<bool> {
    let throttle = tx.throttle(key).await?;
    if throttle
        .as_ref()
        .and_then(|t| t.locked_until)
        .is_some_and(|until| until > now)
    {
        return Err(AppError::TooManyAttempts);
    }
    let hash = account.map_or(DUMMY_HASH, |(hash, _)| hash);
    let password_ok = verify_password(password, hash).await;
    if password_ok && account.is_some_and(|(_, enabled)| enabled) {
        tx.clear_throttle(key).await?;
        Ok(true)
    } else {
        tx.put_throttle(&next_throttle(throttle, key, now)).await?;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn throttle_locks_after_max_failures_and_forgets_old_ones() {
        let start = datetime!(2026-01-01 10:00 UTC);
        let mut row = None;
        for i in 1..=MAX_FAILURES {
            let next = next_throttle(row, "a@b.co", start + Duration::seconds(i));
            assert_eq!(next.failures, i);
            assert_eq!(next.locked_until.is_some(), i == MAX_FAILURES);
            row = Some(next);
        }
        let later = next_throttle(
            row,
            "a@b.co",
            start + THROTTLE_WINDOW + Duration::minutes(1),
        );
        assert_eq!(later.failures, 1);
        assert_eq!(later.locked_until, None);
    }

    #[test]
    fn dummy_hash_parses_so_unknown_users_cost_the_same() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_ne!(secret_hash(&a), a);
        assert_eq!(secret_hash(&a), secret_hash(&a));
    }
}
