//! The roles every new installation starts with.
//!
//! They encode the usual shape of an Iranian sales organisation (head office
//! with branches, sales teams per branch). Administrators may edit or copy
//! them; the keys stay stable so upgrades can find them again.

use super::{Action, Grants, RecordKind, Scope};

/// A built-in role: its key (stable, English, snake_case) and its grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinRole {
    /// Stable identifier; the display name is translated from it.
    pub key: &'static str,
    /// What the role may do.
    pub grants: Grants,
}

const CUSTOMERS: [RecordKind; 3] = [RecordKind::Account, RecordKind::Contact, RecordKind::Lead];
/// The organisation's own records that most roles need to read, e.g. to pick
/// an owner or a branch in a form.
const ORG: [RecordKind; 3] = [RecordKind::User, RecordKind::Team, RecordKind::Branch];

/// Sales documents (issue 4): the documents of a sale, placed by owner and branch.
const SALES_DOCUMENTS: [RecordKind; 4] = [
    RecordKind::Quote,
    RecordKind::Order,
    RecordKind::Invoice,
    RecordKind::Payment,
];
/// Sales documents (issue 4): the catalogue every seller reads and administrators keep.
const CATALOGUE: [RecordKind; 4] = [
    RecordKind::Product,
    RecordKind::PriceList,
    RecordKind::PriceListItem,
    RecordKind::BundleItem,
];

/// Grant `actions` at `scope` on each of `kinds`.
fn on(grants: Grants, kinds: &[RecordKind], actions: &[Action], scope: Scope) -> Grants {
    kinds
        .iter()
        .fold(grants, |g, &kind| g.with(kind, actions, scope))
}

/// The built-in roles, in the order they are offered in the UI (widest
/// first).
pub fn builtin_roles() -> Vec<BuiltinRole> {
    use Action::{Create, Delete, Export, Read, Update};

    let admin = Grants::everything();

    let branch_manager = on(Grants::new(), &CUSTOMERS, &Action::ALL, Scope::Subtree);
    let branch_manager = on(branch_manager, &ORG, &[Read], Scope::Subtree).with(
        RecordKind::Role,
        &[Read],
        Scope::All,
    );

    let sales_manager = on(
        Grants::new(),
        &CUSTOMERS,
        &[Read, Create, Update, Delete, Export],
        Scope::Team,
    );
    let sales_manager =
        on(sales_manager, &ORG, &[Read], Scope::Branch).with(RecordKind::Role, &[Read], Scope::All);

    let sales_rep = on(
        Grants::new(),
        &CUSTOMERS,
        &[Read, Create, Update],
        Scope::Own,
    );
    let sales_rep = on(sales_rep, &ORG, &[Read], Scope::Branch);

    let marketing = on(Grants::new(), &CUSTOMERS, &[Read, Export], Scope::Subtree).with(
        RecordKind::Lead,
        &[Create, Update],
        Scope::Branch,
    );
    let marketing = on(marketing, &ORG, &[Read], Scope::Branch);

    let service_agent = on(
        Grants::new(),
        &[RecordKind::Account, RecordKind::Contact],
        &[Read, Create, Update],
        Scope::Branch,
    )
    .with(RecordKind::Lead, &[Read], Scope::Own);
    let service_agent = on(service_agent, &ORG, &[Read], Scope::Branch);

    // Viewers (e.g. auditors, interns) see the customer base but not the
    // contact details that would let them take customers elsewhere.
    let mut viewer = on(Grants::new(), &CUSTOMERS, &[Read], Scope::Branch);
    viewer = on(viewer, &ORG, &[Read], Scope::Branch);
    for kind in [RecordKind::Contact, RecordKind::Lead] {
        for field in ["email", "mobile", "phone"] {
            viewer.hide(kind, field);
        }
    }
    for field in ["email", "phone"] {
        viewer.hide(RecordKind::Account, field);
    }

    // Sales documents (issue 4): everyone reads the catalogue; documents follow the reach each
    // role has over customers.
    let branch_manager = on(
        branch_manager,
        &SALES_DOCUMENTS,
        &Action::ALL,
        Scope::Subtree,
    );
    let sales_manager = on(
        sales_manager,
        &SALES_DOCUMENTS,
        &[Read, Create, Update, Delete, Export],
        Scope::Team,
    );
    let sales_rep = on(
        sales_rep,
        &SALES_DOCUMENTS,
        &[Read, Create, Update],
        Scope::Own,
    );
    let service_agent = on(service_agent, &SALES_DOCUMENTS, &[Read], Scope::Branch);
    let viewer = on(viewer, &SALES_DOCUMENTS, &[Read], Scope::Branch);
    let [
        branch_manager,
        sales_manager,
        sales_rep,
        marketing,
        service_agent,
        viewer,
    ] = [
        branch_manager,
        sales_manager,
        sales_rep,
        marketing,
        service_agent,
        viewer,
    ]
    .map(|grants| on(grants, &CATALOGUE, &[Read], Scope::All));

    [
        ("admin", admin),
        ("branch_manager", branch_manager),
        ("sales_manager", sales_manager),
        ("sales_rep", sales_rep),
        ("marketing", marketing),
        ("service_agent", service_agent),
        ("viewer", viewer),
    ]
    .into_iter()
    .map(|(key, grants)| BuiltinRole {
        key,
        // Sales pipeline (issue 4) on top of the service grants (issue 5), then contracts.
        // SMS templates (issue 5 §5) last.
        grants: crate::sms_templates::add_builtin(
            key,
            crate::contracts::grants::add_builtin(
                key,
                crate::pipeline::grants::add_builtin(key, with_service_grants(key, grants)),
            ),
        ),
    })
    .collect()
}

