//! What every page shares: the layout (language, direction, navigation, user bar), rendering a
//! template into a response, and errors shown as pages.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use peyvand_app::error::lookup;
use peyvand_app::{AppError, Session};
use peyvand_domain::calendar::Locale;
use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_domain::record::{ALL_SCHEMAS, schema};

use crate::i18n::{t, t_args};

/// One entry of the navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where it goes.
    pub href: String,
    /// Its label.
    pub label: String,
    /// Whether it is the section being shown (marked with `aria-current`).
    pub current: bool,
}

/// The groups the navigation is arranged in: the top row names them, the second row lists the
/// pages of the group being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavGroup {
    /// Accounts, contacts and leads.
    Customers,
    /// Deals, documents, contracts and the sales reports.
    Sales,
    /// What sales is set up with and rarely opened: the catalogue, price lists, pipelines and
    /// their stages, loss reasons, targets and contract templates. A group of their own, so
    /// the Sales row stays one line wide on a desktop screen (it held 19 pages).
    SalesSetup,
    /// Activities, the agenda, cases and the service report.
    Service,
    /// The analytical CRM.
    Analytics,
    /// People, organisation and set-up.
    Administration,
}

impl NavGroup {
    /// Every group in the order shown.
    pub const ALL: [NavGroup; 6] = [
        NavGroup::Customers,
        NavGroup::Sales,
        NavGroup::SalesSetup,
        NavGroup::Service,
        NavGroup::Analytics,
        NavGroup::Administration,
    ];

    /// The translation key of the group's name.
    pub fn label_key(self) -> &'static str {
        match self {
            NavGroup::Customers => "nav-group-customers",
            NavGroup::Sales => "nav-group-sales",
            NavGroup::SalesSetup => "nav-group-sales-setup",
            NavGroup::Service => "nav-group-service",
            NavGroup::Analytics => "nav-group-analytics",
            NavGroup::Administration => "nav-group-administration",
        }
    }

    /// The group a record kind's list belongs to; kinds not named are set-up.
    pub fn of(kind: RecordKind) -> NavGroup {
        use RecordKind as K;
        match kind {
            // SMS templates serve the bulk SMS of the customer lists (issue 5 §5).
            K::Account | K::Contact | K::Lead | K::SmsTemplate => NavGroup::Customers,
            K::Opportunity | K::Quote | K::Order | K::Invoice | K::Payment | K::Contract => {
                NavGroup::Sales
            }
            K::ContractTemplate
            | K::Product
            | K::PriceList
            | K::PriceListItem
            | K::BundleItem
            | K::SalesTarget
            | K::Pipeline
            | K::PipelineStage
            | K::LossReason => NavGroup::SalesSetup,
            K::Activity | K::Case => NavGroup::Service,
            _ => NavGroup::Administration,
        }
    }
}

/// Every navigation entry the user may use, with its group, in the order shown.
fn nav_links(session: &Session, section: &str) -> Vec<(NavGroup, NavLink)> {
    let locale = session.locale;
    let may_read = |kind: RecordKind| session.actor.grants.scope(kind, Action::Read) != Scope::None;
    let link = |path: &str, label: String| NavLink {
        href: format!("/{path}"),
        label,
        current: section == path,
    };
    // Within a group: its pages (dashboards, agenda, reports) first — the group opens on the
    // first —, then the lists of records, then the set-up lists.
    const PAGE: u8 = 0;
    const LIST: u8 = 1;
    const SETUP: u8 = 2;
    let mut links: Vec<(NavGroup, u8, NavLink)> = Vec::new();
    for schema in ALL_SCHEMAS {
        // Customer lists are always offered (an empty list explains itself); other kinds only
        // to those who may read them.
        if schema.kind.is_customer() || may_read(schema.kind) {
            let label = t(locale, &format!("kind-{}", schema.path));
            let rank = if is_setup(schema.kind) { SETUP } else { LIST };
            links.push((NavGroup::of(schema.kind), rank, link(schema.path, label)));
        }
    }
    // Activities and customer service (issue 5).
    if may_read(RecordKind::Activity) {
        links.push((
            NavGroup::Service,
            PAGE,
            link("agenda", t(locale, "nav-agenda")),
        ));
    }
    if may_read(RecordKind::Case) {
        let mut report = link("reports/service", t(locale, "report-service-title"));
        report.current = section == "service-report";
        links.push((NavGroup::Service, PAGE, report));
    }
    // Sales pipeline (issue 4): the board and the reports, for those who see deals.
    if may_read(RecordKind::Opportunity) {
        for (path, key) in [
            // The sales dashboard (issue 4 §10) first: the group opens on it.
            ("sales/dashboard", "sales-dashboard"),
            ("sales/board", "sales-board"),
            ("sales/funnel", "sales-funnel"),
            ("sales/forecast", "sales-forecast"),
            ("sales/targets", "sales-targets-progress"),
        ] {
            links.push((NavGroup::Sales, PAGE, link(path, t(locale, key))));
        }
    }
    // Bulk SMS (issue 5 §5), for those who may export contacts; after the customer lists.
    if session
        .actor
        .grants
        .scope(RecordKind::Contact, Action::Export)
        != Scope::None
    {
        links.push((
            NavGroup::Customers,
            SETUP,
            link("sms-campaigns", t(locale, "campaign-title")),
        ));
    }
    // The analytical CRM (issue 6), for those who may see it.
    if peyvand_app::insights::may_see_analytics(session) {
        links.push((
            NavGroup::Analytics,
            PAGE,
            link("insights", t(locale, "insights-title")),
        ));
    }
    links.push((
        NavGroup::Administration,
        PAGE,
        link("settings", t(locale, "nav-settings")),
    ));
    links.sort_by_key(|(group, rank, _)| (NavGroup::ALL.iter().position(|g| g == group), *rank));
    links
        .into_iter()
        .map(|(group, _, link)| (group, link))
        .collect()
}

