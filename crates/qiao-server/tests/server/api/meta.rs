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
