//! Access rights: what a role may do, and which records that covers.
//!
//! A role's [`Grants`] assign a [`Scope`] to each (record kind, action) pair
//! and may hide fields. Scopes are resolved against the organisation
//! ([`OrgChart`]) into a [`RowFilter`] that the store turns into SQL, or
//! checked against a single record with [`allows`]. Keeping the rules here,
//! free of I/O, makes them exhaustively testable.

mod roles;
mod scope;

use std::collections::{BTreeMap, BTreeSet};

pub use roles::{BuiltinRole, builtin_roles};
pub use scope::{Actor, OrgChart, Placement, RowFilter, allows, row_filter};

/// The id of a user.
pub type UserId = uuid::Uuid;
/// The id of a team (a group of users, usually within one branch).
pub type TeamId = uuid::Uuid;
/// The id of a branch (a node in the organisation's tree of offices).
pub type BranchId = uuid::Uuid;

/// Defines a fieldless enum's `ALL`, `code` and `parse` from one table so the
/// three can never disagree.
macro_rules! coded_enum {
    ($ty:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: [$ty; [$($ty::$variant),+].len()] = [$($ty::$variant),+];

            /// The stable snake_case code used in URLs, JSON and the database.
            pub fn code(self) -> &'static str {
                match self {
                    $($ty::$variant => $code),+
                }
            }

            /// The value for a code produced by `code`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($code => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

/// The kinds of record that permissions are granted on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A company or organisation that is a customer.
    Account,
    /// A person, usually at an account.
    Contact,
    /// A prospective customer not yet qualified.
    Lead,
    /// A user of Peyvand.
    User,
    /// A team of users.
    Team,
    /// A role (a set of grants).
    Role,
    /// A branch of the organisation.
    Branch,
    // Activities and customer service (issue 5).
    /// A task, call, meeting or note about a customer or case.
    Activity,
    /// A customer's request or complaint.
    Case,
    /// A node of the administrator-edited tree of case categories.
    CaseCategory,
    /// An administrator's rule that assigns new cases.
    RoutingRule,
    /// First-response and resolution targets for one case priority.
    SlaTarget,
    /// A day off that service-level clocks do not count.
    Holiday,
    // Sales documents (issue 4).
    /// A product or service of the catalogue (also a bundle of products).
    Product,
    /// A price list.
    PriceList,
    /// One product's price on a price list.
    PriceListItem,
    /// One component of a bundle.
    BundleItem,
    /// A quote (پیش‌فاکتور).
    Quote,
    /// A sales order.
    Order,
    /// An invoice.
    Invoice,
    /// A payment against an invoice.
    Payment,
    /// A sales pipeline: an ordered set of stages (issue 4).
    Pipeline,
    /// One stage of a pipeline with its win probability.
    PipelineStage,
    /// A reason a deal was lost, from the administrators' list.
    LossReason,
    /// A sales opportunity (deal) moving through a pipeline.
    Opportunity,
    /// A sales target of a user, team or branch for a period.
    SalesTarget,
    // Contracts (issue 4 §7).
    /// A contract template with placeholders.
    ContractTemplate,
    /// A contract with a customer.
    Contract,
    // Bulk SMS (issue 5 §5).
    /// A saved SMS text with per-contact placeholders.
    SmsTemplate,
}

coded_enum!(RecordKind {
    Account => "account",
    Contact => "contact",
    Lead => "lead",
    User => "user",
    Team => "team",
    Role => "role",
    Branch => "branch",
    Activity => "activity",
    Case => "case",
    CaseCategory => "case_category",
    RoutingRule => "routing_rule",
    SlaTarget => "sla_target",
    Holiday => "holiday",
    Product => "product",
    PriceList => "price_list",
    PriceListItem => "price_list_item",
    BundleItem => "bundle_item",
    Quote => "quote",
    Order => "order",
    Invoice => "invoice",
    Payment => "payment",
    Pipeline => "pipeline",
    PipelineStage => "pipeline_stage",
    LossReason => "loss_reason",
    Opportunity => "opportunity",
    SalesTarget => "sales_target",
    ContractTemplate => "contract_template",
    Contract => "contract",
    SmsTemplate => "sms_template",
});

