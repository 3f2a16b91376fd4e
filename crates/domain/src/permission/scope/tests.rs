//! Scope resolution tests against a small but realistic organisation:
//!
//! ```text
//! HQ
//! ├── Tehran          (teams A and B)
//! │   └── Tehran North
//! └── Isfahan
//! ```

use super::*;
use crate::permission::builtin_roles;
use uuid::Uuid;

const HQ: Uuid = Uuid::from_u128(0x100);
const TEHRAN: Uuid = Uuid::from_u128(0x101);
const TEHRAN_NORTH: Uuid = Uuid::from_u128(0x102);
const ISFAHAN: Uuid = Uuid::from_u128(0x103);

const TEAM_A: Uuid = Uuid::from_u128(0x200);
const TEAM_B: Uuid = Uuid::from_u128(0x201);

const ME: Uuid = Uuid::from_u128(0x300);
const TEAMMATE: Uuid = Uuid::from_u128(0x301);
const OTHER_TEAM: Uuid = Uuid::from_u128(0x302);
const ISFAHAN_USER: Uuid = Uuid::from_u128(0x303);

fn org() -> OrgChart {
    OrgChart::new(
        [
            (HQ, None),
            (TEHRAN, Some(HQ)),
            (TEHRAN_NORTH, Some(TEHRAN)),
            (ISFAHAN, Some(HQ)),
        ],
        [(TEAM_A, ME), (TEAM_A, TEAMMATE), (TEAM_B, OTHER_TEAM)],
    )
}

/// An actor in Tehran, team A, with `scope` for reading contacts only.
fn actor(scope: Scope) -> Actor {
    Actor {
        user_id: ME,
        team_id: Some(TEAM_A),
        branch_id: TEHRAN,
        grants: Grants::new().with(RecordKind::Contact, &[Action::Read], scope),
    }
}

fn at(owner: Uuid, branch: Uuid) -> Placement {
    Placement {
        owner_id: Some(owner),
        branch_id: Some(branch),
    }
}

