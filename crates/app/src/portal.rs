//! The customer portal (issue 5): contacts whom staff gave access sign in with accounts of
//! their own — apart from staff users, with their own sessions — and see only their
//! organisation's cases: file a new one, follow it, reply. A case that is not theirs is "not
//! found", like a record outside a staff member's scope.

use std::collections::BTreeMap;

use peyvand_domain::calendar::{CalendarKind, Locale};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{CASES, CONTACTS, Input, Value};
use peyvand_domain::service::case_flow::{CaseStatus, EntryKind};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{CaseEntryRow, PortalSessionRow, PortalUserRow, RecordRow, RecordsWhere, Tx};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::auth::{
    SESSION_LIFETIME, Session, hash_password, new_secret, secret_hash, sign_in_address,
    throttled_check,
};
use crate::error::{AppError, AppResult};
use crate::records::read_checked;
use crate::service::CaseEntry;

/// Shortest portal password.
pub const PASSWORD_MIN: usize = 8;
/// Most cases the portal lists.
const CASES_LIMIT: u64 = 200;

/// A signed-in portal user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSession {
    /// The portal account.
    pub user_id: Uuid,
    /// The contact it belongs to.
    pub contact_id: Uuid,
    /// The contact's organisation, whose cases the user sees too.
    pub account_id: Option<Uuid>,
    /// The contact's name.
    pub name: String,
    /// The language of the pages.
    pub locale: Locale,
    /// The token every form must carry.
    pub csrf_token: String,
}

/// A case as its customer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalCase {
    /// Its id.
    pub id: Uuid,
    /// Its number.
    pub number: String,
    /// What it is about.
    pub subject: String,
    /// The customer's description.
    pub description: String,
    /// `request` or `complaint`.
    pub case_type: String,
    /// Where it is (status code).
    pub status: String,
    /// When it was filed.
    pub created_at: OffsetDateTime,
}

fn text(row: &RecordRow, name: &str) -> String {
    row.fields
        .get(name)
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_owned()
}

fn portal_case(row: &RecordRow) -> PortalCase {
    PortalCase {
        id: row.id,
        number: text(row, "number"),
        subject: text(row, "subject"),
        description: text(row, "description"),
        case_type: text(row, "case_type"),
        status: text(row, "status"),
        created_at: match row.fields.get("created_at") {
            Some(Value::Time(at)) => *at,
            _ => OffsetDateTime::UNIX_EPOCH,
        },
    }
}

/// A quote, order or invoice as its customer sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalDocument {
    /// Quote, order or invoice.
    pub kind: RecordKind,
    /// Its id.
    pub id: Uuid,
    /// Its number.
    pub number: String,
    /// Its status code.
    pub status: String,
    /// Its total in Rials.
    pub total: i64,
    /// When it was issued.
    pub issue_date: Option<time::Date>,
}

/// Quotes still being drafted or waiting for a manager's approval are internal.
fn shown_to_customer(kind: RecordKind, row: &RecordRow) -> bool {
    let status = row.fields.get("status").and_then(Value::as_text);
    let pending = row.fields.get("approval").and_then(Value::as_text) == Some("pending");
    let draft = kind == RecordKind::Quote && status == Some("draft");
    !(pending || draft)
}

/// Whether the case belongs to the portal user's contact or organisation.
fn belongs(case: &RecordRow, portal: &PortalSession) -> bool {
    let id = |name| case.fields.get(name).and_then(Value::as_id);
    id("contact_id") == Some(portal.contact_id)
        || (portal.account_id.is_some() && id("account_id") == portal.account_id)
}

async fn cases_where(tx: &mut Tx, column: &'static str, id: Uuid) -> AppResult<Vec<RecordRow>> {
    Ok(tx
        .records_where(&RecordsWhere {
            schema: &CASES,
            access: &peyvand_domain::permission::RowFilter::Everything,
            equals: vec![(column, Value::Id(id))],
            people: None,
            date_between: None,
            due_by: None,
            not_in: None,
            order_by: "created_at",
            limit: CASES_LIMIT,
        })
        .await?)
}

