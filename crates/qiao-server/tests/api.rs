//! The JSON API end to end: the real router on a fresh database per test, requests sent
//! in-process. Runs on SQLite, and the smoke test also on PostgreSQL when
//! `QIAO_TEST_DATABASE_URL` is set.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use qiao_domain::{NewAccount, Role};
use qiao_store::Backend;
use qiao_store::test_support::TestDb;
use serde_json::{Value, json};
use tower::ServiceExt;

struct TestApp {
    db: TestDb,
    router: axum::Router,
}

struct Reply {
    status: StatusCode,
    body: Value,
    location: Option<String>,
}

fn code(n: u32) -> String {
    let first = format!("91310000MA1K{n:05}");
    format!(
        "{first}{}",
        qiao_domain::codes::credit_code_check_char(&first).unwrap()
    )
}

impl TestApp {
    async fn new() -> TestApp {
        Self::on(TestDb::sqlite().await).await
    }

    async fn on(db: TestDb) -> TestApp {
        let router = qiao_server::router(
            qiao_server::AppState::open(db.store.clone(), None)
                .await
                .unwrap(),
        );
        TestApp { db, router }
    }

    async fn raw(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let body = body.map(|b| (b.as_bytes().to_vec(), "application/json"));
        self.send(method, uri, token, body).await
    }