impl RecordKind {
    /// Whether this kind holds customer data (accounts, contacts, leads) as
    /// opposed to the organisation's own administration.
    pub fn is_customer(self) -> bool {
        matches!(
            self,
            RecordKind::Account | RecordKind::Contact | RecordKind::Lead
        )
    }
}

/// What an actor wants to do with records.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// View records.
    Read,
    /// Create records.
    Create,
    /// Change records.
    Update,
    /// Delete records.
    Delete,
    /// Export records in bulk; separate from read because bulk copies of
    /// customer data are the main leak risk.
    Export,
}

coded_enum!(Action {
    Read => "read",
    Create => "create",
    Update => "update",
    Delete => "delete",
    Export => "export",
});

/// How far a grant reaches, from narrowest to widest (the derived ordering
/// follows declaration order, so `a < b` means `a` is narrower).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// No records.
    None,
    /// Records the actor owns.
    Own,
    /// Records owned by anyone in the actor's team.
    Team,
    /// Records in the actor's branch.
    Branch,
    /// Records in the actor's branch and all branches below it.
    Subtree,
    /// All records.
    All,
}

coded_enum!(Scope {
    None => "none",
    Own => "own",
    Team => "team",
    Branch => "branch",
    Subtree => "subtree",
    All => "all",
});

/// What one role may do: a scope per (record kind, action), and fields
/// hidden per record kind.
///
/// Stored as a JSON column shaped like
/// `{"scopes":{"contact":{"read":"all"}},"hidden":{"contact":["email"]}}`.
/// Absent entries mean [`Scope::None`], so the representation is canonical:
/// `None` scopes and empty sets are never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "GrantsRepr")]
pub struct Grants {
    scopes: BTreeMap<RecordKind, BTreeMap<Action, Scope>>,
    hidden: BTreeMap<RecordKind, BTreeSet<String>>,
}

/// The wire shape of [`Grants`], before canonicalisation. Both keys are
/// optional so hand-written or older JSON still loads.
#[derive(serde::Deserialize)]
struct GrantsRepr {
    #[serde(default)]
    scopes: BTreeMap<RecordKind, BTreeMap<Action, Scope>>,
    #[serde(default)]
    hidden: BTreeMap<RecordKind, BTreeSet<String>>,
}

impl From<GrantsRepr> for Grants {
    fn from(repr: GrantsRepr) -> Self {
        let mut grants = Grants::new();
        for (kind, actions) in repr.scopes {
            for (action, scope) in actions {
                grants.set(kind, action, scope);
            }
        }
        for (kind, fields) in repr.hidden {
            for field in fields {
                grants.hide(kind, &field);
            }
        }
        grants
    }
}

impl Grants {
    /// Grants that allow nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// The scope granted for `action` on `kind`; [`Scope::None`] if unset.
    pub fn scope(&self, kind: RecordKind, action: Action) -> Scope {
        self.scopes
            .get(&kind)
            .and_then(|actions| actions.get(&action))
            .copied()
            .unwrap_or(Scope::None)
    }

    /// Set the scope for `action` on `kind`; [`Scope::None`] removes it.
    pub fn set(&mut self, kind: RecordKind, action: Action, scope: Scope) {
        if scope == Scope::None {
            if let Some(actions) = self.scopes.get_mut(&kind) {
                actions.remove(&action);
                if actions.is_empty() {
                    self.scopes.remove(&kind);
                }
            }
        } else {
            self.scopes.entry(kind).or_default().insert(action, scope);
        }
    }

    /// Builder form of [`Grants::set`] for several actions at once.
    pub fn with(mut self, kind: RecordKind, actions: &[Action], scope: Scope) -> Self {
        for &action in actions {
            self.set(kind, action, scope);
        }
        self
    }