impl App {
    /// Gives a contact portal access with `password` (or a new password), signing in with the
    /// contact's email. Staff who may change the contact may do this.
    pub async fn grant_portal_access(
        &self,
        session: &Session,
        contact_id: Uuid,
        password: &str,
    ) -> AppResult<()> {
        if password.chars().count() < PASSWORD_MIN {
            return Err(AppError::field("password", FieldError::TOO_SHORT));
        }
        let hash = hash_password(password).await?;
        let mut tx = self.store.write().await?;
        let (contact, _) = read_checked(
            &mut tx,
            session,
            RecordKind::Contact,
            contact_id,
            Action::Update,
        )
        .await?;
        let email = contact
            .fields
            .get("email")
            .and_then(Value::as_text)
            .ok_or(AppError::field("email", FieldError::REQUIRED))?
            .to_owned();
        let id = match tx.portal_user_of(contact_id).await? {
            Some(existing) => existing.id,
            None => Uuid::now_v7(),
        };
        let row = PortalUserRow {
            id,
            contact_id,
            email,
            password_hash: hash,
            disabled: false,
        };
        tx.put_portal_user(&row, self.now())
            .await
            .map_err(|_| AppError::field("email", FieldError::TAKEN))?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs a portal user in; returns the session cookie's secret. Failures are throttled like
    /// staff sign-ins, and the two failures (no such user, wrong password) look alike.
    pub async fn portal_sign_in(&self, email: &str, password: &str) -> AppResult<String> {
        let email = sign_in_address(email);
        let now = self.now();
        let mut tx = self.store.write().await?;
        let user = tx.portal_user_by_email(&email).await?;
        let account = user
            .as_ref()
            .map(|u| (u.password_hash.as_str(), !u.disabled));
        // Portal sign-ins are counted apart from staff ones with the same address.
        let key = format!("portal:{email}");
        let accepted = throttled_check(&mut tx, &key, now, account, password).await?;
        let Some(user) = user.filter(|_| accepted) else {
            tx.commit().await?;
            return Err(AppError::BadCredentials);
        };
        let secret = new_secret()?;
        let row = PortalSessionRow {
            portal_user_id: user.id,
            csrf_token: new_secret()?,
            expires_at: now + SESSION_LIFETIME,
        };
        tx.insert_portal_session(&secret_hash(&secret), &row, now)
            .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// The portal user behind a session cookie.
    pub async fn portal_session(&self, cookie: &str) -> AppResult<PortalSession> {
        let mut tx = self.store.read().await?;
        let row = tx
            .portal_session(&secret_hash(cookie))
            .await?
            .filter(|s| s.expires_at > self.now())
            .ok_or(AppError::Unauthenticated)?;
        let user = tx
            .portal_user(row.portal_user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AppError::Unauthenticated)?;
        let contact = tx
            .get_record(&CONTACTS, user.contact_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let name = peyvand_domain::record::title(&CONTACTS, &contact.fields);
        let locale = contact
            .fields
            .get("preferred_language")
            .and_then(Value::as_text)
            .and_then(Locale::parse)
            .unwrap_or_default();
        Ok(PortalSession {
            user_id: user.id,
            contact_id: user.contact_id,
            account_id: contact.fields.get("account_id").and_then(Value::as_id),
            name,
            locale,
            csrf_token: row.csrf_token,
        })
    }

    /// Ends a portal session.
    pub async fn portal_sign_out(&self, cookie: &str) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        tx.delete_portal_session(&secret_hash(cookie)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cases of the portal user's contact and organisation, newest first.
    pub async fn portal_cases(&self, portal: &PortalSession) -> AppResult<Vec<PortalCase>> {
        let mut tx = self.store.read().await?;
        let mut rows = cases_where(&mut tx, "contact_id", portal.contact_id).await?;
        if let Some(account) = portal.account_id {
            let known: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let more = cases_where(&mut tx, "account_id", account).await?;
            rows.extend(more.into_iter().filter(|r| !known.contains(&r.id)));
        }
        let mut cases: Vec<PortalCase> = rows.iter().map(portal_case).collect();
        cases.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(cases)
    }

    /// One of the portal user's cases with the replies and the customer's own messages (never
    /// internal notes), oldest first; another customer's case is not found.
    pub async fn portal_case(
        &self,
        portal: &PortalSession,
        id: Uuid,
    ) -> AppResult<(PortalCase, Vec<CaseEntry>)> {
        let mut tx = self.store.read().await?;
        let case = tx
            .get_record(&CASES, id)
            .await?
            .filter(|c| belongs(c, portal))
            .ok_or(AppError::NotFound)?;
        let entries = tx
            .case_entries(id)
            .await?
            .into_iter()
            .filter(|e| e.entry_kind != EntryKind::InternalNote.code())
            .map(|e| CaseEntry {
                id: e.id,
                kind: EntryKind::parse(&e.entry_kind).map_or("reply", EntryKind::code),
                body: e.body,
                author_id: e.author_id,
                created_at: e.created_at,
            })
            .collect();
        Ok((portal_case(&case), entries))
    }

    /// Files a new case for the portal user's contact (channel: portal). It is numbered,
    /// routed and given its service-level clocks like any other, owned at first by the
    /// contact's account manager.
    pub async fn portal_file_case(
        &self,
        portal: &PortalSession,
        case_type: &str,
        subject: &str,
        description: &str,
    ) -> AppResult<Uuid> {
        let mut tx = self.store.read().await?;
        let contact = tx
            .get_record(&CONTACTS, portal.contact_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        drop(tx);
        let mut inputs: BTreeMap<String, Input> = BTreeMap::new();
        let mut put = |name: &str, value: String| {
            inputs.insert(name.to_owned(), Input::Text(value));
        };
        put("case_type", case_type.to_owned());
        put("subject", subject.to_owned());
        put("description", description.to_owned());
        put("channel", "portal".to_owned());
        put("contact_id", portal.contact_id.to_string());
        if let Some(account) = portal.account_id {
            put("account_id", account.to_string());
        }
        for name in ["owner_id", "branch_id"] {
            if let Some(id) = contact.fields.get(name).and_then(Value::as_id) {
                put(name, id.to_string());
            }
        }
        // The system files it: the customer is not a staff member with rights of their own.
        let headquarters = contact
            .fields
            .get("branch_id")
            .and_then(Value::as_id)
            .unwrap_or_default();
        let system = self.system_session(headquarters);
        let (now, validated) = (self.now(), inputs);
        let view = self
            .write(move |tx| {
                Box::pin(async move {
                    crate::writes::create_in(
                        tx,
                        now,
                        &system,
                        RecordKind::Case,
                        &validated,
                        CalendarKind::Gregorian,
                        &[],
                    )
                    .await
                })
            })
            .await?;
        Ok(view.id)
    }

    /// Adds the customer's message to one of their cases. A case waiting for the customer goes
    /// back to work.
    pub async fn portal_reply(
        &self,
        portal: &PortalSession,
        id: Uuid,
        body: &str,
    ) -> AppResult<()> {
        let body = body.trim().to_owned();
        let mut errors = ValidationErrors::new();
        if body.is_empty() {
            errors.add("body", FieldError::REQUIRED);
        } else if body.chars().count() > peyvand_domain::record::LONG_TEXT_MAX {
            errors.add("body", FieldError::TOO_LONG);
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let (now, portal, system) = (self.now(), portal.clone(), self.system_session(Uuid::nil()));
        self.write(move |tx| {
            Box::pin(async move {
                let case = tx
                    .get_record(&CASES, id)
                    .await?
                    .filter(|c| belongs(c, &portal))
                    .ok_or(AppError::NotFound)?;
                let entry = CaseEntryRow {
                    id: Uuid::now_v7(),
                    case_id: id,
                    entry_kind: EntryKind::Customer.code().into(),
                    body,
                    author_id: None,
                    created_at: now,
                };
                tx.insert_case_entry(&entry).await?;
                tx.insert_audit(&peyvand_store::AuditRow {
                    id: Uuid::now_v7(),
                    record_kind: RecordKind::Case.code().to_owned(),
                    record_id: id,
                    action: "customer".to_owned(),
                    actor_id: None,
                    at: now,
                    changes: serde_json::json!({"entry": entry.id, "portal_user": portal.user_id})
                        .to_string(),
                })
                .await?;
                let waiting = case.fields.get("status").and_then(Value::as_text)
                    == Some(CaseStatus::WaitingCustomer.code());
                if waiting {
                    crate::service::transition_in(
                        tx,
                        now,
                        &system,
                        id,
                        CaseStatus::InProgress.code(),
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
    }
}

impl App {
    /// The quotes (once sent), orders and invoices of the portal user's contact and
    /// organisation, newest first.
    pub async fn portal_documents(&self, portal: &PortalSession) -> AppResult<Vec<PortalDocument>> {
        use peyvand_domain::record::sales::{INVOICES, ORDERS, QUOTES};
        let mut tx = self.store.read().await?;
        let mut documents = Vec::new();
        for schema in [&QUOTES, &ORDERS, &INVOICES] {
            let mut seen = Vec::new();
            let mut places = vec![("contact_id", portal.contact_id)];
            places.extend(portal.account_id.map(|id| ("account_id", id)));
            for (column, id) in places {
                let rows = tx
                    .records_where(&RecordsWhere {
                        schema,
                        access: &peyvand_domain::permission::RowFilter::Everything,
                        equals: vec![(column, Value::Id(id))],
                        people: None,
                        date_between: None,
                        due_by: None,
                        not_in: None,
                        order_by: "created_at",
                        limit: CASES_LIMIT,
                    })
                    .await?;
                for row in rows {
                    if seen.contains(&row.id) || !shown_to_customer(schema.kind, &row) {
                        continue;
                    }
                    seen.push(row.id);
                    documents.push(PortalDocument {
                        kind: schema.kind,
                        id: row.id,
                        number: text(&row, "number"),
                        status: text(&row, "status"),
                        total: match row.fields.get("total") {
                            Some(Value::Int(n)) => *n,
                            _ => 0,
                        },
                        issue_date: match row.fields.get("issue_date") {
                            Some(Value::Date(d)) => Some(*d),
                            _ => None,
                        },
                    });
                }
            }
        }
        // Contracts (issue 5 §7): the organisation's contracts once past draft.
        documents.extend(crate::contracts::portal_contracts(&mut tx, portal).await?);
        documents.sort_by(|a, b| b.issue_date.cmp(&a.issue_date).then(b.id.cmp(&a.id)));
        Ok(documents)
    }

    /// A session that may read document `id` of `kind`, for showing it to the portal user
    /// whose organisation's it is; another customer's document is not found. (The printable
    /// page reads documents through staff sessions: this one is the system's, used only after
    /// the check.)
    pub async fn portal_document_reader(
        &self,
        portal: &PortalSession,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Session> {
        let ours = self
            .portal_documents(portal)
            .await?
            .iter()
            .any(|d| d.kind == kind && d.id == id);
        if !ours {
            return Err(AppError::NotFound);
        }
        Ok(self.system_session(Uuid::nil()))
    }
}