/// Records covering every relationship to the actor.
fn records() -> [(&'static str, Placement); 6] {
    [
        ("mine", at(ME, TEHRAN)),
        ("teammate", at(TEAMMATE, TEHRAN)),
        ("other team, same branch", at(OTHER_TEAM, TEHRAN)),
        ("child branch", at(ISFAHAN_USER, TEHRAN_NORTH)),
        ("sibling branch", at(ISFAHAN_USER, ISFAHAN)),
        ("headquarters", at(ISFAHAN_USER, HQ)),
    ]
}

/// Which of [`records`] `actor` may read.
fn visible(actor: &Actor) -> Vec<&'static str> {
    let org = org();
    records()
        .into_iter()
        .filter(|(_, p)| allows(actor, RecordKind::Contact, Action::Read, *p, &org))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn none_scope_sees_nothing() {
    let a = actor(Scope::None);
    assert_eq!(
        row_filter(&a, RecordKind::Contact, Action::Read, &org()),
        RowFilter::Nothing
    );
    assert!(visible(&a).is_empty());
}

#[test]
fn own_scope_sees_own_records() {
    let a = actor(Scope::Own);
    assert_eq!(
        row_filter(&a, RecordKind::Contact, Action::Read, &org()),
        RowFilter::OwnerIn(vec![ME])
    );
    assert_eq!(visible(&a), ["mine"]);
}

#[test]
fn team_scope_sees_team_records() {
    let a = actor(Scope::Team);
    assert_eq!(
        row_filter(&a, RecordKind::Contact, Action::Read, &org()),
        RowFilter::OwnerIn(vec![ME, TEAMMATE])
    );
    assert_eq!(visible(&a), ["mine", "teammate"]);
}

#[test]
fn team_scope_without_team_sees_only_own() {
    let mut a = actor(Scope::Team);
    a.team_id = None;
    assert_eq!(
        row_filter(&a, RecordKind::Contact, Action::Read, &org()),
        RowFilter::OwnerIn(vec![ME])
    );
    assert_eq!(visible(&a), ["mine"]);
}

#[test]
fn team_scope_includes_actor_missing_from_team_data() {
    let mut a = actor(Scope::Team);
    a.team_id = Some(TEAM_B);
    let filter = row_filter(&a, RecordKind::Contact, Action::Read, &org());
    let RowFilter::OwnerIn(mut owners) = filter else {
        panic!("expected OwnerIn");
    };
    owners.sort();
    assert_eq!(owners, [ME, OTHER_TEAM]);
    assert_eq!(visible(&a), ["mine", "other team, same branch"]);
}

#[test]
fn branch_scope_sees_own_branch_only() {
    let a = actor(Scope::Branch);
    assert_eq!(
        row_filter(&a, RecordKind::Contact, Action::Read, &org()),
        RowFilter::BranchIn(vec![TEHRAN])
    );
    assert_eq!(visible(&a), ["mine", "teammate", "other team, same branch"]);
}

#[test]
fn subtree_scope_adds_child_branches_not_siblings_or_parent() {
    let a = actor(Scope::Subtree);
    assert_eq!(
        row_filter(&a, RecordKind::Contact, Action::Read, &org()),
        RowFilter::BranchIn(vec![TEHRAN, TEHRAN_NORTH])
    );
    assert_eq!(
        visible(&a),
        [
            "mine",
            "teammate",
            "other team, same branch",
            "child branch"
        ]
    );
}

#[test]
fn subtree_scope_at_headquarters_sees_every_branch() {
    let mut a = actor(Scope::Subtree);
    a.branch_id = HQ;
    assert_eq!(visible(&a).len(), records().len());
}

#[test]
fn all_scope_sees_everything_even_unplaced() {
    let a = actor(Scope::All);
    assert_eq!(
        row_filter(&a, RecordKind::Contact, Action::Read, &org()),
        RowFilter::Everything
    );
    assert_eq!(visible(&a).len(), records().len());
    let unplaced = Placement {
        owner_id: None,
        branch_id: None,
    };
    assert!(allows(
        &a,
        RecordKind::Contact,
        Action::Read,
        unplaced,
        &org()
    ));
}

#[test]
fn grants_are_per_kind_and_action() {
    let a = actor(Scope::All);
    let org = org();
    let mine = at(ME, TEHRAN);
    assert!(!allows(&a, RecordKind::Contact, Action::Update, mine, &org));
    assert!(!allows(&a, RecordKind::Account, Action::Read, mine, &org));
    assert_eq!(
        row_filter(&a, RecordKind::Lead, Action::Read, &org),
        RowFilter::Nothing
    );
}

#[test]
fn unplaced_records_fail_closed() {
    let none = Placement {
        owner_id: None,
        branch_id: None,
    };
    let owner_only = Placement {
        owner_id: Some(ME),
        branch_id: None,
    };
    let branch_only = Placement {
        owner_id: None,
        branch_id: Some(TEHRAN),
    };
    assert!(!RowFilter::OwnerIn(vec![ME]).matches(none));
    assert!(!RowFilter::OwnerIn(vec![ME]).matches(branch_only));
    assert!(RowFilter::OwnerIn(vec![ME]).matches(owner_only));
    assert!(!RowFilter::BranchIn(vec![TEHRAN]).matches(none));
    assert!(!RowFilter::BranchIn(vec![TEHRAN]).matches(owner_only));
    assert!(RowFilter::BranchIn(vec![TEHRAN]).matches(branch_only));
    assert!(!RowFilter::Nothing.matches(owner_only));
    assert!(RowFilter::Everything.matches(none));
    assert!(!RowFilter::OwnerIn(vec![]).matches(owner_only));
}

#[test]
fn builtin_roles_in_practice() {
    let org = org();
    let grants = |key: &str| {
        builtin_roles()
            .into_iter()
            .find(|r| r.key == key)
            .unwrap()
            .grants
    };
    let rep = Actor {
        grants: grants("sales_rep"),
        ..actor(Scope::None)
    };
    let mine = at(ME, TEHRAN);
    assert!(allows(
        &rep,
        RecordKind::Contact,
        Action::Update,
        mine,
        &org
    ));
    assert!(!allows(
        &rep,
        RecordKind::Contact,
        Action::Delete,
        mine,
        &org
    ));
    assert!(!allows(
        &rep,
        RecordKind::Contact,
        Action::Read,
        at(TEAMMATE, TEHRAN),
        &org
    ));
    let roles = Placement {
        owner_id: None,
        branch_id: None,
    };
    assert!(!allows(&rep, RecordKind::Role, Action::Read, roles, &org));

    let manager = Actor {
        grants: grants("branch_manager"),
        ..actor(Scope::None)
    };
    assert!(allows(
        &manager,
        RecordKind::Role,
        Action::Read,
        roles,
        &org
    ));
    let child = at(ISFAHAN_USER, TEHRAN_NORTH);
    assert!(allows(
        &manager,
        RecordKind::Lead,
        Action::Delete,
        child,
        &org
    ));
    let sibling = at(ISFAHAN_USER, ISFAHAN);
    assert!(!allows(
        &manager,
        RecordKind::Lead,
        Action::Delete,
        sibling,
        &org
    ));
    // A user record is placed at the user and their branch.
    let colleague_user = at(TEAMMATE, TEHRAN);
    assert!(allows(
        &manager,
        RecordKind::User,
        Action::Read,
        colleague_user,
        &org
    ));
    assert!(!allows(
        &manager,
        RecordKind::User,
        Action::Update,
        colleague_user,
        &org
    ));
}

#[test]
fn subtree_of_unknown_and_leaf_branches() {
    let org = org();
    let unknown = Uuid::from_u128(0x999);
    assert_eq!(org.subtree(unknown), [unknown]);
    assert_eq!(org.subtree(TEHRAN_NORTH), [TEHRAN_NORTH]);
    assert_eq!(org.subtree(HQ), [HQ, TEHRAN, ISFAHAN, TEHRAN_NORTH]);
    assert_eq!(OrgChart::default().subtree(HQ), [HQ]);
}

#[test]
fn is_in_subtree_relations() {
    let org = org();
    assert!(org.is_in_subtree(HQ, HQ));
    assert!(org.is_in_subtree(HQ, TEHRAN_NORTH));
    assert!(org.is_in_subtree(TEHRAN, TEHRAN_NORTH));
    assert!(!org.is_in_subtree(TEHRAN, ISFAHAN));
    assert!(!org.is_in_subtree(TEHRAN, HQ));
    assert!(!org.is_in_subtree(TEHRAN_NORTH, TEHRAN));
}

#[test]
fn deep_tree_is_handled() {
    const DEPTH: u128 = 10_000;
    let ids: Vec<Uuid> = (0..DEPTH).map(|i| Uuid::from_u128(i + 1)).collect();
    let branches = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i.checked_sub(1).map(|p| ids[p])));
    let org = OrgChart::new(branches, []);
    let sub = org.subtree(ids[0]);
    assert_eq!(sub, ids);
    assert!(org.is_in_subtree(ids[0], ids[ids.len() - 1]));
    assert!(org.would_create_cycle(ids[0], ids[ids.len() - 1]));
    assert!(!org.would_create_cycle(ids[ids.len() - 1], ids[0]));
}