    /// Takes the rights and hidden fields of `kinds` from `other`, replacing these grants' own
    /// for those kinds (used to give roles stored before a kind existed the rights on it).
    pub fn copy_kinds(&mut self, other: &Grants, kinds: &[RecordKind]) {
        for kind in kinds {
            match other.scopes.get(kind) {
                Some(actions) => self.scopes.insert(*kind, actions.clone()),
                None => self.scopes.remove(kind),
            };
            match other.hidden.get(kind) {
                Some(fields) => self.hidden.insert(*kind, fields.clone()),
                None => self.hidden.remove(kind),
            };
        }
    }

    /// Hide `field` of `kind` from holders of these grants.
    pub fn hide(&mut self, kind: RecordKind, field: &str) {
        self.hidden
            .entry(kind)
            .or_default()
            .insert(field.to_owned());
    }

    /// Stop hiding `field` of `kind`.
    pub fn unhide(&mut self, kind: RecordKind, field: &str) {
        if let Some(fields) = self.hidden.get_mut(&kind) {
            fields.remove(field);
            if fields.is_empty() {
                self.hidden.remove(&kind);
            }
        }
    }

    /// Whether `field` of `kind` is hidden.
    pub fn is_hidden(&self, kind: RecordKind, field: &str) -> bool {
        self.hidden
            .get(&kind)
            .is_some_and(|fields| fields.contains(field))
    }

