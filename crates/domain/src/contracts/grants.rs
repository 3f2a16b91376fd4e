//! What the built-in roles may do with contracts and their templates.

use crate::permission::{Action, Grants, RecordKind, Scope};

/// Whether `kind` is one of the contracts' kinds.
pub fn is_contract_kind(kind: RecordKind) -> bool {
    matches!(kind, RecordKind::ContractTemplate | RecordKind::Contract)
}

/// Adds the contracts' grants to the built-in role `key`. Contracts follow the role's rights on
/// deals (a sales rep their own, a sales manager the team, a branch manager the branch and
/// below); service agents and viewers read the branch's, since cases name contracts. Templates
/// are read by everyone who writes contracts and changed only by administrators.
pub fn add_builtin(key: &str, grants: Grants) -> Grants {
    use Action::{Create, Delete, Export, Read, Update};
    let template = |g: Grants| g.with(RecordKind::ContractTemplate, &[Read], Scope::All);
    match key {
        "branch_manager" => {
            template(grants).with(RecordKind::Contract, &Action::ALL, Scope::Subtree)
        }
        "sales_manager" => template(grants).with(
            RecordKind::Contract,
            &[Read, Create, Update, Delete, Export],
            Scope::Team,
        ),
        "sales_rep" => {
            template(grants).with(RecordKind::Contract, &[Read, Create, Update], Scope::Own)
        }
        "service_agent" | "viewer" => grants.with(RecordKind::Contract, &[Read], Scope::Branch),
        // Administrators hold everything already; marketing does not work on contracts.
        _ => grants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::builtin_roles;

    fn scope(key: &str, kind: RecordKind, action: Action) -> Scope {
        builtin_roles()
            .into_iter()
            .find(|r| r.key == key)
            .unwrap()
            .grants
            .scope(kind, action)
    }

    #[test]
    fn contracts_follow_the_deal_rights_of_sales_roles() {
        for key in ["admin", "branch_manager", "sales_manager", "sales_rep"] {
            assert_eq!(
                scope(key, RecordKind::Contract, Action::Read),
                scope(key, RecordKind::Opportunity, Action::Read),
                "{key}"
            );
        }
        assert_eq!(
            scope("sales_rep", RecordKind::Contract, Action::Delete),
            Scope::None
        );
        assert_eq!(
            scope("service_agent", RecordKind::Contract, Action::Read),
            Scope::Branch
        );
        assert_eq!(
            scope("marketing", RecordKind::Contract, Action::Read),
            Scope::None
        );
    }

    #[test]
    fn only_admin_changes_templates() {
        for role in builtin_roles() {
            let expected = if role.key == "admin" {
                Scope::All
            } else {
                Scope::None
            };
            for action in [Action::Create, Action::Update, Action::Delete] {
                assert_eq!(
                    role.grants.scope(RecordKind::ContractTemplate, action),
                    expected,
                    "{}",
                    role.key
                );
            }
        }
        assert_eq!(
            scope("sales_rep", RecordKind::ContractTemplate, Action::Read),
            Scope::All
        );
    }
}
