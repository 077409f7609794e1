//! `/api/v1/organisations` (`api/organisations.rs`): who registers and changes an
//! organisation, and who sees its private figures.

use crate::common::*;

#[tokio::test]
async fn organisations_and_roles() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let a = app.org(&staff, 6, "甲").await;
    let alice = app.account("alice", Role::Member, Some(a)).await;
    let new_org = json!({"kind": "university", "name": "某大学", "credit_code": code(7)});
    assert_eq!(
        app.call(
            Method::POST,
            "/api/v1/organisations",
            Some(&alice),
            Some(new_org.clone())
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    let url = format!("/api/v1/organisations/{a}");
    assert!(
        app.call(Method::GET, &url, None, None)
            .await
            .body
            .get("revenue_yuan")
            .is_none(),
        "revenue is private"
    );
    assert_eq!(
        app.call(Method::GET, &url, Some(&alice), None).await.body["revenue_yuan"],
        120000000
    );
    assert_eq!(
        app.call(Method::GET, &url, Some(&staff), None).await.body["revenue_yuan"],
        120000000
    );
    let patched = app
        .call(
            Method::PATCH,
            &url,
            Some(&alice),
            Some(json!({"certificates": [
        {"kind": "high_tech", "issued_on": "2025-01-01", "expires_on": "2027-12-31"}]})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["certificates"][0]["kind"], "high_tech");
    assert_eq!(
        app.call(Method::DELETE, &url, Some(&alice), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let found = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/organisations?q=甲&kind=enterprise"),
            None,
            None,
        )
        .await;
    assert_eq!(found.body["total"], 1);

    assert_eq!(
        app.call(Method::GET, "/api/v1/accounts", Some(&alice), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/accounts", Some(&admin), None)
            .await
            .body["total"],
        3
    );
    let me = app
        .call(Method::GET, "/api/v1/me", Some(&alice), None)
        .await;
    assert_eq!(
        (me.body["username"].as_str(), me.body["org_id"].as_i64()),
        (Some("alice"), Some(a))
    );
    let created = app
        .call(
            Method::POST,
            "/api/v1/accounts",
            Some(&admin),
            Some(json!({
        "username": "carol", "password": "long enough", "role": "technology_manager"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body.get("password").is_none() && created.body.get("password_hash").is_none());
}
