//! `GET /`: how many customer records the user can see, with links to them.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use peyvand_app::ListParams;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::schema;

use super::format::Fmt;
use super::guard::WebSession;
use super::page::{Layout, kind_label, may, render};
use crate::AppState;

/// One tile of the dashboard.
#[derive(Debug, Clone)]
pub struct Tile {
    /// Name of the kind.
    pub label: String,
    /// The count, formatted.
    pub count: String,
    /// The list.
    pub href: String,
    /// Where to create one, when allowed.
    pub new_href: Option<String>,
}

/// The dashboard.
#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardTemplate {
    /// Frame.
    pub l: Layout,
    /// Greeting line.
    pub greeting: String,
    /// One tile per customer kind.
    pub tiles: Vec<Tile>,
    /// Whether the user sees no customers at all.
    pub empty: bool,
    /// Where the first record can be created (an account), when allowed.
    pub first_href: Option<String>,
    /// The sales dashboard, for those who see deals (issue 4 §10).
    pub sales_dashboard_href: Option<String>,
}

/// `GET /`.
pub async fn show(State(state): State<AppState>, WebSession(session): WebSession) -> Response {
    let fmt = Fmt::of(&session);
    let mut tiles = Vec::new();
    let mut total = 0;
    for kind in [RecordKind::Account, RecordKind::Contact, RecordKind::Lead] {
        // A kind the user may not read counts as zero rather than failing the whole page.
        let count = state
            .app
            .count(&session, kind, &ListParams::default())
            .await
            .unwrap_or(0);
        total += count;
        let path = schema(kind).path;
        tiles.push(Tile {
            label: kind_label(session.locale, kind),
            count: fmt.count(count),
            href: format!("/{path}"),
            new_href: may(&session, kind, Action::Create).then(|| format!("/{path}/new")),
        });
    }
    let l = Layout::new(
        &session,
        crate::i18n::t(session.locale, "nav-dashboard"),
        "",
    );
    let greeting = l.t1("dashboard-greeting", "name", &session.name);
    let first_href = tiles.iter().find_map(|t| t.new_href.clone());
    let sales_dashboard_href = (session
        .actor
        .grants
        .scope(RecordKind::Opportunity, Action::Read)
        != peyvand_domain::permission::Scope::None)
        .then(|| "/sales/dashboard".to_owned());
    render(&DashboardTemplate {
        l,
        greeting,
        tiles,
        empty: total == 0,
        first_href,
        sales_dashboard_href,
    })
}
