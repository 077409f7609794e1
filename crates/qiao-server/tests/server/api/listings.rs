//! `/api/v1/{kind}` (`api/listings.rs`): the seven listing kinds' shared handlers: who
//! creates, changes and deletes, who sees drafts and private fields, filters, paging and the
//! texts a listing may hold.

use crate::common::*;

#[tokio::test]
async fn listing_lifecycle_with_owners_and_private_fields() {
    let app = TestApp::new().await;
    let Rivals {
        admin,
        a,
        alice,
        bob,
        ..
    } = app.rivals().await;

    let created = app
        .post("/api/v1/demands", Some(&alice), demand())
        .await
        .expect(StatusCode::CREATED);
    let id = created.id();
    let url = format!("/api/v1/demands/{id}");
    assert_eq!(created.location.as_deref(), Some(url.as_str()));
    assert_eq!(created.body["owner_org_id"], a);
    assert_eq!(created.body["kind"], "demand");

    let public = app.get(&url, None).await.expect(StatusCode::OK);
    assert_eq!(public.body["title"], "电池包散热");
    assert!(
        public.body.get("confidential").is_none() && public.body.get("contact").is_none(),
        "{}",
        public.body
    );
    let other = app.get(&url, Some(&bob)).await;
    assert!(
        other.body.get("confidential").is_none(),
        "another organisation never sees private fields"
    );
    let mine = app.get(&url, Some(&alice)).await;
    assert_eq!(mine.body["confidential"], "现用电芯型号 X-100");
    let listed = app.get("/api/v1/demands", None).await;
    assert_eq!(listed.total(), 1);
    assert!(listed.items()[0].get("contact").is_none());

    // Only the owner (or an admin) changes or deletes.
    for (method, body) in [
        (Method::PATCH, Some(json!({"title": "x"}))),
        (Method::PUT, Some(demand())),
        (Method::DELETE, None),
    ] {
        let r = app
            .call(method.clone(), &url, Some(&bob), body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} by another organisation"
        );
        let r = app.call(method.clone(), &url, None, body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} anonymously");
    }
    let patched = app
        .patch(
            &url,
            Some(&alice),
            json!({"title": "电池包热管理", "confidential": null}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(patched.body["title"], "电池包热管理");
    assert!(
        patched.body.get("confidential").is_none(),
        "null removes a field"
    );
    assert_eq!(
        patched.body["keywords"],
        json!(["热管理", "相变材料"]),
        "untouched fields stay"
    );
    let by_admin = app.put(&url, Some(&admin), demand()).await;
    assert_eq!(by_admin.status, StatusCode::OK);

    // A demand is not reachable as another kind.
    let as_achievement = app.get(&format!("/api/v1/achievements/{id}"), None).await;
    assert_eq!(as_achievement.status, StatusCode::NOT_FOUND);
    let deleted = app.delete(&url, Some(&alice)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&url, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn drafts_are_seen_by_their_owner_only() {
    let app = TestApp::new().await;
    let Rivals {
        admin, alice, bob, ..
    } = app.rivals().await;
    let mut d = demand();
    d["status"] = json!("draft");
    let id = app.create(&alice, "/api/v1/demands", d).await;
    let url = format!("/api/v1/demands/{id}");
    assert_eq!(app.get(&url, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&url, Some(&bob)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&url, Some(&alice)).await.status, StatusCode::OK);
    for (who, token, total) in [("bob", &bob, 0), ("alice", &alice, 1), ("admin", &admin, 1)] {
        let listed = app.get("/api/v1/demands", Some(token)).await;
        assert_eq!(listed.total(), total, "{who}");
    }
}

#[tokio::test]
async fn filters_and_paging() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let a = app.org(&admin, 5, "甲").await;
    for (i, district) in ["闵行区", "闵行区", "徐汇区"].iter().enumerate() {
        let body = json!({"title": format!("成果{i}"), "summary": "摘要", "district": district, "owner_org_id": a,
                          "status": if i == 2 { "closed" } else { "open" }});
        app.create(&admin, "/api/v1/achievements", body).await;
    }
    let q = |s: &str| encode_uri(&format!("/api/v1/achievements?{s}"));
    for (query, total) in [
        ("district=闵行区".to_string(), 2),
        ("status=closed".into(), 1),
        ("active=true".into(), 2),
        (format!("owner_org_id={a}"), 3),
    ] {
        assert_eq!(app.get(&q(&query), None).await.total(), total, "{query}");
    }
    let p = app.get(&q("per_page=2&page=2"), None).await;
    assert_eq!((p.items().len(), p.total()), (1, 3));
    for (query, status) in [
        ("per_page=500", StatusCode::UNPROCESSABLE_ENTITY),
        ("status=bogus", StatusCode::UNPROCESSABLE_ENTITY),
        ("page=abc", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(app.get(&q(query), None).await.status, status, "{query}");
    }
    // A misspelt parameter is refused, not silently ignored.
    let r = app.get(&q("limit=3"), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.message().contains("limit"), "{}", r.body);
}

/// Issue #29, item 10: control characters other than line breaks and tabs are refused in
/// every text of a listing or an organisation, naming the field.
#[tokio::test]
async fn control_characters_are_refused_in_texts_naming_the_field() {
    let app = TestApp::new().await;
    let (_, org, alice) = app.one_member().await;
    let mut d = demand();
    d["title"] = json!("电池\u{0}包散热");
    d["keywords"] = json!(["热管理", "相变\u{1b}[31m材料"]);
    d["contact"]["name"] = json!("张\u{7f}工");
    let r = app
        .post("/api/v1/demands", Some(&alice), d)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.fields(),
        ["title", "keywords[1]", "contact.name"],
        "{}",
        r.body
    );
    assert_eq!(
        r.body["error"]["fields"][0]["message"],
        "holds the control character U+0000 at character 3; remove it (line breaks and tabs are allowed)"
    );
    // Line breaks (CR LF from a browser's text area too) and tabs are text.
    let mut d = demand();
    d["description"] = json!("第一段\r\n第二段\n\t缩进");
    app.create(&alice, "/api/v1/demands", d).await;
    let r = app
        .patch(
            &format!("/api/v1/organisations/{org}"),
            Some(&alice),
            json!({"name": "甲\u{85}公司"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "name");
}