/// Kinds an administrator or manager sets up once and rarely opens: listed after the pages
/// of their group that people use every day.
fn is_setup(kind: RecordKind) -> bool {
    use RecordKind as K;
    matches!(
        kind,
        K::Product
            | K::PriceList
            | K::PriceListItem
            | K::BundleItem
            | K::SalesTarget
            | K::Pipeline
            | K::PipelineStage
            | K::LossReason
            | K::ContractTemplate
            | K::SmsTemplate
            | K::CaseCategory
            | K::RoutingRule
            | K::SlaTarget
            | K::Holiday
    )
}

/// The frame around every page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Language of the page.
    pub locale: Locale,
    /// The `<title>` (the app name is added by the template).
    pub title: String,
    /// Signed-in user's name, if any (the login page has none).
    pub user_name: Option<String>,
    /// Signed-in user's role name.
    pub role_name: String,
    /// The dashboard's entry, before the groups.
    pub dashboard: NavLink,
    /// The navigation groups (top row), each leading to its first page.
    pub groups: Vec<NavLink>,
    /// The pages of the group being shown (second row).
    pub nav: Vec<NavLink>,
    /// CSRF token for the forms of the page.
    pub csrf: String,
}

impl Layout {
    /// The layout for a signed-in user; `section` is the path of the current navigation entry.
    pub fn new(session: &Session, title: impl Into<String>, section: &str) -> Layout {
        let locale = session.locale;
        let links = nav_links(session, section);
        // The group of the page shown, or the customers' on the dashboard and pages outside
        // the navigation, so the everyday lists are one click away.
        let current_group = links
            .iter()
            .find(|(_, link)| link.current)
            .map_or(NavGroup::Customers, |(group, _)| *group);
        let groups = NavGroup::ALL
            .into_iter()
            .filter_map(|group| {
                let first = links.iter().find(|(g, _)| *g == group)?;
                Some(NavLink {
                    href: first.1.href.clone(),
                    label: t(locale, group.label_key()),
                    current: group == current_group,
                })
            })
            .collect();
        let nav = links
            .into_iter()
            .filter(|(group, _)| *group == current_group)
            .map(|(_, link)| link)
            .collect();
        Layout {
            locale,
            title: title.into(),
            user_name: Some(session.name.clone()),
            role_name: role_label(locale, &session.role_name),
            dashboard: NavLink {
                href: "/".into(),
                label: t(locale, "nav-dashboard"),
                current: section.is_empty(),
            },
            groups,
            nav,
            csrf: session.csrf_token.clone().unwrap_or_default(),
        }
    }

    /// The layout of pages seen before signing in.
    pub fn anonymous(locale: Locale, title: impl Into<String>) -> Layout {
        Layout {
            locale,
            title: title.into(),
            user_name: None,
            role_name: String::new(),
            dashboard: NavLink {
                href: "/".into(),
                label: String::new(),
                current: false,
            },
            groups: Vec::new(),
            nav: Vec::new(),
            csrf: String::new(),
        }
    }

    /// A message in the page's language.
    pub fn t(&self, key: &str) -> String {
        t(self.locale, key)
    }

    /// A message with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        t_args(self.locale, key, &[(name, value.to_owned())])
    }

    /// The `lang` attribute.
    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    /// The `dir` attribute: Persian is written right to left.
    pub fn dir(&self) -> &'static str {
        if self.locale.is_rtl() { "rtl" } else { "ltr" }
    }
}

