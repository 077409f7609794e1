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

/// Issue #27, point 5: the header is one short sentence counting strong results only (a query
/// no listing answers never reads "200 条相关结果"); each title is shown once; no score; the
/// reasons are plain words and list no stop word or single character.
#[tokio::test]
async fn results_say_plainly_how_many_are_strong_and_why() {
    let app = TestApp::new().await;
    let org = app.certified_org(10, "丁").await;
    let mut b = app.user("dave", Role::Member, Some(org)).await;
    b.post_demand(
        "注塑外壳缩痕银纹",
        "我们通过一种方法增加产量，最好在两者之间兼顾；注塑外壳缩痕、银纹，良品率上不去。",
    )
    .await;
    let p = b
        .get(&format!("/search?q={}", encode("火星移民签证")))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        !p.body.contains("条相关结果"),
        "counts everything retrieved"
    );
    // Nothing found is said once, with what to try, not again as a header.
    assert_eq!(p.body.matches("没有找到相关结果").count(), 1, "{}", p.body);
    assert!(!p.body.contains("id=\"summary\""), "an empty header");
    let p = b
        .get(&format!(
            "/search?q={}",
            encode("我们希望通过一种方法解决注塑外壳缩痕，最好兼顾产量之间的平衡")
        ))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let summary = between(&p.body, "id=\"summary\">", "</p>");
    // Without the model nothing is calibrated: no hit is strong, and the page says so.
    assert_eq!(summary, "暂无高度匹配的成果；以下可能相关", "{summary}");
    let hits = between(&p.body, "id=\"hits\">", "</ol>");
    assert_eq!(
        hits.matches("注塑外壳缩痕银纹").count(),
        1,
        "the title once: {hits}"
    );
    assert!(!hits.contains("得分"), "no score: {hits}");
    let reasons = between(hits, "class=\"reasons\">", "</div>");
    for stop in ["我们", "一种", "方法", "通过", "增加", "最好", "之间"] {
        assert!(!reasons.contains(stop), "{stop} in {reasons}");
        assert!(
            !hits.contains(&format!("<mark>{stop}</mark>")),
            "{stop} highlighted"
        );
    }
    assert!(reasons.contains("缩痕"), "{reasons}");
}

/// The text between the first `start` and the next `end` after it.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {body}"))
        + start.len();
    let to = body[from..].find(end).map_or(body.len(), |i| from + i);
    &body[from..to]
}
