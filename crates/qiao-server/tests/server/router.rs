//! What `router.rs` gives every route: the error envelope (its exact bodies are a snapshot
//! clients rely on), the deadline of every request, and the body limit answered in the
//! envelope.

use axum::body::Body;
use axum::http::Request;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::*;

/// Every error kind, with its exact body: clients rely on these shapes.
#[tokio::test]
async fn error_bodies() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let a = app.org(&admin, 8, "甲").await;
    let alice = app.account("alice", Role::Member, Some(a)).await;
    let b = app.org(&admin, 9, "乙").await;
    let bob = app.account("bob", Role::Member, Some(b)).await;
    let id = app
        .call(
            Method::POST,
            "/api/v1/demands",
            Some(&alice),
            Some(demand()),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();

    let mut cases = Vec::new();
    let mut record = |name: &str, r: Reply| {
        cases.push(json!({"case": name, "status": r.status.as_u16(), "body": r.body}))
    };
    record(
        "malformed json",
        app.raw(
            Method::POST,
            "/api/v1/demands",
            Some(&alice),
            Some("{\"title\": "),
        )
        .await,
    );
    record(
        "unknown field",
        app.call(
            Method::POST,
            "/api/v1/demands",
            Some(&alice),
            Some(json!({"title": "t", "description": "d", "tittle": "x"})),
        )
        .await,
    );
    record(
        "wrong type",
        app.call(
            Method::POST,
            "/api/v1/demands",
            Some(&alice),
            Some(json!({"title": "t", "description": "d", "budget_min_yuan": "lots"})),
        )
        .await,
    );
    record(
        "missing field",
        app.call(
            Method::POST,
            "/api/v1/achievements",
            Some(&alice),
            Some(json!({"title": "t"})),
        )
        .await,
    );
    record(
        "rules broken",
        app.call(
            Method::POST,
            "/api/v1/challenges",
            Some(&alice),
            Some(json!({
        "title": " ", "description": "d", "reward_yuan": 0, "indicators": [{"name": "效率"}],
        "apply_from": "2026-06-01", "apply_until": "2026-01-01"})),
        )
        .await,
    );
    record(
        "bad credit code",
        app.call(
            Method::POST,
            "/api/v1/organisations",
            Some(&admin),
            Some(json!({
        "kind": "enterprise", "name": "丙", "credit_code": "91350100M000100Y44"})),
        )
        .await,
    );
    record(
        "duplicate credit code",
        app.call(
            Method::POST,
            "/api/v1/organisations",
            Some(&admin),
            Some(json!({
        "kind": "enterprise", "name": "丙", "credit_code": code(8)})),
        )
        .await,
    );
    record(
        "organisation still referenced",
        app.call(
            Method::DELETE,
            &format!("/api/v1/organisations/{a}"),
            Some(&admin),
            None,
        )
        .await,
    );
    record(
        "no token",
        app.call(Method::POST, "/api/v1/demands", None, Some(demand()))
            .await,
    );
    record(
        "unknown token",
        app.call(Method::GET, "/api/v1/me", Some("qiao_0000"), None)
            .await,
    );
    record(
        "wrong password",
        app.call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"username": "alice", "password": "nope nope"})),
        )
        .await,
    );
    record(
        "another organisation's record",
        app.call(
            Method::DELETE,
            &format!("/api/v1/demands/{id}"),
            Some(&bob),
            None,
        )
        .await,
    );
    record(
        "no such record",
        app.call(Method::GET, "/api/v1/demands/999999", None, None)
            .await,
    );
    record(
        "not an id",
        app.call(Method::GET, "/api/v1/demands/abc", None, None)
            .await,
    );
    record(
        "no such route",
        app.call(Method::GET, "/api/v1/nothing", None, None).await,
    );
    insta::assert_json_snapshot!("error_bodies", cases);
}

/// A request past its deadline is answered 503 in the error envelope (a page for browsers),
/// and its work dropped. Here the client sends the start of a body and then nothing, so the
/// handler waits for it until the deadline.
#[tokio::test]
async fn a_request_past_its_deadline_is_answered_503() {
    let db = TestDb::sqlite().await;
    let mut state = qiao_server::AppState::open(db.store.clone(), None)
        .await
        .unwrap();
    state.deadlines.request = std::time::Duration::from_millis(200);
    let router = qiao_server::router(state);
    let stalled = |uri: &str, content_type: &str, start: &'static str| {
        let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(start)])
            .chain(futures_util::stream::pending());
        Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("content-type", content_type)
            .body(Body::from_stream(chunks))
            .unwrap()
    };
    let started = std::time::Instant::now();
    let resp = router
        .clone()
        .oneshot(stalled(
            "/api/v1/tokens",
            "application/json",
            r#"{"username": "#,
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let resp = router
        .oneshot(stalled(
            "/login",
            "application/x-www-form-urlencoded",
            "username=",
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&bytes).contains("请求超时"));
}

/// Issue #29, item 10: a body over a route's limit is refused in the error envelope like any
/// other error, naming the limit (axum's own reply was plain text).
#[tokio::test]
async fn a_body_over_the_limit_is_refused_in_the_envelope() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let too_big = vec![b'a'; qiao_server::api::documents::MAX_DOCUMENT + 1];
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents?name=big.txt",
            Some(&admin),
            Some((too_big, "application/octet-stream")),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"]["code"], "payload_too_large", "{}", r.body);
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&qiao_server::api::documents::MAX_DOCUMENT.to_string()),
        "{message}"
    );
}