/// Renders a template; a template that fails to render is a 500 page (logged).
pub fn render(template: &impl Template) -> Response {
    render_status(StatusCode::OK, template)
}

/// Renders a template with a status other than 200.
pub fn render_status(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(FALLBACK_500)).into_response()
        }
    }
}

/// The page of last resort, when even the error template fails.
const FALLBACK_500: &str =
    "<!doctype html><meta charset=utf-8><title>500</title><p>Internal error — خطای داخلی</p>";

/// After a successful POST, the browser goes to the result with a GET (so reloading does
/// not submit again).
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// A failure of a page handler. It turns into a bare response carrying [`ErrorPage`]; the
/// guard, which knows the session, renders the page in the user's language.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        WebError(error)
    }
}

/// Result of page handlers.
pub type WebResult<T = Response> = Result<T, WebError>;

/// Marks a response to be replaced by the error page for this code.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// The error code (a row of the error table).
    pub code: &'static str,
    /// Field messages of a validation error, as (field, error code).
    pub fields: Vec<(String, &'static str)>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self.0 {
            tracing::error!(%cause, "page failed");
        }
        let row = self.0.code();
        let fields = match &self.0 {
            AppError::Validation(errors) => errors
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), v.code()))
                .collect(),
            _ => Vec::new(),
        };
        let status = StatusCode::from_u16(row.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage {
            code: row.code,
            fields,
        });
        response
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorTemplate {
    /// Frame.
    pub l: Layout,
    /// Status number shown big.
    pub status: u16,
    /// The message.
    pub message: String,
    /// Per-field messages of a validation error.
    pub details: Vec<String>,
}

/// One field's error as a sentence in `locale`: its label, then what is wrong.
pub fn field_sentence(locale: Locale, label: &str, code: &str) -> String {
    format!("{label}: {}", t(locale, &format!("field-error-{code}")))
}

/// The field errors of a refused form as sentences, each field labelled by the message whose
/// key `label_key` gives; anything but a validation error is the internal-error sentence.
pub fn error_sentences(
    locale: Locale,
    error: &peyvand_app::AppError,
    label_key: impl Fn(&str) -> String,
) -> Vec<String> {
    match error {
        peyvand_app::AppError::Validation(errors) => errors
            .fields
            .iter()
            .map(|(field, code)| field_sentence(locale, &t(locale, &label_key(field)), code.code()))
            .collect(),
        _ => vec![t(locale, "error-internal")],
    }
}

/// Renders the error page for `page` (the session, when known, gives language and navigation).
pub fn error_response(session: Option<&Session>, locale: Locale, page: &ErrorPage) -> Response {
    let status = lookup(page.code).status;
    let locale = session.map_or(locale, |s| s.locale);
    let message = t(locale, &format!("error-{}", page.code));
    let l = match session {
        Some(session) => Layout::new(session, message.clone(), "-"),
        None => Layout::anonymous(locale, message.clone()),
    };
    let details = page
        .fields
        .iter()
        .map(|(field, code)| field_sentence(locale, &field_label(locale, field), code))
        .collect();
    let template = ErrorTemplate {
        l,
        status,
        message,
        details,
    };
    render_status(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &template,
    )
}

/// The label of a field (also of form-only fields such as `password`).
pub fn field_label(locale: Locale, field: &str) -> String {
    t(locale, &format!("field-{field}"))
}

/// The label of a schema field: an administrator's label for a custom field, the translation
/// for a built-in one.
pub fn def_label(locale: Locale, def: &peyvand_domain::record::FieldDef) -> String {
    crate::i18n::field_def_label(locale, def)
}

/// The plural name of a kind ("Contacts").
pub fn kind_label(locale: Locale, kind: RecordKind) -> String {
    t(locale, &format!("kind-{}", schema(kind).path))
}

/// The singular name of a kind ("Contact").
pub fn kind_label_one(locale: Locale, kind: RecordKind) -> String {
    t(locale, &format!("kind-{}-one", schema(kind).path))
}

/// Whether the user holds any scope for `action` on `kind` (per-record checks stay with the
/// app; this only decides which buttons to offer).
pub fn may(session: &Session, kind: RecordKind, action: Action) -> bool {
    session.actor.grants.scope(kind, action) != Scope::None
}

/// A role's name for people: built-in roles are translated (`role-<key>`), roles that
/// administrators made keep the name they were given.
pub fn role_label(locale: Locale, name: &str) -> String {
    let key = format!("role-{name}");
    if crate::i18n::has(locale, &key) {
        t(locale, &key)
    } else {
        name.to_owned()
    }
}
