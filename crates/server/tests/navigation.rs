//! The navigation in two rows: the groups, then the pages of the group being shown — and only
//! the pages the user may open.

mod common;

use common::backends;
use common::web_client::Browser;

/// The `href`s of the links in the `<ul class="{list}">` of a page.
fn links_in(body: &str, list: &str) -> Vec<String> {
    let start = body
        .find(&format!("<ul class=\"{list}\">"))
        .unwrap_or_else(|| panic!("no {list} in the page"));
    let end = start + body[start..].find("</ul>").unwrap();
    body[start..end]
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_are_grouped_and_limited_to_what_the_user_may_open() {
    for t in backends().await {
        let mut admin = Browser::new(&t);
        admin.login("admin@peyvand.demo").await;
        let deals = admin.get("/opportunities").await;
        let groups = links_in(&deals.body, "nav-groups");
        assert_eq!(
            groups.len(),
            7,
            "{}: dashboard and six groups: {groups:?}",
            t.name()
        );
        let pages = links_in(&deals.body, "nav-pages");
        for sales in [
            "/opportunities",
            "/quotes",
            "/invoices",
            "/contracts",
            "/sales/board",
        ] {
            assert!(pages.contains(&sales.to_owned()), "{sales} in {pages:?}");
        }
        assert!(!pages.contains(&"/users".to_owned()), "{pages:?}");
        // Sales' set-up lists have a group of their own, which the catalogue opens.
        assert!(!pages.contains(&"/products".to_owned()), "{pages:?}");
        assert!(groups.contains(&"/products".to_owned()), "{groups:?}");
        let catalogue = admin.get("/products").await;
        let setup = links_in(&catalogue.body, "nav-pages");
        for page in ["/products", "/price-lists", "/pipelines", "/loss-reasons"] {
            assert!(setup.contains(&page.to_owned()), "{page} in {setup:?}");
        }
        assert!(!setup.contains(&"/opportunities".to_owned()), "{setup:?}");
        assert!(deals.body.contains("class=\"group-current\""));

        // The dashboard shows the customers' group; a viewer is offered no analytics and no
        // deals they may not read.
        let home = admin.get("/").await;
        assert!(links_in(&home.body, "nav-pages").contains(&"/contacts".to_owned()));
        let mut viewer = Browser::new(&t);
        viewer.login("viewer@peyvand.demo").await;
        let settings = viewer.get("/settings").await;
        let all: Vec<String> = [
            links_in(&settings.body, "nav-groups"),
            links_in(&settings.body, "nav-pages"),
        ]
        .concat();
        assert!(
            !all.contains(&"/opportunities".to_owned()),
            "{}: {all:?}",
            t.name()
        );
        assert!(!all.contains(&"/insights".to_owned()), "{all:?}");
    }
}