    /// The hidden fields of `kind`, sorted.
    pub fn hidden_fields(&self, kind: RecordKind) -> Vec<&str> {
        self.hidden
            .get(&kind)
            .map(|fields| fields.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// [`Scope::All`] for every kind and action, nothing hidden: the admin
    /// role.
    pub fn everything() -> Self {
        RecordKind::ALL.iter().fold(Grants::new(), |g, &kind| {
            g.with(kind, &Action::ALL, Scope::All)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{from_str, to_string};

    #[test]
    fn codes_round_trip() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.code()), Some(k));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.code()), Some(a));
        }
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.code()), Some(s));
        }
        assert_eq!(RecordKind::ALL.len(), 29);
        assert_eq!(Action::ALL.len(), 5);
        assert_eq!(Scope::ALL.len(), 6);
        assert_eq!(RecordKind::parse("Contact"), None);
        assert_eq!(Action::parse(""), None);
        assert_eq!(Scope::parse("everything"), None);
        assert_eq!(RecordKind::Branch.code(), "branch");
        assert_eq!(Action::Export.code(), "export");
        assert_eq!(Scope::Subtree.code(), "subtree");
    }

    #[test]
    fn customer_kinds() {
        let customers: Vec<_> = RecordKind::ALL
            .into_iter()
            .filter(|k| k.is_customer())
            .collect();
        assert_eq!(
            customers,
            [RecordKind::Account, RecordKind::Contact, RecordKind::Lead]
        );
    }

    #[test]
    fn scopes_are_ordered_narrow_to_wide() {
        let mut sorted = Scope::ALL;
        sorted.sort();
        assert_eq!(sorted, Scope::ALL);
        assert!(Scope::None < Scope::Own);
        assert!(Scope::Own < Scope::Team);
        assert!(Scope::Team < Scope::Branch);
        assert!(Scope::Branch < Scope::Subtree);
        assert!(Scope::Subtree < Scope::All);
    }

    #[test]
    fn set_get_and_remove() {
        let mut g = Grants::new();
        assert_eq!(g.scope(RecordKind::Contact, Action::Read), Scope::None);
        g.set(RecordKind::Contact, Action::Read, Scope::Team);
        assert_eq!(g.scope(RecordKind::Contact, Action::Read), Scope::Team);
        assert_eq!(g.scope(RecordKind::Contact, Action::Update), Scope::None);
        assert_eq!(g.scope(RecordKind::Lead, Action::Read), Scope::None);
        g.set(RecordKind::Contact, Action::Read, Scope::None);
        assert_eq!(g.scope(RecordKind::Contact, Action::Read), Scope::None);
        // Removing the last entry leaves grants equal to fresh ones.
        assert_eq!(g, Grants::new());
        // Removing something never set is harmless.
        g.set(RecordKind::Role, Action::Delete, Scope::None);
        assert_eq!(g, Grants::new());
    }

    #[test]
    fn builder_sets_several_actions() {
        let g = Grants::new().with(
            RecordKind::Lead,
            &[Action::Read, Action::Export],
            Scope::Branch,
        );
        assert_eq!(g.scope(RecordKind::Lead, Action::Read), Scope::Branch);
        assert_eq!(g.scope(RecordKind::Lead, Action::Export), Scope::Branch);
        assert_eq!(g.scope(RecordKind::Lead, Action::Create), Scope::None);
    }

    #[test]
    fn hiding_fields() {
        let mut g = Grants::new();
        assert!(!g.is_hidden(RecordKind::Contact, "email"));
        g.hide(RecordKind::Contact, "mobile");
        g.hide(RecordKind::Contact, "email");
        g.hide(RecordKind::Contact, "email");
        assert!(g.is_hidden(RecordKind::Contact, "email"));
        assert!(!g.is_hidden(RecordKind::Account, "email"));
        assert_eq!(g.hidden_fields(RecordKind::Contact), ["email", "mobile"]);
        assert!(g.hidden_fields(RecordKind::Lead).is_empty());
        g.unhide(RecordKind::Contact, "email");
        g.unhide(RecordKind::Contact, "mobile");
        g.unhide(RecordKind::Lead, "nothing");
        assert!(!g.is_hidden(RecordKind::Contact, "email"));
        assert_eq!(g, Grants::new());
    }

    #[test]
    fn everything_grants_all() {
        let g = Grants::everything();
        for k in RecordKind::ALL {
            for a in Action::ALL {
                assert_eq!(g.scope(k, a), Scope::All, "{k:?} {a:?}");
            }
            assert!(g.hidden_fields(k).is_empty());
        }
    }

    #[test]
    fn json_shape_and_round_trip() {
        let mut g = Grants::new()
            .with(RecordKind::Contact, &[Action::Read], Scope::All)
            .with(
                RecordKind::Lead,
                &[Action::Update, Action::Read],
                Scope::Own,
            );
        g.hide(RecordKind::Contact, "email");
        let json = to_string(&g).unwrap();
        assert_eq!(
            json,
            r#"{"scopes":{"contact":{"read":"all"},"lead":{"read":"own","update":"own"}},"hidden":{"contact":["email"]}}"#
        );
        assert_eq!(from_str::<Grants>(&json).unwrap(), g);
        assert_eq!(
            to_string(&Grants::new()).unwrap(),
            r#"{"scopes":{},"hidden":{}}"#
        );
        for role in builtin_roles() {
            let json = to_string(&role.grants).unwrap();
            assert_eq!(
                from_str::<Grants>(&json).unwrap(),
                role.grants,
                "{}",
                role.key
            );
        }
    }

    #[test]
    fn json_is_lenient_but_canonical() {
        assert_eq!(from_str::<Grants>("{}").unwrap(), Grants::new());
        // Explicit "none" scopes and empty hidden lists normalise away.
        let g: Grants =
            from_str(r#"{"scopes":{"lead":{"read":"none"}},"hidden":{"account":[]}}"#).unwrap();
        assert_eq!(g, Grants::new());
    }

    #[test]
    fn json_rejects_unknown_codes() {
        assert!(from_str::<Grants>(r#"{"scopes":{"bill":{"read":"all"}}}"#).is_err());
        assert!(from_str::<Grants>(r#"{"scopes":{"lead":{"fly":"all"}}}"#).is_err());
        assert!(from_str::<Grants>(r#"{"scopes":{"lead":{"read":"most"}}}"#).is_err());
        assert!(from_str::<Grants>(r#"{"scopes":[]}"#).is_err());
    }
}
