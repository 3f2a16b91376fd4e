//! What the built-in roles may do with the sales pipeline's records.

use crate::permission::{Action, Grants, RecordKind, Scope};

/// The pipeline's configuration kinds: everyone who works with deals reads them (to pick a
/// pipeline, a stage or a loss reason); only administrators change them.
pub const CONFIGURATION: [RecordKind; 3] = [
    RecordKind::Pipeline,
    RecordKind::PipelineStage,
    RecordKind::LossReason,
];

/// Whether `kind` is one of the sales pipeline's kinds.
pub fn is_sales_kind(kind: RecordKind) -> bool {
    CONFIGURATION.contains(&kind)
        || matches!(kind, RecordKind::Opportunity | RecordKind::SalesTarget)
}

/// Adds the sales pipeline's grants to the built-in role `key`. Opportunities follow the role's
/// rights on customers (a sales rep their own, a sales manager the team, a branch manager the
/// branch and below); targets are set by branch managers and read in the branch by the sales
/// staff they concern.
pub fn add_builtin(key: &str, grants: Grants) -> Grants {
    use Action::{Create, Delete, Export, Read, Update};
    let read_configuration = |g: Grants| {
        CONFIGURATION
            .iter()
            .fold(g, |g, &kind| g.with(kind, &[Read], Scope::All))
    };
    match key {
        "branch_manager" => read_configuration(grants)
            .with(RecordKind::Opportunity, &Action::ALL, Scope::Subtree)
            .with(RecordKind::SalesTarget, &Action::ALL, Scope::Subtree),
        "sales_manager" => read_configuration(grants)
            .with(
                RecordKind::Opportunity,
                &[Read, Create, Update, Delete, Export],
                Scope::Team,
            )
            .with(RecordKind::SalesTarget, &[Read], Scope::Branch),
        "sales_rep" => read_configuration(grants)
            .with(RecordKind::Opportunity, &[Read, Create, Update], Scope::Own)
            .with(RecordKind::SalesTarget, &[Read], Scope::Branch),
        "marketing" => read_configuration(grants).with(
            RecordKind::Opportunity,
            &[Read, Export],
            Scope::Subtree,
        ),
        "viewer" => read_configuration(grants)
            .with(RecordKind::Opportunity, &[Read], Scope::Branch)
            .with(RecordKind::SalesTarget, &[Read], Scope::Branch),
        // Administrators hold everything already; service agents do not work on deals.
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
    fn opportunities_follow_the_customer_rights_of_each_role() {
        for key in [
            "admin",
            "branch_manager",
            "sales_manager",
            "sales_rep",
            "viewer",
        ] {
            assert_eq!(
                scope(key, RecordKind::Opportunity, Action::Read),
                scope(key, RecordKind::Account, Action::Read),
                "{key}"
            );
        }
        assert_eq!(
            scope("sales_rep", RecordKind::Opportunity, Action::Delete),
            Scope::None
        );
        assert_eq!(
            scope("service_agent", RecordKind::Opportunity, Action::Read),
            Scope::None
        );
    }

    #[test]
    fn only_admin_changes_the_configuration() {
        for role in builtin_roles() {
            for kind in CONFIGURATION {
                let expected = if role.key == "admin" {
                    Scope::All
                } else {
                    Scope::None
                };
                assert_eq!(
                    role.grants.scope(kind, Action::Update),
                    expected,
                    "{}",
                    role.key
                );
                assert_eq!(
                    role.grants.scope(kind, Action::Create),
                    expected,
                    "{}",
                    role.key
                );
            }
        }
        assert_eq!(
            scope("sales_rep", RecordKind::PipelineStage, Action::Read),
            Scope::All
        );
    }

    #[test]
    fn branch_managers_set_targets() {
        assert_eq!(
            scope("branch_manager", RecordKind::SalesTarget, Action::Create),
            Scope::Subtree
        );
        assert_eq!(
            scope("sales_rep", RecordKind::SalesTarget, Action::Create),
            Scope::None
        );
    }
}
