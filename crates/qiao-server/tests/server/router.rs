//! What `router.rs` gives every route: the error envelope (its exact bodies are a snapshot
//! clients rely on), the deadline of every request, and the body limit answered in the
//! envelope.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use futures_util::StreamExt;

use crate::common::*;

/// Every error kind, with its exact body: clients rely on these shapes.
#[tokio::test]
async fn error_bodies() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    // The credit code and the ids below are in the snapshot.
    let a = app.org(&admin, 8, "甲").await;
    let alice = app.member("alice", a).await;
    let b = app.org(&admin, 9, "乙").await;
    let bob = app.member("bob", b).await;
    let id = app.create(&alice, "/api/v1/demands", demand()).await;

    let (alice, admin, bob) = (
        Some(alice.as_str()),
        Some(admin.as_str()),
        Some(bob.as_str()),
    );
    let cases = [
        (
            "malformed json",
            app.raw(Method::POST, "/api/v1/demands", alice, Some("{\"title\": "))
                .await,
        ),
        (
            "unknown field",
            app.post(
                "/api/v1/demands",
                alice,
                json!({"title": "t", "description": "d", "tittle": "x"}),
            )
            .await,
        ),
        (
            "wrong type",
            app.post(
                "/api/v1/demands",
                alice,
                json!({"title": "t", "description": "d", "budget_min_yuan": "lots"}),
            )
            .await,
        ),
        (
            "missing field",
            app.post("/api/v1/achievements", alice, json!({"title": "t"}))
                .await,
        ),
        (
            "rules broken",
            app.post("/api/v1/challenges", alice, json!({
                "title": " ", "description": "d", "reward_yuan": 0, "indicators": [{"name": "效率"}],
                "apply_from": "2026-06-01", "apply_until": "2026-01-01"}))
                .await,
        ),
        (
            "bad credit code",
            app.post("/api/v1/organisations", admin, json!({
                "kind": "enterprise", "name": "丙", "credit_code": "91350100M000100Y44"}))
                .await,
        ),
        (
            "duplicate credit code",
            app.post("/api/v1/organisations", admin, json!({
                "kind": "enterprise", "name": "丙", "credit_code": code(8)}))
                .await,
        ),
        (
            "organisation still referenced",
            app.delete(&format!("/api/v1/organisations/{a}"), admin)
                .await,
        ),
        (
            "no token",
            app.post("/api/v1/demands", None, demand()).await,
        ),
        (
            "unknown token",
            app.get("/api/v1/me", Some("qiao_0000")).await,
        ),
        ("wrong password", app.sign_in("alice", "nope nope").await),
        (
            "another organisation's record",
            app.delete(&format!("/api/v1/demands/{id}"), bob).await,
        ),
        (
            "no such record",
            app.get("/api/v1/demands/999999", None).await,
        ),
        ("not an id", app.get("/api/v1/demands/abc", None).await),
        ("no such route", app.get("/api/v1/nothing", None).await),
    ];
    let cases: Vec<Value> = cases
        .into_iter()
        .map(|(name, r)| json!({"case": name, "status": r.status.as_u16(), "body": r.body}))
        .collect();
    insta::assert_json_snapshot!("error_bodies", cases);
}

/// A request past its deadline is answered 503 in the error envelope (a page for browsers),
/// and its work dropped. Here the client sends the start of a body and then nothing, so the
/// handler waits for it until the deadline.
#[tokio::test]
async fn a_request_past_its_deadline_is_answered_503() {
    let app = TestApp::with(|state| state.deadlines.request = Duration::from_millis(200)).await;
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
    let started = Instant::now();
    let (status, _, bytes) = app
        .respond(stalled(
            "/api/v1/tokens",
            "application/json",
            r#"{"username": "#,
        ))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() >= Duration::from_millis(200));
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let (status, _, bytes) = app
        .respond(stalled(
            "/login",
            "application/x-www-form-urlencoded",
            "username=",
        ))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&bytes).contains("请求超时"));
}

/// Issue #29, item 10: a body over a route's limit is refused in the error envelope like any
/// other error, naming the limit (axum's own reply was plain text).
#[tokio::test]
async fn a_body_over_the_limit_is_refused_in_the_envelope() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let too_big = vec![b'a'; max_document() + 1];
    let r = app
        .upload_bytes(&admin, "big.txt", too_big)
        .await
        .expect(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"]["code"], "payload_too_large", "{}", r.body);
    assert!(
        r.message().contains(&max_document().to_string()),
        "{}",
        r.message()
    );
}
