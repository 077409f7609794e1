//! `/api/v1/search` and `/api/v1/{kind}/{id}/matches` (`api/search.rs`): search across
//! scripts with highlights in the original text, matching both ways with reasons, and what
//! search never shows; paging far past the end.

use crate::common::*;

#[tokio::test]
async fn search_finds_listings_across_scripts_with_highlights_in_the_original() {
    let app = TestApp::new().await;
    let (_, _, alice) = app.one_member().await;
    let s_id = app.create(&alice, "/api/v1/achievements", json!({
            "title": "面向工业质检的人工智能数据库系统", "summary": "一种基于人工智能的缺陷图像数据库与检索软件。",
            "keywords": ["人工智能", "机器视觉"], "discipline": "信息技术"}))
        .await;
    let t_id = app.create(&alice, "/api/v1/demands", json!({
            "title": "尋找資料庫軟體合作夥伴", "description": "本公司需要以人工智慧技術改善資料庫查詢效能。"}))
        .await;

    // A Taiwan-phrased query finds the simplified listing, written right after it was stored.
    let r = app
        .get(
            &encode_uri("/api/v1/search?q=人工智慧%20資料庫&type=achievement"),
            None,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body["hits"][0]["id"], s_id, "{}", r.body);
    assert_eq!(r.hits().len(), 1, "type filter: {}", r.body);
    let terms = strings(&r.body["hits"][0]["matched_terms"]);
    assert!(
        terms.contains(&"人工智能") && terms.contains(&"数据库"),
        "{terms:?}"
    );

    // A simplified query finds the traditional listing; its snippet keeps the original script
    // and the highlight offsets slice exactly the matched traditional words.
    let r = app
        .get(&encode_uri("/api/v1/search?q=数据库软件"), None)
        .await;
    let hit = r
        .hits()
        .iter()
        .find(|h| h["id"] == t_id)
        .unwrap_or_else(|| panic!("traditional listing not found: {}", r.body));
    let title = &hit["snippets"][0];
    assert_eq!(title["field"], "title");
    let text = title["text"].as_str().unwrap();
    assert_eq!(text, "尋找資料庫軟體合作夥伴");
    let marked: Vec<&str> = array(&title["highlights"])
        .iter()
        .map(|h| &text[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize])
        .collect();
    assert!(
        marked.iter().any(|m| m.contains("資料庫")),
        "highlights {marked:?} in {text}"
    );
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert_eq!(hit["signals"][0]["name"], "lexical");
}

#[tokio::test]
async fn search_never_shows_drafts_or_private_fields_and_names_bad_parameters() {
    let app = TestApp::new().await;
    let (_, _, alice) = app.one_member().await;
    let mut secret = demand();
    secret["confidential"] = json!("绝密配方石墨烯涂层");
    app.create(&alice, "/api/v1/demands", secret).await;
    app.create(
        &alice,
        "/api/v1/achievements",
        json!({"title": "石墨烯导热膜草稿", "summary": "未公开", "status": "draft"}),
    )
    .await;
    let r = app
        .get(&encode_uri("/api/v1/search?q=石墨烯"), Some(&alice))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["hits"], json!([]), "{}", r.body);
    assert_eq!(r.body["matched"], 0);
    assert_eq!(r.body["with_words"], 0);

    // Query meta-characters are plain text.
    for q in [
        "\"",
        "a AND (b OR",
        "*:*",
        "'; DROP TABLE listings; --",
        "电池 -散热 +热管理~2",
    ] {
        let r = app
            .get(&format!("/api/v1/search?q={}", encode(q)), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    let r = app.get(&encode_uri("/api/v1/search?q=散热"), None).await;
    assert_eq!(r.hits().len(), 1);

    for (uri, field) in [
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=%20", "q"),
        ("/api/v1/search?q=x&type=patent", "type"),
        ("/api/v1/search?q=x&status=draft", "status"),
        ("/api/v1/search?q=x&per_page=0", "per_page"),
    ] {
        let r = app.get(uri, None).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            r.body
        );
        assert_eq!(r.field(0), field, "{uri}");
    }
}

