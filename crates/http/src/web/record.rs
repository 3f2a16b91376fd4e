//! `GET /{kind}/{id}`: the record page. Customers get the 360° view (PRODUCT.md §2) —
//! attitudes, interactions, transactions, attributes — and every record its timeline.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use peyvand_app::Session;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{ACCOUNTS, CONTACTS, RELATION_TYPES};

use super::format::{Cell, Fmt, load_titles, references};
use super::grants::{GrantRow, grant_rows};
use super::guard::WebSession;
use super::options::{Opt, choice_options, record_choices};
use super::page::{Layout, WebResult, kind_label_one, may, render};
use super::timeline::{TimelineItem, timeline_items};
use super::{parse_id, schema_at};
use crate::AppState;

/// A note as listed.
#[derive(Debug, Clone)]
pub struct NoteItem {
    /// Author's name.
    pub author: String,
    /// When, formatted.
    pub when: String,
    /// Text.
    pub body: String,
    /// Where its delete button posts, when the user may delete it.
    pub delete_action: Option<String>,
}

/// A relationship as listed.
#[derive(Debug, Clone)]
pub struct RelationItem {
    /// How they are related, translated.
    pub relation: String,
    /// The other record's kind, translated.
    pub other_kind: String,
    /// Its title.
    pub title: String,
    /// Its page.
    pub href: String,
    /// Free text.
    pub note: String,
    /// Where the remove button posts, when allowed.
    pub delete_action: Option<String>,
}

/// The record page.
#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordTemplate {
    /// The rendered panel of case and activity pages (status, replies, people); empty otherwise.
    pub service_panel: String,
    /// Frame.
    pub l: Layout,
    /// Title.
    pub heading: String,
    /// Kind name (singular).
    pub kind_one: String,
    /// Base path of the record.
    pub base: String,
    /// Whether this is a customer record (360° view).
    pub customer: bool,
    /// Edit allowed.
    pub can_edit: bool,
    /// Delete allowed.
    pub can_delete: bool,
    /// Lead conversion link, for leads not yet converted.
    pub convert_href: Option<String>,
    /// Grants editor link, for roles.
    pub grants_href: Option<String>,
    /// Visible fields, in schema order (the order of the form).
    pub fields: Vec<Cell>,
    /// Preferences text (attitudes), if the kind has it and it is set.
    pub preferences: Option<String>,
    /// Notes, newest first.
    pub notes: Vec<NoteItem>,
    /// Relationships.
    pub relations: Vec<RelationItem>,
    /// Records to relate to (`kind:id` values).
    pub relate_options: Vec<Opt>,
    /// Relation types.
    pub relation_types: Vec<Opt>,
    /// Timeline.
    pub timeline: Vec<TimelineItem>,
    /// A role's grants matrix.
    pub grants: Vec<GrantRow>,
    /// Sales documents (issue 4): a customer's quotes, orders, invoices and payments.
    pub transactions: Vec<super::sales::TransactionRow>,
    /// A customer's opportunities and payment punctuality (issue 4 §9).
    pub customer_sales: super::customer_sales::CustomerSalesSection,
    /// Satisfaction surveys about the customer (attitudes), newest first.
    pub surveys: Vec<SurveyItem>,
    /// Where the form giving a contact portal access goes, for those who may change it.
    pub portal_action: Option<String>,
    /// Action column headers of the grants matrix.
    pub grant_actions: Vec<String>,
    /// The analytics panel (issue 6): a customer's scores and offers, a product's "also
    /// bought"; empty otherwise.
    pub insights_panel: String,
    /// Contracts (issue 4 §7): the panel of a contract's or a template's page.
    pub contract_panel: String,
    /// Contracts (issue 4 §7): a customer's contracts in the 360° view.
    pub contracts_section: String,
    /// Customer classification (issue 4 §8): the customer's class, offer and price lists.
    pub class_panel: String,
    /// An opportunity's products and quotes (issue 4 §2, §6); empty otherwise.
    pub opportunity_panel: String,
}

