//! `/search` (`pages/search.rs`): query meta-characters are text; any page number is safe.

use crate::common::*;

#[tokio::test]
async fn search_meta_characters_are_harmless() {
    let app = TestApp::new().await;
    let org = app.certified_org(10, "丁").await;
    let mut b = app.user("dave", Role::Member, Some(org)).await;
    b.post_demand("电池散热", "电池包散热").await;
    for q in [
        "' OR 1=1 --",
        "\"*:()[]{}^~",
        "%_\\",
        "title:电池 AND",
        "电池'; DROP TABLE listings; --",
    ] {
        let p = b.get(&format!("/search?q={}", encode(q))).await;
        assert_eq!(p.status, StatusCode::OK, "{q}");
        let api = b.get(&format!("/api/v1/search?q={}", encode(q))).await;
        assert_eq!(api.status, StatusCode::OK, "{q}: {}", api.body);
    }
    let p = b
        .get(&format!(
            "/search?q={}",
            encode("电池'; DROP TABLE listings; --")
        ))
        .await;
    assert!(
        p.body.contains("电池散热"),
        "the query still finds by its words"
    );
    // Facets filter and count consistently.
    let p = b
        .get(&format!("/search?q={}&type=demand", encode("电池")))
        .await;
    assert!(p.body.contains("电池散热"));
    let p = b
        .get(&format!("/search?q={}&type=expert", encode("电池")))
        .await;
    assert!(!p.body.contains("电池散热"));
}

/// Issue #29, item 9: the search page's page number never overflows (it did at 2^64 / 20).
#[tokio::test]
async fn the_search_page_survives_any_page_number() {
    let app = TestApp::new().await;
    let mut anon = app.browser();
    let p = anon
        .get(&format!(
            "/search?q={}&page=18446744073709551615",
            encode("电池")
        ))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        !p.body.contains("page=18446744073709551616"),
        "no link past the end"
    );
}