// Activities and customer service (issue 5).
/// Activities and cases, the kinds people work on every day.
const SERVICE_WORK: [RecordKind; 2] = [RecordKind::Activity, RecordKind::Case];
/// The service set-up an administrator edits and everyone filing or working cases reads: the
/// category tree, service-level targets and holidays. They belong to no branch, so reading them
/// takes the "all" scope.
const SERVICE_SETUP: [RecordKind; 3] = [
    RecordKind::CaseCategory,
    RecordKind::SlaTarget,
    RecordKind::Holiday,
];

/// Adds the rights on activities and cases to a built-in role (admin already has everything).
fn with_service_grants(key: &str, grants: Grants) -> Grants {
    use Action::{Create, Delete, Read, Update};
    let grants = match key {
        "branch_manager" => on(grants, &SERVICE_WORK, &Action::ALL, Scope::Subtree).with(
            RecordKind::RoutingRule,
            &[Read],
            Scope::All,
        ),
        "sales_manager" => on(grants, &SERVICE_WORK, &Action::ALL, Scope::Team),
        "sales_rep" => grants
            .with(
                RecordKind::Activity,
                &[Read, Create, Update, Delete],
                Scope::Own,
            )
            .with(RecordKind::Case, &[Read, Create], Scope::Own),
        "marketing" => grants.with(RecordKind::Activity, &[Read, Create, Update], Scope::Own),
        "service_agent" => on(
            grants,
            &SERVICE_WORK,
            &[Read, Create, Update],
            Scope::Branch,
        ),
        "viewer" => on(grants, &SERVICE_WORK, &[Read], Scope::Branch),
        _ => return grants,
    };
    on(grants, &SERVICE_SETUP, &[Read], Scope::All)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{Create, Delete, Export, Read, Update};
    use RecordKind::{
        Account, Activity, Branch, Case, CaseCategory, Contact, Holiday, Lead, Role, RoutingRule,
        SlaTarget, Team, User,
    };
    use RecordKind::{
        BundleItem, Invoice, Order, Payment, PriceList, PriceListItem, Product, Quote,
    };

    /// Reading the service set-up, which every built-in role has.
    const SETUP_READ: [(RecordKind, &[Action], Scope); 3] = [
        (CaseCategory, &[Read], Scope::All),
        (SlaTarget, &[Read], Scope::All),
        (Holiday, &[Read], Scope::All),
    ];

    /// Reading the whole catalogue, which every built-in role may.
    const CATALOGUE_READ: [(RecordKind, &[Action], Scope); 4] = [
        (Product, &[Read], Scope::All),
        (PriceList, &[Read], Scope::All),
        (PriceListItem, &[Read], Scope::All),
        (BundleItem, &[Read], Scope::All),
    ];

    /// A role's own rows plus what every built-in role reads.
    fn with_setup(
        rows: &[(RecordKind, &'static [Action], Scope)],
    ) -> Vec<(RecordKind, &'static [Action], Scope)> {
        rows.iter()
            .copied()
            .chain(SETUP_READ)
            .chain(CATALOGUE_READ)
            .collect()
    }

    fn role(key: &str) -> Grants {
        builtin_roles()
            .into_iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("no role {key}"))
            .grants
    }

    /// Assert the complete table for one role: every (kind, action) not
    /// listed must be `None`, so accidental extra rights fail the test.
    fn assert_exact(key: &str, expected: &[(RecordKind, &'static [Action], Scope)]) {
        let g = role(key);
        // The sales pipeline's kinds are checked in `crate::pipeline::grants`.
        for kind in RecordKind::ALL
            .into_iter()
            .filter(|k| !crate::pipeline::grants::is_sales_kind(*k))
            // Contracts' kinds are checked in `crate::contracts::grants`.
            .filter(|k| !crate::contracts::grants::is_contract_kind(*k))
            // SMS templates are checked in `crate::sms_templates`.
            .filter(|k| *k != RecordKind::SmsTemplate)
        {
            for action in Action::ALL {
                let want = expected
                    .iter()
                    .find(|(k, actions, _)| *k == kind && actions.contains(&action))
                    .map_or(Scope::None, |e| e.2);
                assert_eq!(g.scope(kind, action), want, "{key}: {kind:?} {action:?}");
            }
        }
    }

    const ALL_ACTIONS: &[Action] = &Action::ALL;

    #[test]
    fn keys_are_stable_and_unique() {
        let keys: Vec<_> = builtin_roles().iter().map(|r| r.key).collect();
        assert_eq!(
            keys,
            [
                "admin",
                "branch_manager",
                "sales_manager",
                "sales_rep",
                "marketing",
                "service_agent",
                "viewer"
            ]
        );
    }

    #[test]
    fn admin_has_everything() {
        assert_eq!(role("admin"), Grants::everything());
    }

    #[test]
    fn branch_manager() {
        assert_exact(
            "branch_manager",
            &with_setup(&[
                (Account, ALL_ACTIONS, Scope::Subtree),
                (Contact, ALL_ACTIONS, Scope::Subtree),
                (Lead, ALL_ACTIONS, Scope::Subtree),
                (User, &[Read], Scope::Subtree),
                (Team, &[Read], Scope::Subtree),
                (Branch, &[Read], Scope::Subtree),
                (Role, &[Read], Scope::All),
                (Activity, ALL_ACTIONS, Scope::Subtree),
                (Case, ALL_ACTIONS, Scope::Subtree),
                (RoutingRule, &[Read], Scope::All),
                (Quote, ALL_ACTIONS, Scope::Subtree),
                (Order, ALL_ACTIONS, Scope::Subtree),
                (Invoice, ALL_ACTIONS, Scope::Subtree),
                (Payment, ALL_ACTIONS, Scope::Subtree),
            ]),
        );
    }

    #[test]
    fn sales_manager() {
        let customer = &[Read, Create, Update, Delete, Export][..];
        assert_exact(
            "sales_manager",
            &with_setup(&[
                (Account, customer, Scope::Team),
                (Contact, customer, Scope::Team),
                (Lead, customer, Scope::Team),
                (User, &[Read], Scope::Branch),
                (Team, &[Read], Scope::Branch),
                (Branch, &[Read], Scope::Branch),
                (Role, &[Read], Scope::All),
                (Activity, ALL_ACTIONS, Scope::Team),
                (Case, ALL_ACTIONS, Scope::Team),
                (Quote, customer, Scope::Team),
                (Order, customer, Scope::Team),
                (Invoice, customer, Scope::Team),
                (Payment, customer, Scope::Team),
            ]),
        );
    }

    #[test]
    fn sales_rep() {
        let customer = &[Read, Create, Update][..];
        assert_exact(
            "sales_rep",
            &with_setup(&[
                (Account, customer, Scope::Own),
                (Contact, customer, Scope::Own),
                (Lead, customer, Scope::Own),
                (User, &[Read], Scope::Branch),
                (Team, &[Read], Scope::Branch),
                (Branch, &[Read], Scope::Branch),
                (Activity, &[Read, Create, Update, Delete], Scope::Own),
                (Case, &[Read, Create], Scope::Own),
                (Quote, customer, Scope::Own),
                (Order, customer, Scope::Own),
                (Invoice, customer, Scope::Own),
                (Payment, customer, Scope::Own),
            ]),
        );
        let g = role("sales_rep");
        assert_eq!(g.scope(Contact, Delete), Scope::None);
        assert_eq!(g.scope(Contact, Export), Scope::None);
        assert_eq!(g.scope(Role, Read), Scope::None);
    }

    #[test]
    fn marketing() {
        assert_exact(
            "marketing",
            &with_setup(&[
                (Account, &[Read, Export], Scope::Subtree),
                (Contact, &[Read, Export], Scope::Subtree),
                (Lead, &[Read, Export], Scope::Subtree),
                (Lead, &[Create, Update], Scope::Branch),
                (User, &[Read], Scope::Branch),
                (Team, &[Read], Scope::Branch),
                (Branch, &[Read], Scope::Branch),
                (Activity, &[Read, Create, Update], Scope::Own),
            ]),
        );
    }

    #[test]
    fn service_agent() {
        assert_exact(
            "service_agent",
            &with_setup(&[
                (Account, &[Read, Create, Update], Scope::Branch),
                (Contact, &[Read, Create, Update], Scope::Branch),
                (Lead, &[Read], Scope::Own),
                (User, &[Read], Scope::Branch),
                (Team, &[Read], Scope::Branch),
                (Branch, &[Read], Scope::Branch),
                (Activity, &[Read, Create, Update], Scope::Branch),
                (Case, &[Read, Create, Update], Scope::Branch),
                (Quote, &[Read], Scope::Branch),
                (Order, &[Read], Scope::Branch),
                (Invoice, &[Read], Scope::Branch),
                (Payment, &[Read], Scope::Branch),
            ]),
        );
    }

    #[test]
    fn viewer_reads_branch_and_hides_contact_details() {
        assert_exact(
            "viewer",
            &with_setup(&[
                (Account, &[Read], Scope::Branch),
                (Contact, &[Read], Scope::Branch),
                (Lead, &[Read], Scope::Branch),
                (User, &[Read], Scope::Branch),
                (Team, &[Read], Scope::Branch),
                (Branch, &[Read], Scope::Branch),
                (Activity, &[Read], Scope::Branch),
                (Case, &[Read], Scope::Branch),
                (Quote, &[Read], Scope::Branch),
                (Order, &[Read], Scope::Branch),
                (Invoice, &[Read], Scope::Branch),
                (Payment, &[Read], Scope::Branch),
            ]),
        );
        let g = role("viewer");
        assert!(g.is_hidden(Contact, "email"));
        assert_eq!(g.hidden_fields(Contact), ["email", "mobile", "phone"]);
        assert_eq!(g.hidden_fields(Lead), ["email", "mobile", "phone"]);
        assert_eq!(g.hidden_fields(Account), ["email", "phone"]);
        assert!(g.hidden_fields(User).is_empty());
    }

    #[test]
    fn only_viewer_hides_fields() {
        for r in builtin_roles().into_iter().filter(|r| r.key != "viewer") {
            for kind in RecordKind::ALL {
                assert!(r.grants.hidden_fields(kind).is_empty(), "{}", r.key);
            }
        }
    }
}