    /// A request with a body of raw bytes (and its content type).
    async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<(Vec<u8>, &str)>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some((_, content_type)) = &body {
            req = req.header("content-type", *content_type);
        }
        let req = req
            .body(body.map(|(b, _)| Body::from(b)).unwrap_or_else(Body::empty))
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            body,
            location,
        }
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let text = body.map(|b| b.to_string());
        self.raw(method, uri, token, text.as_deref()).await
    }

    async fn account(&self, username: &str, role: Role, org_id: Option<i64>) -> String {
        let password = format!("{username}-password");
        let new = NewAccount {
            username: username.into(),
            display_name: None,
            password: password.clone(),
            role,
            org_id,
        };
        self.db
            .store
            .create_account(&new, &qiao_server::auth::hash_password(&password))
            .await
            .unwrap();
        let r = self
            .call(
                Method::POST,
                "/api/v1/tokens",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }

    /// Verifies every certificate of organisation `id` as `staff` (an admin or commission staff).
    async fn verify_all(&self, staff: &str, id: i64) {
        let org = self
            .call(
                Method::GET,
                &format!("/api/v1/organisations/{id}"),
                Some(staff),
                None,
            )
            .await;
        let n = org.body["certificates"].as_array().map_or(0, Vec::len);
        for i in 0..n {
            let r = self
                .call(
                    Method::POST,
                    &format!("/api/v1/organisations/{id}/certificates/{i}/verification"),
                    Some(staff),
                    Some(json!({"status": "verified"})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }

    async fn org(&self, admin: &str, n: u32, name: &str) -> i64 {
        let r = self
            .call(Method::POST, "/api/v1/organisations", Some(admin), Some(json!({
                "kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区", "revenue_yuan": 120000000
            })))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_i64().unwrap()
    }
}

/// Percent-encodes the non-ASCII bytes of a URI (enough for Chinese query values).
fn enc(uri: &str) -> String {
    uri.bytes()
        .map(|b| {
            if b.is_ascii() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn demand() -> Value {
    json!({"title": "电池包散热", "description": "夏天电池包发烫、电芯温差大，想找不大改结构的办法",
           "keywords": ["热管理", "相变材料"], "district": "嘉定区", "budget_min_yuan": 500000, "budget_max_yuan": 2000000,
           "indicators": [{"name": "电芯温差", "target": 3, "unit": "℃"}],
           "confidential": "现用电芯型号 X-100", "contact": {"name": "张工", "phone": "021-55550000"}})
}

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
    let q = |s: &str| enc(&format!("/api/v1/achievements?{s}"));
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
            &enc("/api/v1/organisations?q=甲&kind=enterprise"),
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

#[tokio::test]
async fn openapi_document_covers_every_route_and_resolves() {
    let app = TestApp::new().await;
    let doc = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .body;
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
async fn home_page_escapes_listing_text() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let body = json!({"title": "<script>alert(1)</script>成果", "summary": "s"});
    app.call(
        Method::POST,
        "/api/v1/achievements",
        Some(&admin),
        Some(body),
    )
    .await;
    let page = app.raw(Method::GET, "/", None, None).await;
    let html = page.body.as_str().unwrap();
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;成果"));
    assert!(!html.contains("<script>alert"));
}

#[tokio::test]
async fn smoke_on_postgres() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        eprintln!("QIAO_TEST_DATABASE_URL is not set; the PostgreSQL API smoke test did not run");
        return;
    };
    let app = TestApp::on(db).await;
    let admin = app.account("admin", Role::Admin, None).await;
    let a = app.org(&admin, 10, "甲").await;
    let alice = app.account("alice", Role::Member, Some(a)).await;
    let created = app
        .call(
            Method::POST,
            "/api/v1/demands",
            Some(&alice),
            Some(demand()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let health = app.call(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!(health.body["backend"], "postgres");
    assert!(health.body["last_seq"].as_i64().unwrap() >= 3);
    // Documents too: stored, refused twice, found with a traditional query.
    let doc = || {
        (
            fixture_bytes("003_853fbbfa8443af7f.txt"),
            "application/octet-stream",
        )
    };
    let uri = "/api/v1/documents?name=003.txt";
    let first = app.send(Method::POST, uri, Some(&admin), Some(doc())).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let published = app
        .call(
            Method::POST,
            &format!("/api/v1/documents/{}/publish", first.body["id"]),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let again = app.send(Method::POST, uri, Some(&admin), Some(doc())).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let found = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=閔行區科委&type=document"),
            None,
            None,
        )
        .await;
    assert_eq!(found.body["hits"][0]["id"], first.body["id"]);
    app.db.drop_schema().await;
}

#[tokio::test]
async fn search_finds_listings_across_scripts_with_highlights_in_the_original() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let org = app.org(&admin, 21, "甲").await;
    let alice = app.account("alice", Role::Member, Some(org)).await;
    let simplified = app
        .call(Method::POST, "/api/v1/achievements", Some(&alice), Some(json!({
            "title": "面向工业质检的人工智能数据库系统", "summary": "一种基于人工智能的缺陷图像数据库与检索软件。",
            "keywords": ["人工智能", "机器视觉"], "discipline": "信息技术"})))
        .await;
    assert_eq!(
        simplified.status,
        StatusCode::CREATED,
        "{}",
        simplified.body
    );
    let traditional = app
        .call(Method::POST, "/api/v1/demands", Some(&alice), Some(json!({
            "title": "尋找資料庫軟體合作夥伴", "description": "本公司需要以人工智慧技術改善資料庫查詢效能。"})))
        .await;
    assert_eq!(
        traditional.status,
        StatusCode::CREATED,
        "{}",
        traditional.body
    );
    let (s_id, t_id) = (
        simplified.body["id"].as_i64().unwrap(),
        traditional.body["id"].as_i64().unwrap(),
    );

    // A Taiwan-phrased query finds the simplified listing, written right after it was stored.
    let r = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=人工智慧%20資料庫&type=achievement"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["hits"][0]["id"], s_id, "{}", r.body);
    assert_eq!(
        r.body["hits"].as_array().unwrap().len(),
        1,
        "type filter: {}",
        r.body
    );
    let terms: Vec<&str> = r.body["hits"][0]["matched_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        terms.contains(&"人工智能") && terms.contains(&"数据库"),
        "{terms:?}"
    );

    // A simplified query finds the traditional listing; its snippet keeps the original script
    // and the highlight offsets slice exactly the matched traditional words.
    let r = app
        .call(Method::GET, &enc("/api/v1/search?q=数据库软件"), None, None)
        .await;
    let hit = r.body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == t_id)
        .unwrap_or_else(|| panic!("traditional listing not found: {}", r.body));
    let title = &hit["snippets"][0];
    assert_eq!(title["field"], "title");
    let text = title["text"].as_str().unwrap();
    assert_eq!(text, "尋找資料庫軟體合作夥伴");
    let marked: Vec<&str> = title["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &text[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize])
        .collect();
    assert!(
        marked.iter().any(|m| m.contains("資料庫")),
        "highlights {marked:?} in {text}"
    );
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert_eq!(hit["signals"][0]["name"], "lexical");
}

#[tokio::test]
async fn search_never_shows_drafts_or_private_fields_and_names_bad_parameters() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let org = app.org(&admin, 22, "甲").await;
    let alice = app.account("alice", Role::Member, Some(org)).await;
    let mut secret = demand();
    secret["confidential"] = json!("绝密配方石墨烯涂层");
    let r = app
        .call(Method::POST, "/api/v1/demands", Some(&alice), Some(secret))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app
        .call(
            Method::POST,
            "/api/v1/achievements",
            Some(&alice),
            Some(json!({
            "title": "石墨烯导热膜草稿", "summary": "未公开", "status": "draft"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=石墨烯"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["hits"], json!([]), "{}", r.body);
    assert_eq!(r.body["matched"], 0);
    assert_eq!(r.body["with_words"], 0);

    // Query meta-characters are plain text.
    for q in [
        "\"",
        "a AND (b OR",
        "*:*",
        "'; DROP TABLE listings; --",
        "电池 -散热 +热管理~2",
    ] {
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/search?q={}", urlencode(q)),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    let r = app
        .call(Method::GET, &enc("/api/v1/search?q=散热"), None, None)
        .await;
    assert_eq!(r.body["hits"].as_array().unwrap().len(), 1);

    for (uri, field) in [
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=%20", "q"),
        ("/api/v1/search?q=x&type=patent", "type"),
        ("/api/v1/search?q=x&status=draft", "status"),
        ("/api/v1/search?q=x&per_page=0", "per_page"),
    ] {
        let r = app.call(Method::GET, uri, None, None).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            r.body
        );
        assert_eq!(r.body["error"]["fields"][0]["field"], field, "{uri}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn matches_go_both_ways_with_structured_reasons() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let org = app.org(&admin, 23, "甲").await;
    let alice = app.account("alice", Role::Member, Some(org)).await;
    let post = |kind: &'static str, body: Value| {
        let (app, alice) = (&app, &alice);
        async move {
            let r = app
                .call(
                    Method::POST,
                    &format!("/api/v1/{kind}"),
                    Some(alice),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["id"].as_i64().unwrap()
        }
    };
    let want = post("demands", json!({
        "title": "动力电池包热管理", "description": "夏天电池包发烫、电芯温差大，希望用相变材料改善电池散热。",
        "keywords": ["热管理", "相变材料"], "discipline": "新能源", "budget_max_yuan": 2000000})).await;
    let good = post("achievements", json!({
        "title": "相变材料电池热管理系统", "summary": "基于相变材料的电池包热管理结构，降低电芯温差。",
        "keywords": ["相变材料", "热管理"], "discipline": "新能源", "stage": "pilot", "price_min_yuan": 800000})).await;
    let weaker = post("achievements", json!({
        "title": "电池外壳注塑工艺", "summary": "一种电池外壳的注塑成型方法。", "discipline": "材料"})).await;
    let closed = post(
        "achievements",
        json!({
        "title": "相变材料电池热管理旧方案", "summary": "相变材料热管理。", "status": "closed"}),
    )
    .await;
    let expired = post("achievements", json!({
        "title": "相变材料电池热管理过期方案", "summary": "相变材料热管理。", "expires_on": "2020-01-01"})).await;
    let expert = post("experts", json!({
        "title": "李教授：电池热管理专家", "description": "长期研究相变材料与电池热管理。", "discipline": "新能源"})).await;
    let other_demand = post(
        "demands",
        json!({
        "title": "锂电池热管理改进", "description": "寻找相变材料热管理方案。"}),
    )
    .await;

    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/demands/{want}/matches"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["source"]["id"], want);
    let ids: Vec<i64> = r.body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&good), "{}", r.body);
    assert!(ids.contains(&expert) && ids.contains(&weaker), "{ids:?}");
    for not_wanted in [want, closed, expired, other_demand] {
        assert!(!ids.contains(&not_wanted), "{not_wanted} in {ids:?}");
    }
    let best = &r.body["hits"][0];
    let signals: Vec<&str> = best["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for s in ["lexical", "discipline", "maturity", "budget"] {
        assert!(signals.contains(&s), "{s} missing from {signals:?}");
    }
    assert!(
        best["matched_terms"]
            .as_array()
            .unwrap()
            .contains(&json!("相变材料"))
    );

    // The reverse: the achievement's matches are demands, challenges and scenarios.
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/achievements/{good}/matches"),
            None,
            None,
        )
        .await;
    let kinds: Vec<&str> = r.body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| *k == "demand"),
        "{kinds:?}"
    );
    assert_eq!(r.body["hits"][0]["id"], want);

    // Matches of a listing one may not see are a 404, as the listing itself is.
    let r = app
        .call(Method::GET, "/api/v1/demands/99999/matches", None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/achievements/{want}/matches"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "wrong kind");
}

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

const DOC_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../qiao-docs/tests/fixtures");

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DOC_FIXTURES}/{name}")).unwrap()
}

#[tokio::test]
async fn documents_are_imported_read_searched_in_either_script_and_deleted() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let member = app.account("member", Role::Member, None).await;
    let upload = |name: &str, token: &str| {
        let (uri, token) = (format!("/api/v1/documents?name={name}"), token.to_string());
        let bytes = fixture_bytes(name);
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &uri,
                Some(&token),
                Some((bytes, "application/octet-stream")),
            )
            .await
        }
    };

    // Who may import, and what a request must carry.
    let r = upload("003_853fbbfa8443af7f.txt", &member).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents",
            Some(&admin),
            Some((b"text".to_vec(), "text/plain")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["field"], "name");
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents?name=a.txt",
            Some(&admin),
            Some((Vec::new(), "text/plain")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["field"], "body");

    let minhang = upload("003_853fbbfa8443af7f.txt", &staff).await;
    assert_eq!(minhang.status, StatusCode::CREATED, "{}", minhang.body);
    let minhang_id = minhang.body["id"].as_i64().unwrap();
    assert_eq!(
        minhang.location.as_deref(),
        Some(format!("/api/v1/documents/{minhang_id}").as_str())
    );
    assert_eq!(minhang.body["doc_number"], "闵科委〔2023〕14号");
    assert_eq!(minhang.body["script"], "hans");
    assert_eq!(minhang.body["file_name"], "003_853fbbfa8443af7f.txt");
    let figures = minhang.body["figures"].as_array().unwrap();
    let deal = figures
        .iter()
        .find(|f| {
            f["indicator"]
                .as_str()
                .is_some_and(|i| i.contains("技术合同成交额"))
        })
        .unwrap_or_else(|| panic!("no 技术合同成交额 among {figures:?}"));
    assert_eq!(deal["value"], 23_000_000_000_i64);
    assert_eq!(deal["unit"], "元");
    assert_eq!(deal["raw"], "230亿元");

    let yangpu = upload("002_fa69439dd6a4a0b4.txt", &admin).await;
    assert_eq!(yangpu.status, StatusCode::CREATED, "{}", yangpu.body);
    let yangpu_id = yangpu.body["id"].as_i64().unwrap();
    assert_eq!(yangpu.body["script"], "hant");

    // The same bytes again: 409 naming the stored copy, nothing new stored.
    let again = upload("003_853fbbfa8443af7f.txt", &admin).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "conflict");
    assert!(
        again.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("already imported as document {minhang_id}"))
    );
    assert_eq!(
        again.location.as_deref(),
        Some(format!("/api/v1/documents/{minhang_id}").as_str())
    );

    // Imported as drafts: staff and admins see them; anyone else, and search, not yet.
    assert_eq!(minhang.body["state"], "draft");
    let hidden = app.call(Method::GET, "/api/v1/documents", None, None).await;
    assert_eq!(hidden.body["total"], 0, "{}", hidden.body);
    let drafts = app
        .call(
            Method::GET,
            "/api/v1/documents?state=draft",
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(drafts.body["total"], 2, "{}", drafts.body);
    assert_eq!(drafts.body["items"][0]["state"], "draft");
    let draft = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{minhang_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(draft.status, StatusCode::NOT_FOUND, "{}", draft.body);
    let unfound = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=杨浦区&type=document"),
            None,
            None,
        )
        .await;
    assert_eq!(unfound.body["hits"], json!([]), "{}", unfound.body);
    // Only staff and admins publish.
    let publish = |id: i64, token: &str| {
        let (uri, token) = (format!("/api/v1/documents/{id}/publish"), token.to_string());
        let app = &app;
        async move { app.call(Method::POST, &uri, Some(&token), None).await }
    };
    assert_eq!(
        publish(minhang_id, &member).await.status,
        StatusCode::FORBIDDEN
    );
    for id in [minhang_id, yangpu_id] {
        let r = publish(id, &staff).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["state"], "published");
    }

    // Read by anyone: the list (newest first) and one document with text, figures, removed lines.
    let list = app.call(Method::GET, "/api/v1/documents", None, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"][0]["id"], yangpu_id);
    assert_eq!(list.body["items"][1]["figures"], figures.len());
    let hant = app
        .call(Method::GET, "/api/v1/documents?script=hant", None, None)
        .await;
    assert_eq!(hant.body["total"], 1);
    let bad = app
        .call(Method::GET, "/api/v1/documents?script=latin", None, None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let one = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{minhang_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(
        one.body["text"]
            .as_str()
            .unwrap()
            .contains("技术合同成交额")
    );
    assert!(!one.body["removed"].as_array().unwrap().is_empty());
    assert_eq!(one.body["figures"].as_array().unwrap().len(), figures.len());

    // Search: simplified finds the traditional page, traditional the simplified one.
    let found = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=杨浦区&type=document"),
            None,
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["hits"][0]["id"], yangpu_id);
    assert_eq!(found.body["hits"][0]["type"], "document");
    assert!(
        found.body["hits"][0]["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["text"].as_str().unwrap().contains("楊浦")),
        "snippets in the page's own script: {}",
        found.body
    );
    let found = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=閔行區科委&type=document"),
            None,
            None,
        )
        .await;
    assert_eq!(found.body["hits"][0]["id"], minhang_id);
    // Listing searches do not return documents; bad combinations are named.
    let listings = app
        .call(Method::GET, &enc("/api/v1/search?q=杨浦区"), None, None)
        .await;
    assert_eq!(listings.status, StatusCode::OK);
    assert_eq!(listings.body["hits"], json!([]));
    let mixed = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=杨浦区&type=document,demand"),
            None,
            None,
        )
        .await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mixed.body["error"]["fields"][0]["field"], "type");

    // The page shows the metadata, the text and the figures; search results link to it.
    let page = app
        .raw(Method::GET, &format!("/documents/{minhang_id}"), None, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body.as_str().unwrap();
    assert!(html.contains("闵科委〔2023〕14号"));
    let table = &html[html.find("id=\"figures\"").expect("a figures table")..];
    assert!(
        table.contains("技术合同成交额</td><td>230亿元</td>"),
        "{table}"
    );
    let results = app
        .raw(Method::GET, &enc("/search?q=杨浦区"), None, None)
        .await;
    assert!(
        results
            .body
            .as_str()
            .unwrap()
            .contains(&format!("href=\"/documents/{yangpu_id}\""))
    );
    // Text that looks like markup stays text on the page.
    let markup = "<html><body><h1>&lt;script&gt;alert(1)&lt;/script&gt;通知</h1>\
        <p>&lt;script&gt;alert(2)&lt;/script&gt;全年技术合同成交额达5亿元。</p></body></html>";
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents?name=markup.html",
            Some(&admin),
            Some((markup.as_bytes().to_vec(), "text/html")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(
        r.body["text"]
            .as_str()
            .unwrap()
            .contains("<script>alert(2)")
    );
    let published = publish(r.body["id"].as_i64().unwrap(), &admin).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let page = app
        .raw(
            Method::GET,
            &format!("/documents/{}", r.body["id"]),
            None,
            None,
        )
        .await;
    let html = page.body.as_str().unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&#60;script&#62;alert(2)"), "{html}");

    let missing = app.raw(Method::GET, "/documents/999", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Deleting: staff only; then gone from the store and from search.
    let path = format!("/api/v1/documents/{yangpu_id}");
    let r = app.call(Method::DELETE, &path, Some(&member), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.call(Method::DELETE, &path, Some(&staff), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.call(Method::GET, &path, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let found = app
        .call(
            Method::GET,
            &enc("/api/v1/search?q=杨浦区&type=document"),
            None,
            None,
        )
        .await;
    assert!(
        found.body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != yangpu_id)
    );
    // Deleted bytes may be imported again.
    let back = upload("002_fa69439dd6a4a0b4.txt", &admin).await;
    assert_eq!(back.status, StatusCode::CREATED);
}

#[tokio::test]
async fn policies_check_enterprises_both_ways_without_leaking_private_figures() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let make = |n: u32, name: &str, extra: Value| {
        let mut body = json!({"kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (app, admin) = (&app, admin.clone());
        async move {
            let r = app
                .call(
                    Method::POST,
                    "/api/v1/organisations",
                    Some(&admin),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let id = r.body["id"].as_i64().unwrap();
            app.verify_all(&admin, id).await;
            id
        }
    };
    let cert =
        json!([{"kind": "high_tech", "issued_on": "2024-12-01", "expires_on": "2027-11-30"}]);
    let strong = make(
        1,
        "强研发科技",
        json!({"revenue_yuan": 50_000_000, "rd_expense_yuan": 4_000_000, "certificates": cert}),
    )
    .await;
    let weak = make(
        2,
        "弱研发科技",
        json!({"revenue_yuan": 50_000_000, "rd_expense_yuan": 500_000, "certificates": cert}),
    )
    .await;
    let silent = make(3, "未填报科技", json!({"certificates": cert})).await;
    let member = app.account("member", Role::Member, Some(strong)).await;
    let outsider = app.account("outsider", Role::Member, Some(weak)).await;

    let policy = json!({"title": "高新技术企业研发投入奖励", "benefit": "按研发投入的10%奖励，最高100万元",
        "conditions": {"certificates": ["high_tech"], "districts": ["闵行区"], "min_rd_ratio_percent": 5}});
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&member),
            Some(policy.clone()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "members do not write policies"
    );
    let bad = json!({"title": "x", "conditions": {"min_rd_ratio_percent": 500, "industries": ["Q"], "nmae": 1}});
    let r = app
        .call(Method::POST, "/api/v1/policies", Some(&staff), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nmae"),
        "{}",
        r.body
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&staff),
            Some(json!({"title": "x", "conditions": {"min_rd_ratio_percent": 500}})),
        )
        .await;
    assert_eq!(
        r.body["error"]["fields"][0]["field"], "conditions.min_rd_ratio_percent",
        "{}",
        r.body
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&staff),
            Some(json!({"title": "x", "document_id": 999})),
        )
        .await;
    assert_eq!(
        r.body["error"]["fields"][0]["field"], "document_id",
        "{}",
        r.body
    );
    let created = app
        .call(Method::POST, "/api/v1/policies", Some(&staff), Some(policy))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let pid = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/api/v1/policies/{pid}").as_str())
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/policies", None, None)
            .await
            .body["total"],
        1
    );

    // Policy → enterprises: staff see every verdict, qualifying first, with what is needed.
    let uri = format!("/api/v1/policies/{pid}/enterprises?on=2026-06-01");
    assert_eq!(
        app.call(Method::GET, &uri, Some(&member), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let reach = app.call(Method::GET, &uri, Some(&staff), None).await;
    assert_eq!(reach.status, StatusCode::OK, "{}", reach.body);
    assert_eq!(
        reach.body["counts"],
        json!({"pass": 1, "unknown": 1, "fail": 1})
    );
    let ids: Vec<i64> = reach.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [strong, silent, weak]);
    let weak_checks = &reach.body["items"][2]["eligibility"]["checks"];
    assert_eq!(weak_checks[2]["condition"], "rd_ratio");
    assert_eq!(weak_checks[2]["outcome"], "fail");
    assert_eq!(weak_checks[2]["actual"]["zh"], "1.0%");
    assert_eq!(weak_checks[2]["needed"]["zh"], "研发费用需再增加约200万元");
    let only = app
        .call(
            Method::GET,
            &format!("{uri}&outcome=unknown"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        (
            only.body["total"].as_i64(),
            only.body["items"][0]["id"].as_i64()
        ),
        (Some(1), Some(silent))
    );
    let r = app
        .call(
            Method::GET,
            &format!("{uri}&outcome=maybe"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(r.body["error"]["fields"][0]["field"], "outcome");
    // After the certificate lapses, nobody qualifies.
    let later = app
        .call(
            Method::GET,
            &format!("/api/v1/policies/{pid}/enterprises?on=2027-12-01"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(later.body["counts"]["pass"], 0);

    // Enterprise → policies: the member sees its own verdict; an outsider checking the same
    // enterprise gets "unknown" on the R&D ratio, never a pass or fail that reveals it.
    let own = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{strong}/policies?on=2026-06-01"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.body[0]["eligibility"]["outcome"], "pass");
    assert_eq!(own.body[0]["policy"]["id"], pid);
    let seen = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{strong}/policies?on=2026-06-01"),
            Some(&outsider),
            None,
        )
        .await;
    assert_eq!(seen.body[0]["eligibility"]["outcome"], "unknown");
    assert_eq!(
        seen.body[0]["eligibility"]["checks"][2]["actual"],
        Value::Null
    );
    let anon = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{weak}/policies"),
            None,
            None,
        )
        .await;
    assert_eq!(anon.body[0]["eligibility"]["outcome"], "unknown");
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{weak}/policies?on=tomorrow"),
            None,
            None,
        )
        .await;
    assert_eq!(r.body["error"]["fields"][0]["field"], "on");

    // Staff change and delete it; the audit log names them.
    let mut changed = created.body.clone();
    for k in ["id", "created_at", "updated_at"] {
        changed.as_object_mut().unwrap().remove(k);
    }
    changed["conditions"]["min_rd_ratio_percent"] = json!(1);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/policies/{pid}"),
            Some(&staff),
            Some(changed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let reach = app.call(Method::GET, &uri, Some(&staff), None).await;
    assert_eq!(
        reach.body["counts"],
        json!({"pass": 2, "unknown": 1, "fail": 0})
    );
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/policies/{pid}"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call(Method::GET, &format!("/api/v1/policies/{pid}"), None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let audit = app
        .call(
            Method::GET,
            "/api/v1/audit?per_page=200",
            Some(&admin),
            None,
        )
        .await;
    let policy_ops: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "policy")
        .map(|e| e["op"].as_str().unwrap())
        .collect();
    assert_eq!(policy_ops, ["delete", "update", "insert"]);
}

#[tokio::test]
async fn targets_from_a_work_plan_are_measured_by_the_certificates_in_force() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let member = app.account("member", Role::Member, None).await;
    let plan = app
        .send(
            Method::POST,
            "/api/v1/documents?name=003.txt",
            Some(&staff),
            Some((
                fixture_bytes("003_853fbbfa8443af7f.txt"),
                "application/octet-stream",
            )),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.body);
    let doc = plan.body["id"].as_i64().unwrap();
    let figures = plan.body["figures"].as_array().unwrap();
    let high_tech = figures
        .iter()
        .position(|f| f["indicator"].as_str().unwrap().contains("高新技术企业"))
        .unwrap();
    let turnover = figures
        .iter()
        .position(|f| f["indicator"] == "技术合同成交额")
        .unwrap();

    // Three enterprises in 闵行区 hold the certificate during 2023, one of them lapsing in June;
    // one in 徐汇区 does not count.
    for (n, district, expires) in [
        (1, "闵行区", "2025-11-30"),
        (2, "闵行区", "2025-11-30"),
        (3, "闵行区", "2023-06-30"),
        (4, "徐汇区", "2025-11-30"),
    ] {
        let r = app.call(Method::POST, "/api/v1/organisations", Some(&admin), Some(json!({
            "kind": "enterprise", "name": format!("企业{n}"), "credit_code": code(n), "district": district,
            "certificates": [{"kind": "high_tech", "issued_on": "2022-12-01", "expires_on": expires}]
        }))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        app.verify_all(&staff, r.body["id"].as_i64().unwrap()).await;
    }

    let uri = format!("/api/v1/documents/{doc}/targets");
    assert_eq!(
        app.call(Method::POST, &uri, Some(&member), Some(json!({})))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .call(
            Method::POST,
            &uri,
            Some(&staff),
            Some(json!({"figures": [high_tech, 999]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "figures[999]");
    assert_eq!(
        app.call(Method::GET, "/api/v1/targets", None, None)
            .await
            .body["total"],
        0,
        "nothing half-written"
    );
    let made = app
        .call(
            Method::POST,
            &uri,
            Some(&staff),
            Some(json!({"figures": [high_tech, turnover]})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let ht = &made.body[0];
    assert_eq!(
        (
            ht["region"].as_str(),
            ht["year"].as_i64(),
            ht["value"].as_f64()
        ),
        (Some("闵行区"), Some(2023), Some(4000.0))
    );
    assert_eq!(
        ht["metric"],
        json!({"kind": "certified", "certificate": "high_tech"})
    );
    assert_eq!(ht["document_id"], doc);
    // Measured on the year's last day: the lapsed certificate no longer counts.
    assert_eq!(ht["progress"]["as_of"], "2023-12-31");
    assert_eq!(ht["progress"]["actual"], 2.0);
    assert_eq!(ht["progress"]["source"], "computed");
    assert_eq!(ht["progress"]["reached"], false);
    // The same figures again add nothing; the two statements of the turnover make one target.
    let again = app
        .call(
            Method::POST,
            &uri,
            Some(&staff),
            Some(json!({"figures": [high_tech]})),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    let all = app
        .call(Method::POST, &uri, Some(&staff), Some(json!({})))
        .await;
    assert_eq!(all.status, StatusCode::CREATED, "{}", all.body);
    let indicators: Vec<&str> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["indicator"].as_str().unwrap())
        .collect();
    assert!(
        !indicators.contains(&"技术合同成交额")
            && !indicators.iter().any(|i| i.contains("有效期内高新")),
        "{indicators:?}"
    );
    assert!(indicators.contains(&"院士专家工作站"), "{indicators:?}");
    let deal = &made.body[1];
    assert_eq!(deal["value"].as_f64(), Some(23_000_000_000.0));
    assert_eq!(deal["metric"], Value::Null);
    assert_eq!(deal["progress"]["actual"], Value::Null);

    // The turnover is reported by hand; the list filters by region and year.
    let id = deal["id"].as_i64().unwrap();
    let mut reported = deal.clone();
    for k in ["id", "created_at", "updated_at", "progress"] {
        reported.as_object_mut().unwrap().remove(k);
    }
    reported["reported"] = json!(24_500_000_000.0);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/targets/{id}"),
            Some(&staff),
            Some(reported),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["progress"]["source"].as_str(),
            r.body["progress"]["reached"].as_bool()
        ),
        (Some("reported"), Some(true))
    );
    let hand = app
        .call(
            Method::POST,
            "/api/v1/targets",
            Some(&staff),
            Some(json!({
        "region": "徐汇区", "year": 2023, "indicator": "高新技术企业", "value": 1, "unit": "家",
        "metric": {"kind": "certified", "certificate": "high_tech"}})),
        )
        .await;
    assert_eq!(hand.status, StatusCode::CREATED, "{}", hand.body);
    assert_eq!(hand.body["progress"]["reached"], true);
    let r = app
        .call(
            Method::POST,
            "/api/v1/targets",
            Some(&staff),
            Some(json!({
        "region": "徐汇区", "year": 1800, "indicator": "x", "value": -1, "unit": "元",
        "metric": {"kind": "certified", "certificate": "high_tech"}})),
        )
        .await;
    let fields: Vec<&str> = r.body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["year", "value", "metric"]);
    let minhang = app
        .call(
            Method::GET,
            &enc("/api/v1/targets?region=闵行区&year=2023"),
            None,
            None,
        )
        .await;
    assert_eq!(
        minhang.body["total"].as_u64(),
        Some(2 + all.body.as_array().unwrap().len() as u64)
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/targets?year=2024", None, None)
            .await
            .body["total"],
        0
    );
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/targets/{id}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn token_guessing_is_limited_like_the_sign_in_form() {
    let app = TestApp::new().await;
    app.account("nina", Role::Member, None).await;
    app.account("omar", Role::Member, None).await;
    let login = |username: &str, password: &str| {
        app.call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"username": username, "password": password})),
        )
    };
    for _ in 0..5 {
        let r = login("nina", "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    // Locked, even with the right password, and told how long to wait.
    let r = login("nina", "nina-password").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "too_many_requests");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("try again in 15 minutes"),
        "the wait is named: {message}"
    );
    // Other usernames are not affected; a success clears a count below the limit.
    for _ in 0..4 {
        login("omar", "wrong-password").await;
    }
    assert_eq!(
        login("omar", "omar-password").await.status,
        StatusCode::CREATED
    );
    for _ in 0..4 {
        login("omar", "wrong-password").await;
    }
    assert_eq!(
        login("omar", "omar-password").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn admins_disable_enable_and_reset_accounts() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let org = app.org(&admin, 41, "丁公司").await;
    let dan = app.account("dan", Role::Member, Some(org)).await;
    let app = &app;
    let me = |token: String| async move {
        app.call(Method::GET, "/api/v1/me", Some(&token), None)
            .await
    };
    let dan_id = me(dan.clone()).await.body["id"].as_i64().unwrap();
    let admin_id = me(admin.clone()).await.body["id"].as_i64().unwrap();
    let login = |password: &str| {
        let body = json!({"username": "dan", "password": password});
        async move {
            app.call(Method::POST, "/api/v1/tokens", None, Some(body))
                .await
        }
    };
    let patch = |token: String, id: i64, body: Value| async move {
        app.call(
            Method::PATCH,
            &format!("/api/v1/accounts/{id}"),
            Some(&token),
            Some(body),
        )
        .await
    };

    // Only admins; anonymous callers must authenticate.
    let r = patch(dan.clone(), admin_id, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/accounts/{dan_id}"),
            None,
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(admin.clone()).await.status, StatusCode::OK);

    // Disabled: its token stops working at once, and signing in is refused like a wrong
    // password.
    let r = patch(admin.clone(), dan_id, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["disabled_at"].is_string(), "{}", r.body);
    assert_eq!(me(dan.clone()).await.status, StatusCode::UNAUTHORIZED);
    let r = login("dan-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["message"], "wrong username or password");
    let list = app
        .call(Method::GET, "/api/v1/accounts", Some(&admin), None)
        .await;
    let row = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == dan_id)
        .unwrap();
    assert!(row["disabled_at"].is_string(), "{row}");

    // An admin cannot disable themselves.
    let r = patch(admin.clone(), admin_id, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "disabled");
    assert_eq!(me(admin.clone()).await.status, StatusCode::OK);

    // Re-enabled: signing in works again; the token from before stays revoked.
    let r = patch(admin.clone(), dan_id, json!({"disabled": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["disabled_at"].is_null());
    assert_eq!(me(dan.clone()).await.status, StatusCode::UNAUTHORIZED);
    let r = login("dan-password").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let fresh = r.body["token"].as_str().unwrap().to_string();
    assert_eq!(me(fresh.clone()).await.status, StatusCode::OK);

    // Password reset: as long as registration asks; the old password and token stop working.
    let r = patch(admin.clone(), dan_id, json!({"password": "short"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "password");
    let r = patch(dan.clone(), dan_id, json!({"password": "dan-new-password"})).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token changes nothing"
    );
    let r = patch(
        fresh.clone(),
        dan_id,
        json!({"password": "dan-new-password"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "members do not reset passwords"
    );
    let r = patch(
        admin.clone(),
        dan_id,
        json!({"password": "dan-new-password"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(me(fresh).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login("dan-password").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login("dan-new-password").await.status, StatusCode::CREATED);

    // Nothing to change, an unknown field, a missing account.
    let r = patch(admin.clone(), dan_id, json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = patch(admin.clone(), dan_id, json!({"role": "admin"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = patch(admin.clone(), 9999, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Each change is audited as the admin's, and the password is not in the log.
    let log = app
        .call(Method::GET, "/api/v1/audit", Some(&admin), None)
        .await;
    let updates = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "account" && e["entity_id"] == dan_id && e["op"] == "update")
        .map(|e| e["actor"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(updates, ["admin", "admin", "admin"]);
    assert!(!log.body.to_string().contains("dan-new-password"));
}

/// A burst of concurrent wrong passwords is held to the same five failures as guesses one
/// after the other: each attempt takes its place in the count before the slow hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_are_held_to_the_limit() {
    let app = TestApp::new().await;
    app.account("eve", Role::Member, None).await;
    let guesses: Vec<_> = (0..40)
        .map(|i| {
            let router = app.router.clone();
            tokio::spawn(async move {
                let body = json!({"username": "eve", "password": format!("guess-{i}")});
                let req = Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/tokens")
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap();
                router.oneshot(req).await.unwrap().status()
            })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        match g.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("a wrong password answered {other}"),
        }
    }
    let max = qiao_server::signin::LoginLimiter::MAX_FAILURES;
    assert!(
        checked <= max,
        "{checked} wrong passwords were checked, at most {max} may be"
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"username": "eve", "password": "eve-password"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even for the right password: {}",
        r.body
    );
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

/// Issue #29, item 4: a bulk import is no way around the rules of a `PATCH`. A staff account
/// that may not change a listing may not overwrite it through `POST /api/v1/imports`; nobody
/// moves a listing to another organisation by import; an update keeps the fields its file
/// has no column for.
#[tokio::test]
async fn imports_never_reown_a_listing_nor_erase_what_the_file_does_not_name() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let a = app.org(&admin, 41, "甲").await;
    // The organisation the attack tries to move the demand to.
    app.org(&admin, 42, "乙").await;
    let commission = app.org(&admin, 43, "科委").await;
    let alice = app.account("alice", Role::Member, Some(a)).await;
    let staff = app
        .account("staff", Role::CommissionStaff, Some(commission))
        .await;
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
    let url = format!("/api/v1/demands/{id}");
    let import = |token: &str, line: Value| {
        let body = format!("{line}\n").into_bytes();
        let token = token.to_string();
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/v1/imports?format=jsonl",
                Some(&token),
                Some((body, "application/x-ndjson")),
            )
            .await
        }
    };

    // Staff may not PATCH alice's demand, so they may not import over it either.
    let patch = app
        .call(
            Method::PATCH,
            &url,
            Some(&staff),
            Some(json!({"title": "改"})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
    let attack = json!({"kind": "demand", "id": id, "owner": code(42), "title": "被改写的需求",
                        "description": "改写"});
    let r = import(&staff, attack.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "line 1: id");
    assert_eq!(r.body["error"]["fields"][0]["code"], "not_yours");
    let message = r.body["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("listing {id} belongs to another organisation")),
        "{message}"
    );

    // Not even an admin, who may change it, moves it to another organisation by import.
    let r = import(&admin, attack).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "line 1: owner");
    let message = r.body["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("listing {id} has `{}` here", code(41))),
        "{message}"
    );
    let stored = app.call(Method::GET, &url, Some(&alice), None).await.body;
    assert_eq!(stored["owner_org_id"], a);
    assert_eq!(stored["title"], "电池包散热");

    // An update naming only some fields keeps the rest (private ones included) and the owner.
    let r = import(
        &admin,
        json!({"kind": "demand", "id": id, "title": "电池包散热（更新）",
                                  "description": "新的说明"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["listings_updated"], 1);
    let stored = app.call(Method::GET, &url, Some(&alice), None).await.body;
    assert_eq!(stored["owner_org_id"], a);
    assert_eq!(stored["title"], "电池包散热（更新）");
    assert_eq!(stored["description"], "新的说明");
    assert_eq!(stored["confidential"], "现用电芯型号 X-100");
    assert_eq!(stored["contact"]["phone"], "021-55550000");
    assert_eq!(stored["budget_max_yuan"], 2000000);
}

/// A policy text of about `bytes` bytes: numbered lines, each with two figures.
fn long_policy(bytes: usize) -> Vec<u8> {
    let mut text = String::from("闵行区科技创新三年行动计划\n");
    let mut i = 0;
    while text.len() < bytes {
        i += 1;
        text.push_str(&format!(
            "第{i}条 到2026年，全区高新技术企业数量达到{}家，技术合同成交额突破{}亿元。\n",
            1000 + i % 900,
            100 + i % 300
        ));
    }
    text.into_bytes()
}

/// Issue #29, item 5: a document is read in bounded parts, in the API and on its page.
#[tokio::test]
async fn a_long_document_is_read_in_bounded_parts() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let bytes = long_policy(300_000);
    let created = app
        .send(
            Method::POST,
            "/api/v1/documents?name=plan.txt",
            Some(&admin),
            Some((bytes, "application/octet-stream")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert!(created.body["text"].as_str().unwrap().len() <= 50 * 1024);
    let published = app
        .call(
            Method::POST,
            &format!("/api/v1/documents/{id}/publish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let first = app
        .call(Method::GET, &format!("/api/v1/documents/{id}"), None, None)
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let parts = first.body["parts"].as_u64().unwrap();
    let total = first.body["text_bytes"].as_u64().unwrap() as usize;
    let figures_total = first.body["figures_total"].as_u64().unwrap() as usize;
    assert!(
        total > 250_000 && figures_total > 1000,
        "{total} {figures_total}"
    );
    let mut text = String::new();
    let mut figures = 0;
    for n in 1..=parts {
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/documents/{id}?part={n}"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let part = r.body["text"].as_str().unwrap();
        assert!(part.len() <= 50 * 1024, "part {n}: {} bytes", part.len());
        assert_eq!(
            r.body["text_range"][0].as_u64().unwrap() as usize,
            text.len()
        );
        text.push_str(part);
        let f = r.body["figures"].as_array().unwrap().len();
        assert!(f <= 200);
        assert_eq!(r.body["figures_from"].as_u64().unwrap() as usize, figures);
        figures += f;
    }
    assert_eq!((text.len(), figures), (total, figures_total));
    // Every line once, in order, across the parts.
    let numbers: Vec<usize> = text
        .lines()
        .filter_map(|l| l.strip_prefix('第')?.split('条').next()?.parse().ok())
        .collect();
    assert!(numbers.len() > 2000 && numbers.windows(2).all(|w| w[1] == w[0] + 1));
    let past = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{id}?part={}", parts + 1),
            None,
            None,
        )
        .await;
    assert_eq!(
        past.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        past.body
    );
    assert_eq!(past.body["error"]["fields"][0]["field"], "part");
    for absurd in ["0", "18446744073709551615", "-1"] {
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/documents/{id}?part={absurd}"),
                None,
                None,
            )
            .await;
        assert!(r.status.is_client_error(), "{absurd}: {}", r.status);
    }
}

/// Issue #29, item 5: reading an uploaded document does not run on the threads that answer
/// requests. On a runtime of one thread, a health check sent while a large upload is being
/// read is answered long before the upload finishes.
#[tokio::test(flavor = "current_thread")]
async fn reading_an_upload_does_not_hold_up_other_requests() {
    use std::time::{Duration, Instant};
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let bytes = long_policy(6 << 20);
    let router = app.router.clone();
    let started = Instant::now();
    let upload = tokio::spawn(async move {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/documents?name=big.txt")
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::from(bytes))
            .unwrap();
        let status = router.oneshot(req).await.unwrap().status();
        (status, started.elapsed())
    });
    // The upload starts (the one runtime thread runs it) while this task sleeps.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let health = app.call(Method::GET, "/api/v1/health", None, None).await;
    let answered = started.elapsed();
    assert_eq!(health.status, StatusCode::OK);
    let (status, uploaded) = upload.await.unwrap();
    assert_eq!(status, StatusCode::CREATED);
    eprintln!("health answered after {answered:?}, upload done after {uploaded:?}");
    assert!(
        answered < uploaded / 2,
        "health answered after {answered:?}, the upload took {uploaded:?}"
    );
}

/// Issue #29, item 9: page numbers are counted in 64 bits. `page=33554433&per_page=128` is
/// 2^32 items in: past the end, an empty page, never page 1 again.
#[tokio::test]
async fn a_page_past_the_end_is_empty_never_wrapped_to_the_first() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let org = app.org(&admin, 51, "甲").await;
    let alice = app.account("alice", Role::Member, Some(org)).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/demands",
            Some(&alice),
            Some(demand()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let demand_id = r.body["id"].as_i64().unwrap();
    let r = app
        .call(
            Method::POST,
            "/api/v1/achievements",
            Some(&alice),
            Some(json!({
            "title": "相变材料电池热管理", "summary": "电池包散热，相变材料吸热降低电芯温差"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&staff),
            Some(json!({
            "title": "闵行区企业奖励", "conditions": {"districts": ["闵行区"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let policy = r.body["id"].as_i64().unwrap();

    let far = "page=33554433&per_page=128";
    for (uri, items) in [
        (enc("/api/v1/search?q=电池"), "hits"),
        (format!("/api/v1/demands/{demand_id}/matches"), "hits"),
        (format!("/api/v1/policies/{policy}/enterprises"), "items"),
    ] {
        let sep = if uri.contains('?') { '&' } else { '?' };
        let first = app
            .call(
                Method::GET,
                &format!("{uri}{sep}per_page=128"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(first.status, StatusCode::OK, "{uri}: {}", first.body);
        let first_items = first.body[items].as_array().unwrap().len();
        assert!(first_items > 0, "{uri}: page 1 is empty");
        let reply = app
            .call(Method::GET, &format!("{uri}{sep}{far}"), Some(&staff), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
        assert_eq!(reply.body["page"], 33554433, "{uri}");
        assert_eq!(
            reply.body[items],
            json!([]),
            "{uri}: {} on page 1",
            first_items
        );
    }
    assert!(
        app.call(
            Method::GET,
            &enc("/api/v1/search?q=电池&page=4294967296"),
            None,
            None
        )
        .await
        .status
        .is_client_error(),
        "a page number beyond 32 bits is refused"
    );
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

/// Issue #29, item 10: eight spaces, or one character eight times, are no password.
#[tokio::test]
async fn passwords_need_eight_characters_besides_spaces_and_two_different_ones() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    for weak in ["        ", "   abc    ", "aaaaaaaaaa"] {
        let r = app
            .call(
                Method::POST,
                "/api/v1/accounts",
                Some(&admin),
                Some(json!({"username": "carol", "password": weak, "role": "technology_manager"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{weak:?}: {}",
            r.body
        );
        assert_eq!(r.body["error"]["fields"][0]["field"], "password");
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/accounts",
            Some(&admin),
            Some(json!({"username": "carol", "password": " two words ", "role": "technology_manager"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// Issue #29, item 4 for organisations: a line naming a registered organisation overwrites its
/// profile, so staff (who may not PATCH it) may not import it; an admin may.
#[tokio::test]
async fn imports_never_overwrite_an_organisation_the_account_may_not_change() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let a = app.org(&admin, 51, "甲公司").await;
    let commission = app.org(&admin, 53, "科委").await;
    let staff = app
        .account("staff", Role::CommissionStaff, Some(commission))
        .await;
    let import = |token: String, lines: String| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/v1/imports?format=jsonl",
                Some(&token),
                Some((lines.into_bytes(), "application/x-ndjson")),
            )
            .await
        }
    };
    let overwrite = json!({"kind": "organisation", "org_kind": "enterprise", "name": "被改名的公司",
                           "credit_code": code(51)});
    let fresh = json!({"kind": "organisation", "org_kind": "enterprise", "name": "新公司",
                       "credit_code": code(52)});
    let patch = app
        .call(
            Method::PATCH,
            &format!("/api/v1/organisations/{a}"),
            Some(&staff),
            Some(json!({"name": "被改名的公司"})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN, "{}", patch.body);
    let r = import(staff.clone(), format!("{fresh}\n{overwrite}\n")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "line 2: credit_code");
    let message = r.body["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("organisation {a} is already registered")),
        "{message}"
    );
    let stored = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{a}"),
            Some(&admin),
            None,
        )
        .await
        .body;
    assert_eq!(stored["name"], "甲公司", "nothing written: {stored}");
    // A new organisation alone is fine for staff; an admin may overwrite.
    let r = import(staff, format!("{fresh}\n")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = import(admin.clone(), format!("{overwrite}\n")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stored = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{a}"),
            Some(&admin),
            None,
        )
        .await
        .body;
    assert_eq!(stored["name"], "被改名的公司");
}

/// The rows of the first sheet of an XLSX workbook, every cell as text, and whether any cell
/// holds a formula.
fn sheet_rows(bytes: &[u8]) -> (Vec<Vec<String>>, bool) {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let rows = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let formulas = book
        .worksheet_formula(&name)
        .unwrap()
        .used_cells()
        .any(|(_, _, f)| !f.is_empty());
    (rows, formulas)
}

#[tokio::test]
async fn the_audit_api_lists_changed_fields_filters_and_exports_for_admins_only() {
    let app = TestApp::new().await;
    let admin = app.account("auditor", Role::Admin, None).await;
    let org = app.org(&admin, 61, "审计企业").await;
    let member = app.account("member", Role::Member, Some(org)).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/demands",
            Some(&member),
            Some(demand()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let mut changed = demand();
    changed["budget_max_yuan"] = json!(3000000);
    changed["title"] = json!("=HYPERLINK(\"http://example.com\")电池包散热");
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/demands/{id}"),
            Some(&member),
            Some(changed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Admins only, in JSON and as a workbook.
    for uri in ["/api/v1/audit", "/api/v1/audit?format=xlsx"] {
        assert_eq!(
            app.call(Method::GET, uri, None, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call(Method::GET, uri, Some(&member), None).await.status,
            StatusCode::FORBIDDEN
        );
    }

    // One record's history by one actor: the create and the update, with their fields.
    let history = app
        .call(
            Method::GET,
            &format!("/api/v1/audit?actor=member&entity=listing&entity_id={id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    assert_eq!(history.body["total"], 2, "{}", history.body);
    let update = &history.body["items"][0];
    assert_eq!(update["op"], "update");
    let fields: Vec<(&str, &Value, &Value)> = update["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["field"].as_str().unwrap(), &c["before"], &c["after"]))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("budget_max_yuan", &json!(2000000), &json!(3000000)),
            (
                "title",
                &json!("电池包散热"),
                &json!("=HYPERLINK(\"http://example.com\")电池包散热")
            ),
        ]
    );
    let create = &history.body["items"][1];
    assert!(
        create["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "contact.phone" && c["after"] == "021-55550000"),
        "{create}"
    );
    // By actor: the admin made the organisation only.
    let by_admin = app
        .call(
            Method::GET,
            "/api/v1/audit?actor=auditor",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(by_admin.body["total"], 1, "{}", by_admin.body);
    assert_eq!(by_admin.body["items"][0]["entity"], "organisation");
    // By date (China Standard Time days): nothing in 2000, everything today.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d");
    let old = app
        .call(
            Method::GET,
            "/api/v1/audit?from=2000-01-01&to=2000-12-31",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(old.body["total"], 0, "{}", old.body);
    let now = app
        .call(
            Method::GET,
            &format!("/api/v1/audit?from={today}&to={today}&entity=listing"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(now.body["total"], 2, "{}", now.body);
    // Bad parameters are named.
    for (uri, field) in [
        ("/api/v1/audit?entity=widget", "entity"),
        ("/api/v1/audit?entity_id=x", "entity_id"),
        ("/api/v1/audit?from=2026-13-01", "from"),
        ("/api/v1/audit?format=pdf", "format"),
    ] {
        let r = app.call(Method::GET, uri, Some(&admin), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert!(r.body.to_string().contains(field), "{uri}: {}", r.body);
    }

    // The workbook: one row per changed field, values whole, a formula-like value as text.
    let req = Request::builder()
        .uri(format!(
            "/api/v1/audit?format=xlsx&entity=listing&entity_id={id}"
        ))
        .header("authorization", format!("Bearer {admin}"))
        .body(Body::empty())
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let (rows, formulas) = sheet_rows(&bytes);
    assert!(!formulas, "no cell may hold a formula");
    assert_eq!(rows[0][6], "字段");
    assert_eq!(rows[0][8], "修改后");
    let update_rows: Vec<_> = rows.iter().filter(|r| r[3] == "修改").collect();
    assert_eq!(update_rows.len(), 2, "{rows:?}");
    assert_eq!(
        update_rows[0][4..],
        [
            "技术需求",
            &id.to_string(),
            "预算上限",
            "2000000",
            "3000000"
        ]
    );
    assert_eq!(update_rows[0][2], "member");
    assert_eq!(update_rows[1][6], "标题");
    assert_eq!(
        update_rows[1][8],
        "=HYPERLINK(\"http://example.com\")电池包散热"
    );
    let created = rows.iter().filter(|r| r[3] == "新建").count();
    assert_eq!(created, create["changes"].as_array().unwrap().len());
}

/// A document whose cleaned text still holds a line that looks like spam is flagged for the
/// reviewer: the line is listed for staff (API and page), never for the public.
#[tokio::test]
async fn a_document_that_still_looks_like_spam_is_flagged_for_review() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let text = "关于推进科技创新券使用的通知\n各区科委：现将有关事项通知如下。\n\
                欢迎访问娱乐城官网获取最新优惠。\n本通知自发布之日起施行。\n";
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents?name=notice.txt",
            Some(&admin),
            Some((text.as_bytes().to_vec(), "text/plain")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "draft");
    assert_eq!(
        r.body["review"],
        json!(["欢迎访问娱乐城官网获取最新优惠。"]),
        "{}",
        r.body
    );
    let id = r.body["id"].as_i64().unwrap();
    let list = app
        .call(Method::GET, "/api/v1/documents", Some(&admin), None)
        .await;
    assert_eq!(list.body["items"][0]["review"], 1);
    // Published anyway by the reviewer: the public reads the document, not the notes.
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/documents/{id}/publish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let public = app
        .call(Method::GET, &format!("/api/v1/documents/{id}"), None, None)
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.get("review").is_none(), "{}", public.body);
}

#[tokio::test]
async fn certificates_count_only_once_staff_verify_them() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let today = qiao_domain::today();
    let day = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let id = app.org(&admin, 801, "自称高企科技").await;
    let member = app.account("member", Role::Member, Some(id)).await;
    let org_uri = format!("/api/v1/organisations/{id}");
    let verify_uri = format!("{org_uri}/certificates/0/verification");
    let r = app
        .call(Method::POST, "/api/v1/targets", Some(&staff), Some(json!({
            "region": "上海市", "year": chrono::Datelike::year(&today), "indicator": "有效期内高新技术企业",
            "value": 10, "unit": "家", "metric": {"kind": "certified", "certificate": "high_tech"}})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&staff),
            Some(json!({
            "title": "高企奖励", "conditions": {"certificates": ["high_tech"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let progress = || async {
        let t = app.call(Method::GET, "/api/v1/targets", None, None).await;
        t.body["items"][0]["progress"].clone()
    };
    let verdict = || async {
        let p = app
            .call(
                Method::GET,
                &format!("{org_uri}/policies"),
                Some(&member),
                None,
            )
            .await;
        p.body[0]["eligibility"]["checks"][0].clone()
    };

    // The member claims a certificate, and forges a verification with it: both are a claim.
    let r = app
        .call(Method::PATCH, &org_uri, Some(&member), Some(json!({"certificates": [
            {"kind": "high_tech", "number": "GR2026FAKE", "issued_on": day(-30), "expires_on": day(1000),
             "verification": {"status": "verified", "by": 1, "by_name": "me", "at": "2026-01-01T00:00:00Z"}}]})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["certificates"][0]["verification"],
        json!({"status": "pending"})
    );
    let check = verdict().await;
    assert_eq!(check["outcome"], "unknown", "{check}");
    assert_eq!(check["needed"]["zh"], "待科委核验证书");
    let p = progress().await;
    assert_eq!(
        (p["actual"].as_f64(), p["pending"].as_u64()),
        (Some(0.0), Some(1)),
        "{p}"
    );

    // Only staff and admins decide.
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            Some(&member),
            Some(json!({"status": "verified"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            None,
            Some(json!({"status": "verified"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .call(
            Method::GET,
            "/api/v1/certificates/pending",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::GET,
            &enc("/api/v1/certificates/pending?kind=高新技术企业"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(
        (r.body[0]["org_id"].as_i64(), r.body[0]["index"].as_u64()),
        (Some(id), Some(0))
    );

    // Bad decisions name what is wrong.
    for (body, status, field) in [
        (
            json!({"status": "maybe"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "status",
        ),
        (
            json!({"status": "rejected", "reason": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
        ),
        (
            json!({"status": "verified", "kind": "leading"}),
            StatusCode::CONFLICT,
            "",
        ),
    ] {
        let r = app
            .call(Method::POST, &verify_uri, Some(&staff), Some(body))
            .await;
        assert_eq!(r.status, status, "{}", r.body);
        if !field.is_empty() {
            assert_eq!(r.body["error"]["fields"][0]["field"], field, "{}", r.body);
        }
    }
    let r = app
        .call(
            Method::POST,
            &format!("{org_uri}/certificates/5/verification"),
            Some(&staff),
            Some(json!({"status": "verified"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(progress().await["actual"], 0.0, "nothing was decided");

    // Staff verify it, correcting the number: now it counts.
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            Some(&staff),
            Some(json!({"status": "verified", "number": "GR202631000777", "kind": "high_tech"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = &r.body["certificates"][0];
    assert_eq!(
        (
            v["verification"]["status"].as_str(),
            v["verification"]["by_name"].as_str()
        ),
        (Some("verified"), Some("staff"))
    );
    assert_eq!(v["number"], "GR202631000777");
    let p = progress().await;
    assert_eq!(
        (p["actual"].as_f64(), p["pending"].as_u64()),
        (Some(1.0), Some(0)),
        "{p}"
    );
    assert_eq!(verdict().await["outcome"], "pass");

    // A profile edit keeps the verdict; a changed claim is pending again.
    let r = app
        .call(
            Method::PATCH,
            &org_uri,
            Some(&member),
            Some(json!({"description": "电池"})),
        )
        .await;
    assert_eq!(
        r.body["certificates"][0]["verification"]["status"], "verified",
        "{}",
        r.body
    );
    let mut certs = r.body["certificates"].clone();
    certs[0]["expires_on"] = json!(day(2000));
    let r = app
        .call(
            Method::PATCH,
            &org_uri,
            Some(&member),
            Some(json!({"certificates": certs})),
        )
        .await;
    assert_eq!(
        r.body["certificates"][0]["verification"]["status"], "pending",
        "{}",
        r.body
    );
    assert_eq!(progress().await["actual"], 0.0);

    // Rejected with a reason: a fail, and the reason is kept.
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            Some(&staff),
            Some(json!({"status": "rejected", "reason": "区高企名单中无此证书 <b>"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["certificates"][0]["verification"]["reason"],
        "区高企名单中无此证书 <b>"
    );
    assert_eq!(verdict().await["outcome"], "fail");
    assert_eq!(progress().await["actual"], 0.0);

    // Every decision is in the audit log with who made it.
    let audit = app
        .call(
            Method::GET,
            "/api/v1/audit?per_page=200",
            Some(&admin),
            None,
        )
        .await;
    let by_staff = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "organisation" && e["entity_id"] == id && e["actor"] == "staff")
        .count();
    assert_eq!(by_staff, 2, "{}", audit.body);
}

#[tokio::test]
async fn an_official_list_verifies_every_matching_claim_and_names_the_rest() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let member = app.account("member", Role::Member, None).await;
    let claim = |issued: &str| {
        json!({"certificates": [
        {"kind": "high_tech", "issued_on": issued, "expires_on": "2099-12-31"}]})
    };
    let a = app.org(&admin, 811, "甲").await;
    let b = app.org(&admin, 812, "乙").await;
    let c = app.org(&admin, 813, "丙").await;
    for (id, issued) in [(a, "2025-12-01"), (b, "2025-12-01")] {
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/organisations/{id}"),
                Some(&admin),
                Some(claim(issued)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let csv = format!(
        "2025年高新技术企业名单\n序号,企业名称,统一社会信用代码,证书编号,发证日期\n1,甲,{},GR202531000001,2025-12-01\n2,乙,{},GR202531000002,2025-11-01\n3,丙,{},GR202531000003,2025-12-01\n4,无名,{},GR4,2025-12-01\n5,坏,91310000XXXX,GR5,2025-12-01\n6,甲,{},GR202531000001,2025-12-01\n",
        code(811),
        code(812),
        code(813),
        code(899),
        code(811)
    );
    let uri = "/api/v1/certificate-lists?kind=high_tech&format=csv&name=高企名单.csv";
    let send = |token: String, body: String| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &enc(uri),
                Some(&token),
                Some((body.into_bytes(), "text/csv")),
            )
            .await
        }
    };
    assert_eq!(
        send(member.clone(), csv.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let r = send(staff.clone(), csv.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let lines = |k: &str| -> Vec<u64> {
        r.body[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("verified"), [3]);
    assert_eq!(lines("already_verified"), [8], "a code listed twice");
    assert_eq!(lines("unmatched"), [4, 5, 6, 7], "{}", r.body);
    let reasons: Vec<&str> = r.body["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"]["zh"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("发证日期不符"), "{reasons:?}");
    assert!(reasons[1].contains("未申报"), "{reasons:?}");
    assert!(reasons[2].contains("没有该统一社会信用代码"), "{reasons:?}");
    assert!(reasons[3].contains("统一社会信用代码"), "{reasons:?}");
    let got = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{a}"),
            None,
            None,
        )
        .await;
    let v = &got.body["certificates"][0];
    assert_eq!(v["verification"]["status"], "verified");
    assert_eq!(v["verification"]["source"], "高企名单.csv 第3行");
    assert_eq!(v["number"], "GR202531000001");
    let got = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{b}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        got.body["certificates"][0]["verification"]["status"],
        "pending"
    );
    let _ = c;
    // Applied again, the list verifies nothing new.
    let again = send(staff.clone(), csv).await;
    assert_eq!(again.body["verified"].as_array().unwrap().len(), 0);
    assert_eq!(again.body["already_verified"].as_array().unwrap().len(), 2);
    // A list without a credit-code column is refused as a whole.
    let r = send(staff, "企业名称,证书编号\n甲,GR1\n".into()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

/// Issue #29, item 10: API tokens expire and are revoked one by one by their owner.
#[tokio::test]
async fn tokens_expire_and_are_revoked_one_by_one() {
    let app = TestApp::new().await;
    let eve = app.account("eve", Role::Member, None).await;
    let mallory = app.account("mallory", Role::Member, None).await;
    let login = |days: Value| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/tokens",
                None,
                Some(
                    json!({"username": "eve", "password": "eve-password", "name": "script",
                            "expires_in_days": days}),
                ),
            )
            .await
        }
    };
    let r = login(json!(7)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((6.9..=7.0).contains(&days), "{days}");
    let (second, second_id) = (
        r.body["token"].as_str().unwrap().to_string(),
        r.body["id"].as_i64().unwrap(),
    );
    for bad in [json!(0), json!(366)] {
        let r = login(bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["error"]["fields"][0]["field"], "expires_in_days");
    }
    // Listed without the tokens themselves.
    let listed = app
        .call(Method::GET, "/api/v1/tokens", Some(&eve), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body.as_array().unwrap().len(), 2, "{}", listed.body);
    assert_eq!(listed.body[0]["id"], second_id);
    assert!(!listed.body.to_string().contains(&second));
    // Another account's token is not yours to revoke.
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{second_id}"),
            Some(&mallory),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Revoked: it stops working at once; the other token still works.
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{second_id}"),
            Some(&eve),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let me = app
        .call(Method::GET, "/api/v1/me", Some(&second), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let me = app.call(Method::GET, "/api/v1/me", Some(&eve), None).await;
    assert_eq!(me.status, StatusCode::OK);
    // An expired token is refused like an unknown one.
    let eve_id = me.body["id"].as_i64().unwrap();
    let (expired, hash) = qiao_server::auth::new_token();
    app.db
        .store
        .create_token_until(
            eve_id,
            "old",
            &hash,
            chrono::Utc::now() - chrono::Duration::seconds(1),
        )
        .await
        .unwrap();
    let me = app
        .call(Method::GET, "/api/v1/me", Some(&expired), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
}