/// Fields the record page and its history leave out: a user's preferences have a page of their
/// own, and a case's product words (`product_name`) repeat the product link shown beside them.
pub(super) const NOT_ON_PAGE: [&str; 2] = ["preferences", "product_name"];

/// `GET /{kind}/{id}`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    Query(query): Query<super::sales::PageQuery>,
) -> WebResult<Response> {
    let schema = schema_at(&session, &kind)?;
    let view = state.app.get(&session, schema.kind, parse_id(&id)?).await?;
    // Sales documents (issue 4) have a page of their own: lines, totals, moves, payments.
    if peyvand_app::sales::document_kind(schema.kind).is_some() {
        return super::sales::show(&state, &session, schema, view, query.problem.as_ref()).await;
    }
    let fmt = Fmt::of(&session);
    let base = format!("/{}/{}", schema.path, view.id);
    let entries = state.app.timeline(&session, schema.kind, view.id).await?;
    let timeline = timeline_items(&state.app, &session, schema, &entries).await;

    let visible: Vec<_> = schema
        .fields
        .iter()
        .filter(|f| view.fields.contains_key(f.name) && !NOT_ON_PAGE.contains(&f.name))
        .collect();
    let titles = load_titles(
        &state.app,
        &session,
        references(visible.iter().copied(), [&view.fields]),
    )
    .await;
    let fields = visible
        .iter()
        .map(|def| fmt.cell(def, view.get(def.name), &titles))
        .collect();
    let customer = schema.kind.is_customer();

    let (mut notes, mut relations, mut relate_options) = (Vec::new(), Vec::new(), Vec::new());
    let transactions =
        super::sales::transaction_rows(&state, &session, schema.kind, view.id).await?;
    let customer_sales =
        super::customer_sales::section(&state, &session, schema.kind, view.id).await?;
    if customer {
        notes = note_items(&state, &session, schema.kind, view.id, &base).await?;
        relations = relation_items(&state, &session, schema.kind, view.id, &base).await?;
        relate_options = relate_choices(&state, &session).await;
    }
    let convert_href = (schema.kind == RecordKind::Lead
        && view.get("status").as_text() != Some("converted")
        && may(&session, RecordKind::Contact, Action::Create))
    .then(|| format!("{base}/convert"));
    let (grants, grants_href) = if schema.kind == RecordKind::Role {
        let grants = state.app.role_grants(&session, view.id).await?;
        (
            grant_rows(&fmt, &grants),
            may(&session, RecordKind::Role, Action::Update).then(|| format!("{base}/grants")),
        )
    } else {
        (Vec::new(), None)
    };
    // Activities and customer service (issue 5).
    let service_panel = super::service::record_panel(&state, &session, &view).await?;
    let surveys = survey_items(&state, &session, schema.kind, view.id).await?;
    let portal_action = (schema.kind == RecordKind::Contact
        && may(&session, RecordKind::Contact, Action::Update))
    .then(|| format!("{base}/portal-access"));
    let insights_panel = super::insights::record_panel(&state, &session, &view).await;
    // Contracts (issue 4 §7).
    let contract_panel =
        super::contracts::record_panel(&state, &session, &view, query.problem.as_ref()).await?;
    let contracts_section =
        super::contracts::customer_section(&state, &session, schema.kind, view.id).await?;
    let class_panel = super::classes::customer_panel(&state, &session, &view).await?;
    let opportunity_panel =
        super::opportunity_lines::record_panel(&state, &session, &view, query.problem.as_ref())
            .await?;
    let l = Layout::new(&session, view.title.clone(), schema.path);
    let template = RecordTemplate {
        insights_panel,
        contract_panel,
        contracts_section,
        class_panel,
        opportunity_panel,
        service_panel,
        heading: view.title.clone(),
        kind_one: kind_label_one(session.locale, schema.kind),
        base,
        customer,
        can_edit: may(&session, schema.kind, Action::Update),
        can_delete: may(&session, schema.kind, Action::Delete),
        convert_href,
        grants_href,
        fields,
        preferences: view.get("preferences").as_text().map(str::to_owned),
        notes,
        relations,
        relate_options,
        relation_types: choice_options(&fmt, RELATION_TYPES, ""),
        timeline,
        grants,
        transactions,
        customer_sales,
        surveys,
        portal_action,
        grant_actions: Action::ALL
            .iter()
            .map(|a| l.t(&format!("action-{}", a.code())))
            .collect(),
        l,
    };
    Ok(render(&template))
}

