//! The organisation chart, loaded when an access check needs it.

use peyvand_domain::permission::{Action, OrgChart, RecordKind, RowFilter, Scope, row_filter};
use peyvand_store::Tx;

use crate::auth::Session;
use crate::error::AppResult;

/// Loads the branch tree and team membership. Only the "team" and "subtree" scopes need them,
/// so callers that know the scope avoid the two queries otherwise.
pub(crate) async fn load_org(tx: &mut Tx) -> AppResult<OrgChart> {
    let branches = tx.id_pairs("branches", "parent_id").await?;
    let members = tx.id_pairs("users", "team_id").await?;
    Ok(OrgChart::new(
        branches,
        members
            .into_iter()
            .filter_map(|(user, team)| team.map(|team| (team, user))),
    ))
}

/// The org chart if the actor's scope for this kind and action depends on it, else an empty one.
pub(crate) async fn org_for(
    tx: &mut Tx,
    session: &Session,
    kind: RecordKind,
    action: Action,
) -> AppResult<OrgChart> {
    match session.actor.grants.scope(kind, action) {
        Scope::Team | Scope::Subtree => load_org(tx).await,
        _ => Ok(OrgChart::default()),
    }
}

/// The rows of `kind` the actor may touch for `action`.
pub(crate) async fn filter_for(
    tx: &mut Tx,
    session: &Session,
    kind: RecordKind,
    action: Action,
) -> AppResult<RowFilter> {
    let org = org_for(tx, session, kind, action).await?;
    Ok(row_filter(&session.actor, kind, action, &org))
}
