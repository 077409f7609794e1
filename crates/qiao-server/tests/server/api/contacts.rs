//! `/api/v1/{kind}/{id}/contact-requests` and `/api/v1/contact-requests`
//! (`api/contacts.rs`): asking for a listing's contact, and the owner's decision.

use crate::common::*;

#[tokio::test]
async fn contact_requests_through_the_api() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let uni = app.org(&admin, 40, "大学").await;
    let ent = app.org(&admin, 41, "企业").await;
    let owner = app.account("owner", Role::Member, Some(uni)).await;
    let asker = app.account("asker", Role::Member, Some(ent)).await;
    let other = app.account("other", Role::Member, None).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/achievements",
            Some(&owner),
            Some(json!({
            "title": "成果", "summary": "摘要", "contact": {"email": "tto@example.edu.cn"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/achievements/{id}");
    assert!(
        app.call(Method::GET, &path, Some(&asker), None)
            .await
            .body
            .get("contact")
            .is_none()
    );

    let ask = format!("{path}/contact-requests");
    let r = app
        .call(
            Method::POST,
            &ask,
            Some(&asker),
            Some(json!({"message": "短"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["field"], "message");
    let r = app
        .call(
            Method::POST,
            &ask,
            Some(&asker),
            Some(json!({"message": "我们想了解该成果的许可条件。"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "pending");
    let rid = r.body["id"].as_i64().unwrap();
    let again = app
        .call(
            Method::POST,
            &ask,
            Some(&asker),
            Some(json!({"message": "我们想了解该成果的许可条件。"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let own = app
        .call(
            Method::POST,
            &ask,
            Some(&owner),
            Some(json!({"message": "自己的成果想联系自己"})),
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT);

    let inbox = app
        .call(Method::GET, "/api/v1/contact-requests", Some(&owner), None)
        .await;
    assert_eq!(inbox.body["total"], 1);
    let sent = app
        .call(
            Method::GET,
            "/api/v1/contact-requests?box=sent",
            Some(&asker),
            None,
        )
        .await;
    assert_eq!(sent.body["items"][0]["id"], rid);
    let one = format!("/api/v1/contact-requests/{rid}");
    assert_eq!(
        app.call(Method::GET, &one, Some(&other), None).await.status,
        StatusCode::NOT_FOUND
    );

    let decide = format!("{one}/decision");
    let r = app
        .call(
            Method::POST,
            &decide,
            Some(&asker),
            Some(json!({"decision": "accept"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the requester cannot answer its own request"
    );
    let r = app
        .call(
            Method::POST,
            &decide,
            Some(&owner),
            Some(json!({"decision": "decline", "reason": "other"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["field"], "note");
    let r = app
        .call(
            Method::POST,
            &decide,
            Some(&owner),
            Some(json!({"decision": "accept", "note": "欢迎"})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    let r = app
        .call(
            Method::POST,
            &decide,
            Some(&owner),
            Some(json!({"decision": "decline", "reason": "price"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "decided once");
    let seen = app.call(Method::GET, &path, Some(&asker), None).await;
    assert_eq!(seen.body["contact"]["email"], "tto@example.edu.cn");
    assert!(
        app.call(Method::GET, &path, Some(&other), None)
            .await
            .body
            .get("contact")
            .is_none()
    );

    // The audit log names who did what; only admins read it.
    assert_eq!(
        app.call(Method::GET, "/api/v1/audit", Some(&owner), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let log = app
        .call(Method::GET, "/api/v1/audit", Some(&admin), None)
        .await;
    let first = &log.body["items"][0];
    assert_eq!(
        (
            first["entity"].as_str(),
            first["op"].as_str(),
            first["actor"].as_str()
        ),
        (Some("contact_request"), Some("update"), Some("owner"))
    );
}
