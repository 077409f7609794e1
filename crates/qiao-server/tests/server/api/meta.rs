//! `/api/v1/health` and `/api/v1/openapi.json` (`api/meta.rs`): the OpenAPI document covers
//! every route, and a smoke test of the API on PostgreSQL.

use crate::common::*;

#[tokio::test]
async fn openapi_document_covers_every_route_and_resolves() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    assert_eq!(doc["openapi"], "3.0.3");
    let hit = &doc["components"]["schemas"]["SearchResults"]["properties"]["hits"]["items"];
    for field in [
        "id",
        "kind",
        "score",
        "signals",
        "stage",
        "expires_on",
        "snippets",
    ] {
        assert!(
            hit["properties"].get(field).is_some(),
            "hit field {field} documented"
        );
    }
    for kind in qiao_domain::Kind::ALL {
        let p = &doc["paths"][format!("/api/v1/{}/{{id}}", kind.plural())];
        for m in ["get", "put", "patch", "delete"] {
            assert!(p.get(m).is_some(), "{} {m}", kind.plural());
        }
    }
    // Deals, contracts, registration and statistics (issue #24).
    for (path, methods) in [
        ("/api/v1/deals", &["get", "post"][..]),
        ("/api/v1/deals/leads", &["get"]),
        ("/api/v1/deals/from-contact/{contact_request_id}", &["post"]),
        ("/api/v1/deals/from-match", &["post"]),
        ("/api/v1/deals/{id}", &["get"]),
        ("/api/v1/deals/{id}/actions", &["post"]),
        ("/api/v1/settings/stage-probabilities", &["get", "put"]),
        ("/api/v1/contracts", &["get", "post"]),
        ("/api/v1/contracts/precheck", &["post"]),
        ("/api/v1/contracts/{id}", &["get", "put"]),
        ("/api/v1/contracts/{id}/registration", &["post"]),
        ("/api/v1/statistics/contracts", &["get"]),
    ] {
        for m in methods {
            assert!(doc["paths"][path].get(*m).is_some(), "{m} {path}");
        }
    }
    let action = &doc["components"]["schemas"]["DealAction"];
    assert!(action.is_object(), "the deal actions are documented");
    assert!(
        doc["components"]["schemas"]["Registration"].is_object()
            && doc["components"]["schemas"]["Finding"].is_object()
    );
    assert!(
        doc["paths"]["/api/v1/accounts/{id}"]["patch"]["requestBody"].is_object(),
        "disabling and password resets are documented"
    );
    let change = &doc["components"]["schemas"]["AccountChange"]["properties"];
    assert!(change.get("disabled").is_some() && change.get("password").is_some());
    assert!(
        doc["components"]["schemas"]["Account"]["properties"]
            .get("disabled_at")
            .is_some()
    );
    // Every $ref points at a schema the document defines.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20);
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected ref {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "dangling {r}"
        );
    }
}

#[tokio::test]
async fn smoke_on_postgres() {
    let Some(app) = TestApp::postgres().await else {
        eprintln!("QIAO_TEST_DATABASE_URL is not set; the PostgreSQL API smoke test did not run");
        return;
    };
    let admin = app.admin().await;
    let a = app.org(&admin, 10, "甲").await;
    let alice = app.member("alice", a).await;
    app.create(&alice, "/api/v1/demands", demand()).await;
    let health = app.get("/api/v1/health", None).await;
    assert_eq!(health.body["backend"], "postgres");
    assert!(health.body["last_seq"].as_i64().unwrap() >= 3);
    // Documents too: stored, refused twice, found with a traditional query.
    let doc = || fixture_bytes(WORK_PLAN);
    let first = app
        .upload_bytes(&admin, "003.txt", doc())
        .await
        .expect(StatusCode::CREATED);
    app.publish(&admin, first.id()).await.expect(StatusCode::OK);
    let again = app.upload_bytes(&admin, "003.txt", doc()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let found = app
        .get(
            &encode_uri("/api/v1/search?q=閔行區科委&type=document"),
            None,
        )
        .await;
    assert_eq!(found.body["hits"][0]["id"], first.body["id"]);
    app.db.drop_schema().await;
}

/// Every API route of the route table is in the OpenAPI document with each of its methods:
/// read from `src/router.rs` itself, so a route added without its documentation fails here.
#[tokio::test]
async fn every_api_route_is_documented() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let src = include_str!("../../../src/router.rs");
    let api = src
        .split("let mut api = Router::new()")
        .nth(1)
        .and_then(|s| s.split("let api = api").next())
        .expect("the API routes in router.rs");
    let mut checked = 0;
    for chunk in api.split(".route(").skip(1) {
        let literal = chunk.split('"').nth(1).expect("a route's path");
        // The listing kinds' routes are `format!`ed per kind.
        let paths: Vec<String> = if literal.contains("{}") {
            qiao_domain::Kind::ALL
                .iter()
                .map(|k| {
                    literal
                        .replacen("{}", k.plural(), 1)
                        .replace("{{id}}", "{id}")
                })
                .collect()
        } else {
            vec![literal.to_string()]
        };
        let methods: Vec<&str> = ["get", "post", "put", "patch", "delete"]
            .into_iter()
            .filter(|m| {
                chunk.match_indices(&format!("{m}(")).any(|(at, _)| {
                    let before = &chunk[..at];
                    before.ends_with("routing::")
                        || before.ends_with(|c: char| c == '.' || c == '(' || c.is_whitespace())
                })
            })
            .collect();
        assert!(!methods.is_empty(), "no method found for {literal}");
        for path in paths {
            if path == "/openapi.json" {
                continue; // the document itself
            }
            for m in &methods {
                assert!(
                    doc["paths"][format!("/api/v1{path}")].get(*m).is_some(),
                    "{} /api/v1{path} is not in the OpenAPI document",
                    m.to_uppercase()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} routes read from router.rs");
}