#[tokio::test]
async fn matches_go_both_ways_with_structured_reasons() {
    let app = TestApp::new().await;
    // The demand is alice's; what answers it is bob's (an organisation's own listings are
    // never its matches).
    let Rivals { alice, bob, .. } = app.rivals().await;
    let post = |kind: &'static str, body: Value| {
        let (app, bob) = (&app, &bob);
        async move { app.create(bob, &format!("/api/v1/{kind}"), body).await }
    };
    let want = app.create(&alice, "/api/v1/demands", json!({
        "title": "动力电池包热管理", "description": "夏天电池包发烫、电芯温差大，希望用相变材料改善电池散热。",
        "keywords": ["热管理", "相变材料"], "discipline": "新能源", "budget_max_yuan": 2000000})).await;
    let good = post("achievements", json!({
        "title": "相变材料电池热管理系统", "summary": "基于相变材料的电池包热管理结构，降低电芯温差。",
        "keywords": ["相变材料", "热管理"], "discipline": "新能源", "stage": "pilot", "price_min_yuan": 800000})).await;
    let weaker = post("achievements", json!({
        "title": "电池外壳注塑工艺", "summary": "一种电池外壳的注塑成型方法。", "discipline": "材料"})).await;
    let closed = post(
        "achievements",
        json!({
        "title": "相变材料电池热管理旧方案", "summary": "相变材料热管理。", "status": "closed"}),
    )
    .await;
    let expired = post("achievements", json!({
        "title": "相变材料电池热管理过期方案", "summary": "相变材料热管理。", "expires_on": "2020-01-01"})).await;
    let expert = post("experts", json!({
        "title": "李教授：电池热管理专家", "description": "长期研究相变材料与电池热管理。", "discipline": "新能源"})).await;
    let other_demand = post(
        "demands",
        json!({
        "title": "锂电池热管理改进", "description": "寻找相变材料热管理方案。"}),
    )
    .await;

    let r = app
        .get(&format!("/api/v1/demands/{want}/matches"), None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body["source"]["id"], want);
    let ids = ints_of(&r.body["hits"], "id");
    assert_eq!(ids.first(), Some(&good), "{}", r.body);
    assert!(ids.contains(&expert) && ids.contains(&weaker), "{ids:?}");
    for not_wanted in [want, closed, expired, other_demand] {
        assert!(!ids.contains(&not_wanted), "{not_wanted} in {ids:?}");
    }
    let best = &r.body["hits"][0];
    let signals = strings_of(&best["signals"], "name");
    for s in ["lexical", "discipline", "maturity", "budget"] {
        assert!(signals.contains(&s), "{s} missing from {signals:?}");
    }
    assert!(array(&best["matched_terms"]).contains(&json!("相变材料")));

    // The reverse: the achievement's matches are demands, challenges and scenarios.
    let r = app
        .get(&format!("/api/v1/achievements/{good}/matches"), None)
        .await;
    let kinds = strings_of(&r.body["hits"], "kind");
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| *k == "demand"),
        "{kinds:?}"
    );
    assert_eq!(r.body["hits"][0]["id"], want);

    // Matches of a listing one may not see are a 404, as the listing itself is.
    let r = app.get("/api/v1/demands/99999/matches", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/api/v1/achievements/{want}/matches"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "wrong kind");
}

/// Issue #29, item 9: page numbers are counted in 64 bits. `page=33554433&per_page=128` is
/// 2^32 items in: past the end, an empty page, never page 1 again.
#[tokio::test]
async fn a_page_past_the_end_is_empty_never_wrapped_to_the_first() {
    let app = TestApp::new().await;
    let Rivals { alice, bob, .. } = app.rivals().await;
    let staff = app.staff().await;
    let demand_id = app.create(&alice, "/api/v1/demands", demand()).await;
    // Another organisation's achievement: an organisation's own are never its matches.
    app.create(
        &bob,
        "/api/v1/achievements",
        json!({
            "title": "相变材料电池热管理", "summary": "电池包散热，相变材料吸热降低电芯温差"}),
    )
    .await;
    let policy = app
        .create(
            &staff,
            "/api/v1/policies",
            json!({"title": "闵行区企业奖励", "conditions": {"districts": ["闵行区"]}}),
        )
        .await;

    let far = "page=33554433&per_page=128";
    for (uri, items) in [
        (encode_uri("/api/v1/search?q=电池"), "hits"),
        (format!("/api/v1/demands/{demand_id}/matches"), "hits"),
        (format!("/api/v1/policies/{policy}/enterprises"), "items"),
    ] {
        let sep = if uri.contains('?') { '&' } else { '?' };
        let first = app
            .get(&format!("{uri}{sep}per_page=128"), Some(&staff))
            .await;
        assert_eq!(first.status, StatusCode::OK, "{uri}: {}", first.body);
        let first_items = array(&first.body[items]).len();
        assert!(first_items > 0, "{uri}: page 1 is empty");
        let reply = app.get(&format!("{uri}{sep}{far}"), Some(&staff)).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
        assert_eq!(reply.body["page"], 33554433, "{uri}");
        assert_eq!(
            reply.body[items],
            json!([]),
            "{uri}: {} on page 1",
            first_items
        );
    }
    let beyond = app
        .get(&encode_uri("/api/v1/search?q=电池&page=4294967296"), None)
        .await;
    assert!(
        beyond.status.is_client_error(),
        "a page number beyond 32 bits is refused"
    );
}

