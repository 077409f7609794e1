//! `/api/v1/{kind}/{id}/contact-requests` and `/api/v1/contact-requests`
//! (`api/contacts.rs`): asking for a listing's contact, and the owner's decision.

use crate::common::*;

#[tokio::test]
async fn contact_requests_through_the_api() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let uni = app.org(&admin, 40, "大学").await;
    let ent = app.org(&admin, 41, "企业").await;
    let owner = app.member("owner", uni).await;
    let asker = app.member("asker", ent).await;
    let other = app.account("other", Role::Member, None).await;
    let id = app
        .create(
            &owner,
            "/api/v1/achievements",
            json!({
            "title": "成果", "summary": "摘要", "contact": {"email": "tto@example.edu.cn"}}),
        )
        .await;
    let path = format!("/api/v1/achievements/{id}");
    let seen = app.get(&path, Some(&asker)).await;
    assert!(seen.body.get("contact").is_none());

    let ask = format!("{path}/contact-requests");
    let message = json!({"message": "我们想了解该成果的许可条件。"});
    let r = app.post(&ask, Some(&asker), json!({"message": "短"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "message");
    let r = app
        .post(&ask, Some(&asker), message.clone())
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(r.body["status"], "pending");
    let rid = r.id();
    let again = app.post(&ask, Some(&asker), message).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let own = app
        .post(
            &ask,
            Some(&owner),
            json!({"message": "自己的成果想联系自己"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT);

    let inbox = app.get("/api/v1/contact-requests", Some(&owner)).await;
    assert_eq!(inbox.total(), 1);
    let sent = app
        .get("/api/v1/contact-requests?box=sent", Some(&asker))
        .await;
    assert_eq!(sent.body["items"][0]["id"], rid);
    let one = format!("/api/v1/contact-requests/{rid}");
    assert_eq!(
        app.get(&one, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );

    let decide = format!("{one}/decision");
    let r = app
        .post(&decide, Some(&asker), json!({"decision": "accept"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the requester cannot answer its own request"
    );
    let r = app
        .post(
            &decide,
            Some(&owner),
            json!({"decision": "decline", "reason": "other"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "note");
    let r = app
        .post(
            &decide,
            Some(&owner),
            json!({"decision": "accept", "note": "欢迎"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    let r = app
        .post(
            &decide,
            Some(&owner),
            json!({"decision": "decline", "reason": "price"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "decided once");
    let seen = app.get(&path, Some(&asker)).await;
    assert_eq!(seen.body["contact"]["email"], "tto@example.edu.cn");
    let unseen = app.get(&path, Some(&other)).await;
    assert!(unseen.body.get("contact").is_none());

    // The audit log names who did what; only admins read it.
    let log = app.get("/api/v1/audit", Some(&owner)).await;
    assert_eq!(log.status, StatusCode::FORBIDDEN);
    let log = app.get("/api/v1/audit", Some(&admin)).await;
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