#[test]
fn cycle_in_bad_data_does_not_loop() {
    let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let org = OrgChart::new([(a, Some(c)), (b, Some(a)), (c, Some(b))], []);
    let mut sub = org.subtree(a);
    assert_eq!(sub.len(), 3);
    sub.sort();
    assert_eq!(sub, [a, b, c]);
    let self_parent = OrgChart::new([(a, Some(a))], []);
    assert_eq!(self_parent.subtree(a), [a]);
}

#[test]
fn cycle_detection_for_reparenting() {
    let org = org();
    assert!(org.would_create_cycle(TEHRAN, TEHRAN));
    assert!(org.would_create_cycle(TEHRAN, TEHRAN_NORTH));
    assert!(org.would_create_cycle(HQ, ISFAHAN));
    assert!(!org.would_create_cycle(TEHRAN, ISFAHAN));
    assert!(!org.would_create_cycle(TEHRAN_NORTH, ISFAHAN));
    assert!(!org.would_create_cycle(ISFAHAN, TEHRAN_NORTH));
}

#[test]
fn team_members_are_sorted_and_deduplicated() {
    let org = OrgChart::new([], [(TEAM_A, TEAMMATE), (TEAM_A, ME), (TEAM_A, ME)]);
    assert_eq!(org.team_members(TEAM_A), [ME, TEAMMATE]);
    assert!(org.team_members(TEAM_B).is_empty());
}
