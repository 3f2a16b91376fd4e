//! Resolving scopes against the organisation.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::{Action, BranchId, Grants, RecordKind, Scope, TeamId, UserId};

/// The organisation as access checks need it: the branch tree and who is in
/// which team.
///
/// Built by the store from the current rows for each request, so it is a
/// snapshot; it tolerates inconsistent data (cycles, dangling parents)
/// because a corrupted tree must never hang a request.
#[derive(Debug, Clone, Default)]
pub struct OrgChart {
    /// Child branches of each branch, sorted for deterministic output.
    children: BTreeMap<BranchId, BTreeSet<BranchId>>,
    /// Members of each team, sorted for deterministic output.
    teams: BTreeMap<TeamId, BTreeSet<UserId>>,
}

impl OrgChart {
    /// Build from `(branch, parent)` pairs (`None` for the root, usually the
    /// head office) and `(team, member)` pairs.
    pub fn new(
        branches: impl IntoIterator<Item = (BranchId, Option<BranchId>)>,
        team_members: impl IntoIterator<Item = (TeamId, UserId)>,
    ) -> Self {
        let mut children: BTreeMap<BranchId, BTreeSet<BranchId>> = BTreeMap::new();
        for (branch, parent) in branches {
            if let Some(parent) = parent {
                children.entry(parent).or_default().insert(branch);
            }
        }
        let mut teams: BTreeMap<TeamId, BTreeSet<UserId>> = BTreeMap::new();
        for (team, user) in team_members {
            teams.entry(team).or_default().insert(user);
        }
        OrgChart { children, teams }
    }

    /// `root` and all branches below it, root first then breadth-first.
    ///
    /// Each branch appears once even if the data contains a cycle; an unknown
    /// root yields just itself, so a new branch still sees its own records.
    pub fn subtree(&self, root: BranchId) -> Vec<BranchId> {
        let mut seen = BTreeSet::from([root]);
        let mut out = vec![root];
        let mut queue = VecDeque::from([root]);
        while let Some(branch) = queue.pop_front() {
            for &child in self.children.get(&branch).into_iter().flatten() {
                if seen.insert(child) {
                    out.push(child);
                    queue.push_back(child);
                }
            }
        }
        out
    }

    /// Whether `branch` is `root` or below it.
    pub fn is_in_subtree(&self, root: BranchId, branch: BranchId) -> bool {
        root == branch || self.subtree(root).contains(&branch)
    }

    /// The members of `team`, sorted; empty for an unknown team.
    pub fn team_members(&self, team: TeamId) -> Vec<UserId> {
        self.teams
            .get(&team)
            .map(|members| members.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Whether making `new_parent` the parent of `branch` would create a
    /// cycle, i.e. `new_parent` is `branch` itself or one of its descendants.
    /// Checked before saving so the tree stays a tree.
    pub fn would_create_cycle(&self, branch: BranchId, new_parent: BranchId) -> bool {
        self.is_in_subtree(branch, new_parent)
    }
}

/// Who is acting: the signed-in user with their place in the organisation
/// and their role's grants.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// The user's team, if any.
    pub team_id: Option<TeamId>,
    /// The user's branch.
    pub branch_id: BranchId,
    /// The grants of the user's role.
    pub grants: Grants,
}

/// Which rows of a record kind an actor may touch for an action, in a form
/// the store turns into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowFilter {
    /// No rows.
    Nothing,
    /// All rows.
    Everything,
    /// Rows whose owner is one of these users.
    OwnerIn(Vec<UserId>),
    /// Rows whose branch is one of these branches.
    BranchIn(Vec<BranchId>),
}

/// The owner and branch of one record (for users: the user itself and their
/// branch; for a branch: the branch itself; for roles: both `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Who owns the record, if it has an owner.
    pub owner_id: Option<UserId>,
    /// Which branch the record belongs to, if any.
    pub branch_id: Option<BranchId>,
}

impl RowFilter {
    /// Whether a record with this placement passes the filter.
    ///
    /// A record without an owner (or branch) never matches an owner (or
    /// branch) filter: unplaced records are only visible with wider scopes,
    /// which fails closed.
    pub fn matches(&self, record: Placement) -> bool {
        match self {
            RowFilter::Nothing => false,
            RowFilter::Everything => true,
            RowFilter::OwnerIn(users) => record.owner_id.is_some_and(|o| users.contains(&o)),
            RowFilter::BranchIn(branches) => {
                record.branch_id.is_some_and(|b| branches.contains(&b))
            }
        }
    }
}

/// The rows of `kind` that `actor` may touch for `action`.
pub fn row_filter(actor: &Actor, kind: RecordKind, action: Action, org: &OrgChart) -> RowFilter {
    match actor.grants.scope(kind, action) {
        Scope::None => RowFilter::Nothing,
        Scope::Own => RowFilter::OwnerIn(vec![actor.user_id]),
        Scope::Team => {
            // The actor always counts as a member, even when the team data
            // has not caught up (or they have no team), so Team is never
            // narrower than Own.
            let mut members: BTreeSet<UserId> = actor
                .team_id
                .map(|team| org.team_members(team))
                .unwrap_or_default()
                .into_iter()
                .collect();
            members.insert(actor.user_id);
            RowFilter::OwnerIn(members.into_iter().collect())
        }
        Scope::Branch => RowFilter::BranchIn(vec![actor.branch_id]),
        Scope::Subtree => RowFilter::BranchIn(org.subtree(actor.branch_id)),
        Scope::All => RowFilter::Everything,
    }
}

/// Whether `actor` may perform `action` on one record placed at `record`.
pub fn allows(
    actor: &Actor,
    kind: RecordKind,
    action: Action,
    record: Placement,
    org: &OrgChart,
) -> bool {
    row_filter(actor, kind, action, org).matches(record)
}

#[cfg(test)]
mod tests;