/// One satisfaction survey in the 360° view.
pub struct SurveyItem {
    /// When it was sent.
    pub sent: String,
    /// The answer, when there is one: satisfaction (1–5) and recommendation (0–10).
    pub scores: Option<(String, String)>,
    /// The customer's comment.
    pub comment: String,
    /// The case it asks about.
    pub case_href: String,
}

async fn survey_items(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    id: uuid::Uuid,
) -> WebResult<Vec<SurveyItem>> {
    let fmt = Fmt::of(session);
    let surveys = state.app.surveys_of(session, kind, id).await?;
    Ok(surveys
        .into_iter()
        .map(|s| SurveyItem {
            sent: fmt.datetime(s.created_at),
            scores: s
                .csat
                .zip(s.nps)
                .map(|(csat, nps)| (fmt.integer(csat), fmt.integer(nps))),
            comment: s.comment.unwrap_or_default(),
            case_href: format!("/cases/{}", s.case_id),
        })
        .collect())
}

async fn note_items(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    id: uuid::Uuid,
    base: &str,
) -> WebResult<Vec<NoteItem>> {
    let fmt = Fmt::of(session);
    let notes = state.app.notes(session, kind, id).await?;
    let authors = load_titles(
        &state.app,
        session,
        notes.iter().map(|n| (RecordKind::User, n.author_id)),
    )
    .await;
    let can_delete = may(session, kind, Action::Delete);
    Ok(notes
        .into_iter()
        .map(|note| NoteItem {
            author: authors
                .get(&(RecordKind::User, note.author_id))
                .cloned()
                .unwrap_or_else(|| fmt_someone(&fmt)),
            when: fmt.datetime(note.created_at),
            delete_action: (note.author_id == session.actor.user_id || can_delete)
                .then(|| format!("{base}/notes/{}/delete", note.id)),
            body: note.body,
        })
        .collect())
}

fn fmt_someone(fmt: &Fmt) -> String {
    crate::i18n::t(fmt.locale, "someone")
}

async fn relation_items(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    id: uuid::Uuid,
    base: &str,
) -> WebResult<Vec<RelationItem>> {
    let fmt = Fmt::of(session);
    let can_edit = may(session, kind, Action::Update);
    Ok(state
        .app
        .relationships(session, kind, id)
        .await?
        .into_iter()
        .map(|rel| RelationItem {
            relation: fmt.choice(&rel.row.relation_type),
            other_kind: kind_label_one(session.locale, rel.other_kind),
            href: format!(
                "/{}/{}",
                peyvand_domain::record::schema(rel.other_kind).path,
                rel.other_id
            ),
            title: rel.other_title,
            note: rel.row.note.unwrap_or_default(),
            // Only the record a relationship starts from may remove it (the app checks again).
            delete_action: (can_edit && rel.row.from_id == id)
                .then(|| format!("{base}/relationships/{}/delete", rel.row.id)),
        })
        .collect())
}

/// Accounts and contacts the user may read, as `kind:id` options grouped by kind name.
async fn relate_choices(state: &AppState, session: &Session) -> Vec<Opt> {
    let mut options = Vec::new();
    for schema in [&ACCOUNTS, &CONTACTS] {
        let kind_name = kind_label_one(session.locale, schema.kind);
        for (id, title) in record_choices(&state.app, session, schema.kind).await {
            options.push(Opt {
                value: format!("{}:{id}", schema.kind.code()),
                label: format!("{title} ({kind_name})"),
                selected: false,
            });
        }
    }
    options
}
