//! `/api/v1/organisations` (`api/organisations.rs`): who registers and changes an
//! organisation, and who sees its private figures.

use crate::common::*;

#[tokio::test]
async fn organisations_and_roles() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let staff = app.staff().await;
    let a = app.org(&staff, 6, "甲").await;
    let alice = app.member("alice", a).await;
    let new_org = json!({"kind": "university", "name": "某大学", "credit_code": code(7)});
    let r = app
        .post("/api/v1/organisations", Some(&alice), new_org)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let url = format!("/api/v1/organisations/{a}");
    let public = app.get(&url, None).await;
    assert!(
        public.body.get("revenue_yuan").is_none(),
        "revenue is private"
    );
    for token in [&alice, &staff] {
        assert_eq!(
            app.get(&url, Some(token)).await.body["revenue_yuan"],
            120000000
        );
    }
    let patched = app
        .patch(
            &url,
            Some(&alice),
            json!({"certificates": [
        {"kind": "high_tech", "issued_on": "2025-01-01", "expires_on": "2027-12-31"}]}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(patched.body["certificates"][0]["kind"], "high_tech");
    assert_eq!(
        app.delete(&url, Some(&alice)).await.status,
        StatusCode::FORBIDDEN
    );
    let found = app
        .get(
            &encode_uri("/api/v1/organisations?q=甲&kind=enterprise"),
            None,
        )
        .await;
    assert_eq!(found.total(), 1);

    let accounts = app.get("/api/v1/accounts", Some(&alice)).await;
    assert_eq!(accounts.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/accounts", Some(&admin)).await.total(), 3);
    let me = app.get("/api/v1/me", Some(&alice)).await;
    assert_eq!(
        (me.body["username"].as_str(), me.body["org_id"].as_i64()),
        (Some("alice"), Some(a))
    );
    let created = app
        .post(
            "/api/v1/accounts",
            Some(&admin),
            json!({"username": "carol", "password": "long enough", "role": "technology_manager"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert!(created.body.get("password").is_none() && created.body.get("password_hash").is_none());
}