/// Issue #27, point 2: an organisation's own listings are never its matches, either way, on
/// both backends; a search (a member looking for its own listing) still finds them.
async fn own_listings_are_never_matches(app: &TestApp) {
    let Rivals { alice, bob, .. } = app.rivals().await;
    let demand = app.create(&alice, "/api/v1/demands", json!({
        "title": "动力电池包热管理", "description": "夏天电池包发烫、电芯温差大，希望用相变材料改善电池散热。",
        "keywords": ["热管理", "相变材料"]})).await;
    // alice's own achievement answers her demand word for word; bob's less well.
    let own = app.create(&alice, "/api/v1/achievements", json!({
        "title": "动力电池包热管理", "summary": "相变材料改善电池散热，电池包不再发烫，电芯温差小。",
        "keywords": ["热管理", "相变材料"]})).await;
    let other = app
        .create(
            &bob,
            "/api/v1/achievements",
            json!({
        "title": "相变材料储热装置", "summary": "一种相变材料储热结构，可用于电池散热。"}),
        )
        .await;
    let bobs_demand = app
        .create(
            &bob,
            "/api/v1/demands",
            json!({
        "title": "电池散热方案征集", "description": "寻找相变材料电池热管理方案。"}),
        )
        .await;

    for (uri, own_ids, others) in [
        (
            format!("/api/v1/demands/{demand}/matches"),
            vec![own],
            vec![other],
        ),
        (
            format!("/api/v1/achievements/{own}/matches"),
            vec![demand],
            vec![bobs_demand],
        ),
        (
            format!("/api/v1/achievements/{other}/matches"),
            vec![bobs_demand],
            vec![demand],
        ),
    ] {
        for viewer in [None, Some(&alice), Some(&bob)] {
            let r = app
                .get(&uri, viewer.map(String::as_str))
                .await
                .expect(StatusCode::OK);
            let ids = ints_of(&r.body["hits"], "id");
            for o in &own_ids {
                assert!(!ids.contains(o), "{uri}: own listing {o} in {ids:?}");
            }
            for o in &others {
                assert!(ids.contains(o), "{uri}: {o} missing from {ids:?}");
            }
        }
    }
    // Search still finds alice's own achievement, for her and for anyone.
    for viewer in [Some(&alice), None] {
        let r = app
            .get(
                &encode_uri("/api/v1/search?q=动力电池包热管理&type=achievement"),
                viewer.map(String::as_str),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(r.body["hits"][0]["id"], own, "{}", r.body);
    }
}
on_both_backends!(own_listings_are_never_matches);

/// Issue #27, points 3 and 5: every hit of a search and of a match carries its strength and
/// reasons in plain words (no number), the response says how many are strong, and no stop word
/// is listed as shared.
async fn hits_carry_strength_and_plain_reasons(app: &TestApp) {
    let Rivals { alice, bob, .. } = app.rivals().await;
    let demand = app
        .create(
            &alice,
            "/api/v1/demands",
            json!({
        "title": "注塑外壳缩痕银纹", "description":
        "我们通过一种方法增加产量，最好在两者之间兼顾；注塑外壳缩痕、银纹，良品率上不去。"}),
        )
        .await;
    app.create(
        &bob,
        "/api/v1/achievements",
        json!({
        "title": "注塑件缩痕控制工艺", "summary":
        "我们通过一种方法增加保压，最好在两者之间兼顾；减少注塑外壳缩痕和银纹。"}),
    )
    .await;
    for uri in [
        format!("/api/v1/demands/{demand}/matches"),
        encode_uri("/api/v1/search?q=我们通过一种方法解决注塑外壳缩痕，最好兼顾之间"),
        encode_uri("/api/v1/search?q=火星移民签证"),
    ] {
        let r = app.get(&uri, None).await.expect(StatusCode::OK);
        let strong = r.body["strong"]
            .as_u64()
            .unwrap_or_else(|| panic!("{uri}: {}", r.body));
        let hits = r.hits();
        assert_eq!(
            strong as usize,
            hits.iter().filter(|h| h["strength"] == "strong").count(),
            "{uri}"
        );
        for h in hits {
            let s = h["strength"]
                .as_str()
                .unwrap_or_else(|| panic!("{uri}: no strength in {h}"));
            assert!(["strong", "possible"].contains(&s), "{s}");
            let reasons = array(&h["reasons"]);
            assert!(!reasons.is_empty(), "{h}");
            for reason in reasons {
                for key in ["text", "text_en"] {
                    let t = reason[key].as_str().unwrap();
                    assert!(!t.chars().any(|c| c.is_ascii_digit()), "{t}");
                }
            }
            for t in strings(&h["matched_terms"]) {
                assert!(
                    t.chars().count() > 1
                        && !["我们", "一种", "方法", "通过", "增加", "最好", "之间"].contains(&t),
                    "{t} listed as shared in {h}"
                );
            }
        }
    }
    // A query nothing answers has no strong hit.
    let r = app
        .get(&encode_uri("/api/v1/search?q=火星移民签证"), None)
        .await;
    assert_eq!(r.body["strong"], 0);
}
on_both_backends!(hits_carry_strength_and_plain_reasons);
