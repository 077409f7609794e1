//! `/api/v1/{kind}` (`api/listings.rs`): the seven listing kinds' shared handlers: who
//! creates, changes and deletes, who sees drafts and private fields, filters, paging and the
//! texts a listing may hold.

use crate::common::*;

#[tokio::test]
async fn listing_lifecycle_with_owners_and_private_fields() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let a = app.org(&admin, 1, "甲公司").await;
    let b = app.org(&admin, 2, "乙公司").await;
    let alice = app.account("alice", Role::Member, Some(a)).await;
    let bob = app.account("bob", Role::Member, Some(b)).await;

    let created = app
        .call(
            Method::POST,
            "/api/v1/demands",
            Some(&alice),
            Some(demand()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/api/v1/demands/{id}").as_str())
    );
    assert_eq!(created.body["owner_org_id"], a);
    assert_eq!(created.body["kind"], "demand");

    let url = format!("/api/v1/demands/{id}");
    let public = app.call(Method::GET, &url, None, None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["title"], "电池包散热");
    assert!(
        public.body.get("confidential").is_none() && public.body.get("contact").is_none(),
        "{}",
        public.body
    );
    let other = app.call(Method::GET, &url, Some(&bob), None).await;
    assert!(
        other.body.get("confidential").is_none(),
        "another organisation never sees private fields"
    );
    let mine = app.call(Method::GET, &url, Some(&alice), None).await;
    assert_eq!(mine.body["confidential"], "现用电芯型号 X-100");
    let listed = app.call(Method::GET, "/api/v1/demands", None, None).await;
    assert_eq!(listed.body["total"], 1);
    assert!(listed.body["items"][0].get("contact").is_none());

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
        .call(
            Method::PATCH,
            &url,
            Some(&alice),
            Some(json!({"title": "电池包热管理", "confidential": null})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
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
    let by_admin = app
        .call(Method::PUT, &url, Some(&admin), Some(demand()))
        .await;
    assert_eq!(by_admin.status, StatusCode::OK);

    // A demand is not reachable as another kind.
    assert_eq!(
        app.call(
            Method::GET,
            &format!("/api/v1/achievements/{id}"),
            None,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(Method::DELETE, &url, Some(&alice), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.call(Method::GET, &url, None, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn drafts_are_seen_by_their_owner_only() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let a = app.org(&admin, 3, "甲").await;
    let b = app.org(&admin, 4, "乙").await;
    let alice = app.account("alice", Role::Member, Some(a)).await;
    let bob = app.account("bob", Role::Member, Some(b)).await;
    let mut d = demand();
    d["status"] = json!("draft");
    let id = app
        .call(Method::POST, "/api/v1/demands", Some(&alice), Some(d))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let url = format!("/api/v1/demands/{id}");
    assert_eq!(
        app.call(Method::GET, &url, None, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(Method::GET, &url, Some(&bob), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(Method::GET, &url, Some(&alice), None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/demands", Some(&bob), None)
            .await
            .body["total"],
        0
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/demands", Some(&alice), None)
            .await
            .body["total"],
        1
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/demands", Some(&admin), None)
            .await
            .body["total"],
        1
    );
}

#[tokio::test]
async fn filters_and_paging() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let a = app.org(&admin, 5, "甲").await;
    for (i, district) in ["闵行区", "闵行区", "徐汇区"].iter().enumerate() {
        let body = json!({"title": format!("成果{i}"), "summary": "摘要", "district": district, "owner_org_id": a,
                          "status": if i == 2 { "closed" } else { "open" }});
        assert_eq!(
            app.call(
                Method::POST,
                "/api/v1/achievements",
                Some(&admin),
                Some(body)
            )
            .await
            .status,
            StatusCode::CREATED
        );
    }
    let q = |s: &str| encode_uri(&format!("/api/v1/achievements?{s}"));
    assert_eq!(
        app.call(Method::GET, &q("district=闵行区"), None, None)
            .await
            .body["total"],
        2
    );
    assert_eq!(
        app.call(Method::GET, &q("status=closed"), None, None)
            .await
            .body["total"],
        1
    );
    assert_eq!(
        app.call(Method::GET, &q("active=true"), None, None)
            .await
            .body["total"],
        2
    );
    assert_eq!(
        app.call(Method::GET, &q(&format!("owner_org_id={a}")), None, None)
            .await
            .body["total"],
        3
    );
    let p = app
        .call(Method::GET, &q("per_page=2&page=2"), None, None)
        .await;
    assert_eq!(
        (p.body["items"].as_array().unwrap().len(), &p.body["total"]),
        (1, &json!(3))
    );
    assert_eq!(
        app.call(Method::GET, &q("per_page=500"), None, None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.call(Method::GET, &q("status=bogus"), None, None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.call(Method::GET, &q("page=abc"), None, None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // A misspelt parameter is refused, not silently ignored.
    let r = app.call(Method::GET, &q("limit=3"), None, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limit"),
        "{}",
        r.body
    );
}

/// Issue #29, item 10: control characters other than line breaks and tabs are refused in
/// every text of a listing or an organisation, naming the field.
#[tokio::test]
async fn control_characters_are_refused_in_texts_naming_the_field() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let org = app.org(&admin, 61, "甲").await;
    let alice = app.account("alice", Role::Member, Some(org)).await;
    let mut d = demand();
    d["title"] = json!("电池\u{0}包散热");
    d["keywords"] = json!(["热管理", "相变\u{1b}[31m材料"]);
    d["contact"]["name"] = json!("张\u{7f}工");
    let r = app
        .call(Method::POST, "/api/v1/demands", Some(&alice), Some(d))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<&str> = r.body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
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
    let r = app
        .call(Method::POST, "/api/v1/demands", Some(&alice), Some(d))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/organisations/{org}"),
            Some(&alice),
            Some(json!({"name": "甲\u{85}公司"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "name");
}
