//! `/` (`pages/home.rs`): the home page escapes listing text and counts what was written.

use crate::common::*;

#[tokio::test]
async fn home_page_escapes_listing_text() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let body = json!({"title": "<script>alert(1)</script>成果", "summary": "s"});
    app.post("/api/v1/achievements", Some(&admin), body).await;
    let page = app.get("/", None).await;
    let html = page.text();
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;成果"));
    assert!(!html.contains("<script>alert"));
}

#[tokio::test]
async fn home_counts_follow_writes() {
    let app = TestApp::new().await;
    let org = app.certified_org(12, "己").await;
    let mut b = app.user("hank", Role::Member, Some(org)).await;
    let count = |body: &str| {
        let demands = section(body, "href=\"/demands\"", "</b>");
        demands[demands.find("<b>").unwrap() + 3..]
            .parse::<i64>()
            .unwrap()
    };
    let before = count(&b.get("/").await.body);
    assert_eq!(before, 0);
    b.post_demand("计数测试", "描述").await;
    assert_eq!(
        count(&b.get("/").await.body),
        1,
        "a cached count must not outlive a write"
    );
}
