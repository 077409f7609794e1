//! The pages end to end, as a browser uses them: the real router on a fresh SQLite database,
//! a client that keeps cookies and posts forms with the CSRF token it was given. The security
//! rules of the platform are checked here: stored script is inert on every page, forms without
//! the token are refused, one organisation cannot edit another's listing or read its private
//! fields before the owner agrees, and sign-in guessing is slowed down.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use qiao_domain::{NewAccount, Organisation, Role};
use qiao_store::test_support::TestDb;
use tower::ServiceExt;

struct App {
    db: TestDb,
    router: axum::Router,
}

/// A browser: its cookies, and the last page it saw.
struct Browser<'a> {
    app: &'a App,
    cookies: HashMap<String, String>,
    headers: Vec<(&'static str, &'static str)>,
}

struct Page {
    status: StatusCode,
    body: String,
    location: Option<String>,
    set_cookies: Vec<String>,
}

fn code(n: u32) -> String {
    let first = format!("91310000MA1K{n:05}");
    format!(
        "{first}{}",
        qiao_domain::codes::credit_code_check_char(&first).unwrap()
    )
}

fn enc(s: &str) -> String {
    urlencoding::encode(s).into_owned()
}

impl App {
    async fn new() -> App {
        let db = TestDb::sqlite().await;
        let router = qiao_server::router(
            qiao_server::AppState::open(db.store.clone(), None)
                .await
                .unwrap(),
        );
        App { db, router }
    }

    async fn org(&self, n: u32, name: &str) -> i64 {
        let mut o: Organisation = serde_json::from_value(serde_json::json!({
            "kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区",
            "revenue_yuan": 123456789,
            "certificates": [{"kind": "high_tech", "issued_on": "2024-01-01", "expires_on": "2099-12-31"}]
        }))
        .unwrap();
        o.validate().unwrap();
        self.db.store.create_org(&o).await.unwrap().id
    }

    async fn account(&self, username: &str, role: Role, org_id: Option<i64>) {
        let new = NewAccount {
            username: username.into(),
            display_name: None,
            password: format!("{username}-password"),
            role,
            org_id,
        };
        self.db
            .store
            .create_account(&new, &qiao_server::auth::hash_password(&new.password))
            .await
            .unwrap();
    }

    fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: HashMap::new(),
            headers: Vec::new(),
        }
    }
}

impl Browser<'_> {
    async fn send(&mut self, method: &str, uri: &str, form: Option<String>) -> Page {
        let body = form.map(|f| {
            (
                "application/x-www-form-urlencoded".to_string(),
                f.into_bytes(),
            )
        });
        self.send_body(method, uri, body).await
    }

    /// Sends a request with the browser's cookies and `body` (its content type and bytes).
    async fn send_body(
        &mut self,
        method: &str,
        uri: &str,
        body: Option<(String, Vec<u8>)>,
    ) -> Page {
        let mut req = Request::builder().method(method).uri(uri);
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", c.join("; "));
        }
        for (k, v) in &self.headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some((content_type, bytes)) => req
                .header("content-type", content_type)
                .body(Body::from(bytes)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.app.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            location,
            set_cookies,
        }
    }

    /// Reads an API resource with a token for `username` (the API takes tokens, not cookies).
    async fn api_get(&self, username: &str, uri: &str) -> String {
        let login =
            serde_json::json!({"username": username, "password": format!("{username}-password")});
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/tokens")
            .header("content-type", "application/json")
            .body(Body::from(login.to_string()))
            .unwrap();
        let resp = self.app.router.clone().oneshot(req).await.unwrap();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let token: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let req = Request::builder()
            .uri(uri)
            .header(
                "authorization",
                format!("Bearer {}", token["token"].as_str().unwrap()),
            )
            .body(Body::empty())
            .unwrap();
        let resp = self.app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Asks the API for a token (`POST /api/v1/tokens`); returns the status and the body.
    async fn token(&self, username: &str, password: &str) -> (StatusCode, serde_json::Value) {
        let login = serde_json::json!({"username": username, "password": password});
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/tokens")
            .header("content-type", "application/json")
            .body(Body::from(login.to_string()))
            .unwrap();
        let resp = self.app.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn get(&mut self, uri: &str) -> Page {
        self.send("GET", uri, None).await
    }

    /// Posts a form with the CSRF token of the page at `from`, as a browser would.
    async fn submit(&mut self, from: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(from).await;
        let token = csrf_of(&page.body);
        let mut pairs = vec![format!("_csrf={}", enc(&token))];
        pairs.extend(fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))));
        self.send("POST", action, Some(pairs.join("&"))).await
    }

    async fn post_raw(&mut self, action: &str, fields: &[(&str, &str)]) -> Page {
        let pairs: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        self.send("POST", action, Some(pairs.join("&"))).await
    }

    /// Posts a `multipart/form-data` form, its parts in the order given (as a browser sends a
    /// form's fields in document order).
    async fn post_multipart(&mut self, action: &str, parts: &[Part<'_>]) -> Page {
        let body = multipart(parts);
        self.send_body("POST", action, Some(body)).await
    }

    /// Imports `files` through the form on `/documents`, with the token that page carries.
    async fn upload(&mut self, files: &[(&str, &[u8])]) -> Page {
        let page = self.get("/documents").await;
        assert!(page.body.contains("id=\"upload-form\""), "no upload form");
        let token = csrf_of(&page.body);
        let mut parts = vec![Part::Field("_csrf", &token)];
        parts.extend(files.iter().map(|(name, bytes)| Part::File(name, bytes)));
        self.post_multipart("/documents", &parts).await
    }

    async fn login(&mut self, username: &str) {
        let p = self
            .submit(
                "/login",
                "/login",
                &[
                    ("username", username),
                    ("password", &format!("{username}-password")),
                    ("next", "/workspace"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert!(self.cookies.contains_key("qiao_session"));
    }
}

/// One part of a multipart form: a plain field (name, value) or a file of the `files` input
/// (file name, bytes).
enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a [u8]),
}

/// The content type and body of a multipart form, as a browser encodes it.
fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----QiaoFormBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                        .as_bytes(),
                );
            }
            Part::File(file_name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"files\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const DOC_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../qiao-docs/tests/fixtures");

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DOC_FIXTURES}/{name}")).unwrap()
}

/// The text of the error shown beside form field `name` (`id="error-{name}"`).
fn field_error<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("id=\"error-{name}\">");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no error beside `{name}`: {html}"))
        + marker.len();
    let rest = &html[at..];
    &rest[..rest.find("</div>").unwrap()]
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("the page has a form with a CSRF token");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Posts a demand through the form; returns its page's path.
async fn post_demand(b: &mut Browser<'_>, title: &str, description: &str) -> String {
    let p = b
        .submit(
            "/post/demand",
            "/post/demand",
            &[
                ("title", title),
                ("description", description),
                ("keywords", "电池，热管理"),
                ("budget_max_yuan", "80万"),
                ("contact.name", "王工"),
                ("contact.phone", "021-5555-0101"),
                ("confidential", "现有电池包型号 QX-7"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    p.location.unwrap()
}

#[tokio::test]
async fn pages_render_in_chinese_and_english() {
    let app = App::new().await;
    let org = app.org(1, "上海示例电池科技有限公司").await;
    app.account("owner", Role::Member, Some(org)).await;
    let mut b = app.browser();
    b.login("owner").await;
    let demand = post_demand(&mut b, "电池包散热方案", "夏天电池包发烫、电芯温差大").await;

    let mut anon = app.browser();
    for path in [
        "/",
        "/search?q=电池",
        "/challenges",
        "/resources",
        "/resources?type=expert",
        "/achievements",
        demand.as_str(),
        &format!("/orgs/{org}"),
        "/login",
        "/register",
    ] {
        let p = anon.get(&path.replace("电池", &enc("电池"))).await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
        assert!(p.body.contains("lang=\"zh-CN\""), "{path}");
        assert!(p.body.contains("桥 Qiao"), "{path}");
        assert!(
            !p.body.contains("http://") && !p.body.contains("https://"),
            "{path} loads nothing from outside"
        );
    }
    let p = anon.get(&format!("/orgs/{org}")).await;
    assert!(p.body.contains("<span class=\"tag\">企业</span>"));
    let p = anon
        .get(&format!("/lang?to=en&back={}", enc(&demand)))
        .await;
    assert_eq!(
        (p.status, p.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(demand.as_str()))
    );
    let p = anon.get(&demand).await;
    assert!(p.body.contains("lang=\"en\""));
    assert!(p.body.contains("Best matches"));
    // The organisation profile shows its ladder badge and hides revenue from strangers.
    let p = anon.get(&format!("/orgs/{org}")).await;
    assert!(p.body.contains("High-tech enterprise"));
    assert!(
        p.body.contains("<span class=\"tag\">Enterprise</span>"),
        "the organisation's kind is said in English too"
    );
    assert!(!p.body.contains("12345"), "revenue is private");
    // Open redirects are refused.
    let p = anon.get("/lang?to=zh&back=//evil.example").await;
    assert_eq!(p.location.as_deref(), Some("/workspace"));
}

#[tokio::test]
async fn register_post_match_request_accept_then_contact_shows() {
    let app = App::new().await;
    // A university with an achievement that answers the demand.
    let uni = app.org(2, "示例大学").await;
    app.account("tto", Role::Member, Some(uni)).await;
    let mut owner = app.browser();
    owner.login("tto").await;
    let p = owner
        .submit(
            "/post/achievement",
            "/post/achievement",
            &[
                ("title", "相变材料电池热管理技术"),
                (
                    "summary",
                    "利用相变材料吸收电池包热量，降低电芯温差，无需大改结构",
                ),
                ("keywords", "相变材料，电池，热管理"),
                ("contact.name", "李老师"),
                ("contact.email", "li@example.edu.cn"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let achievement = p.location.unwrap();

    // A new enterprise registers; a bad credit code is refused next to its field, input kept.
    let mut ent = app.browser();
    let bad = ent
        .submit(
            "/register",
            "/register",
            &[
                ("name", "新电池公司"),
                ("kind", "enterprise"),
                ("credit_code", "91310000MA1K00003X"),
                ("username", "newco"),
                ("password", "newco-password"),
                ("password2", "newco-password"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.body.contains("id=\"error-credit_code\""),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("校验位错误"), "the message is in Chinese");
    assert!(
        bad.body.contains("value=\"新电池公司\""),
        "what was typed survives"
    );
    let ok = ent
        .submit(
            "/register",
            "/register",
            &[
                ("name", "新电池公司"),
                ("kind", "enterprise"),
                ("credit_code", &code(3)),
                ("username", "newco"),
                ("password", "newco-password"),
                ("password2", "newco-password"),
            ],
        )
        .await;
    assert_eq!(
        (ok.status, ok.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/workspace")),
        "{}",
        ok.body
    );
    let demand = post_demand(
        &mut ent,
        "电池包散热",
        "夏天电池包发烫、电芯温差大，想找相变材料之类不大改结构的办法",
    )
    .await;

    // The demand's page shows the achievement among its matches, with reasons.
    let p = ent.get(&demand).await;
    assert!(p.body.contains("相变材料电池热管理技术"), "{}", p.body);
    assert!(p.body.contains("共同词"), "each match says why");

    // Before the owner agrees, the achievement's contact stays hidden (page and API).
    let p = ent.get(&achievement).await;
    assert!(!p.body.contains("li@example.edu.cn"));
    let id = achievement.rsplit('/').next().unwrap();
    let api = ent
        .api_get("newco", &format!("/api/v1/achievements/{id}"))
        .await;
    assert!(!api.contains("li@example.edu.cn"));

    // A too-short message is refused next to the field, and kept.
    let p = ent
        .submit(
            &achievement,
            &format!("{achievement}/contact"),
            &[("message", "你好")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("请用 10 到 2000 字"), "{}", p.body);
    let p = ent
        .submit(
            &achievement,
            &format!("{achievement}/contact"),
            &[(
                "message",
                "我们是电池包企业，想了解该技术的许可条件和中试情况。",
            )],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = ent.get(&achievement).await;
    assert!(
        p.body.contains("待处理"),
        "the requester sees the request pending"
    );

    // The owner sees it in the workspace and accepts.
    let inbox = owner.get("/workspace").await;
    assert!(inbox.body.contains("我们是电池包企业"), "{}", inbox.body);
    let at = inbox.body.find("action=\"/requests/").unwrap();
    let rest = &inbox.body[at + "action=\"".len()..];
    let action = rest[..rest.find('"').unwrap()].to_string();
    let p = owner
        .submit("/workspace", &action, &[("decision", "accept")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // Now the requester sees the contact, on the page and through the API.
    let p = ent.get(&achievement).await;
    assert!(p.body.contains("li@example.edu.cn"), "{}", p.body);
    let api = ent
        .api_get("newco", &format!("/api/v1/achievements/{id}"))
        .await;
    assert!(api.contains("li@example.edu.cn"), "{api}");
    // A stranger still does not.
    let p = app.browser().get(&achievement).await;
    assert!(!p.body.contains("li@example.edu.cn"));
}

#[tokio::test]
async fn a_decline_carries_its_reason_to_the_requester() {
    let app = App::new().await;
    let a = app.org(4, "甲").await;
    let b_org = app.org(5, "乙").await;
    app.account("ownera", Role::Member, Some(a)).await;
    app.account("askerb", Role::Member, Some(b_org)).await;
    let mut owner = app.browser();
    owner.login("ownera").await;
    let demand = post_demand(&mut owner, "涂层耐磨", "需要耐磨涂层").await;
    let mut asker = app.browser();
    asker.login("askerb").await;
    let p = asker
        .submit(
            &demand,
            &format!("{demand}/contact"),
            &[("message", "我们有耐磨涂层技术，想进一步沟通。")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let inbox = owner.get("/workspace").await;
    let at = inbox.body.find("action=\"/requests/").unwrap();
    let rest = &inbox.body[at + "action=\"".len()..];
    let action = rest[..rest.find('"').unwrap()].to_string();
    // "Other" needs a note.
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[("decision", "decline"), ("reason", "other")],
        )
        .await;
    assert!(p.body.contains("选择“其他”时请写明原因"), "{}", p.body);
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[("decision", "decline"), ("reason", "wrong_field")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let sent = asker.get("/workspace").await;
    assert!(
        sent.body.contains("已婉拒") && sent.body.contains("领域不符"),
        "{}",
        sent.body
    );
    let p = asker.get(&demand).await;
    assert!(p.body.contains("领域不符"));
    assert!(!p.body.contains("021-5555-0101"));
}

#[tokio::test]
async fn stored_script_is_inert_everywhere() {
    let app = App::new().await;
    let evil = "<script>alert(1)</script>";
    let org = app.org(6, &format!("{evil}公司")).await;
    app.account("mallory", Role::Member, Some(org)).await;
    let mut b = app.browser();
    b.login("mallory").await;
    let p = b
        .submit(
            "/post/demand",
            "/post/demand",
            &[
                ("title", &format!("电池{evil}")),
                (
                    "description",
                    &format!("\"><img src=x onerror=alert(2)>{evil}"),
                ),
                ("keywords", &format!("电池，{evil}")),
                ("district", evil),
                ("contact.name", evil),
                ("confidential", evil),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let demand = p.location.unwrap();
    // A failed form echoes what was typed: escaped too.
    let failed = b
        .submit(
            "/post/demand",
            "/post/demand",
            &[("title", ""), ("description", evil), ("status", "open")],
        )
        .await;
    for (path, body) in [
        ("failed form", failed.body),
        ("/", b.get("/").await.body),
        ("detail", b.get(&demand).await.body),
        (
            "search",
            b.get(&format!("/search?q={}", enc(&format!("电池 {evil}"))))
                .await
                .body,
        ),
        ("org", b.get(&format!("/orgs/{org}")).await.body),
        ("workspace", b.get("/workspace").await.body),
        ("list", b.get("/demands").await.body),
        ("edit", b.get(&format!("{demand}/edit")).await.body),
    ] {
        assert!(!body.contains("<script>alert"), "{path}: raw script");
        assert!(!body.contains("<img src=x"), "{path}: raw tag");
    }
    let detail = b.get(&demand).await.body;
    assert!(detail.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    // Every page forbids inline script, so even a missed escape would not run.
    let p = b.send("GET", &demand, None).await;
    assert!(p.body.contains("<script src=\"/static/qiao.js\""));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = App::new().await;
    let org = app.org(7, "丙").await;
    app.account("carol", Role::Member, Some(org)).await;
    let mut b = app.browser();
    // Signed out: the sign-in form needs the cookie's token.
    b.get("/login").await;
    let p = b
        .post_raw(
            "/login",
            &[("username", "carol"), ("password", "carol-password")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b
        .post_raw(
            "/login",
            &[
                ("_csrf", "0000"),
                ("username", "carol"),
                ("password", "carol-password"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!b.cookies.contains_key("qiao_session"));
    b.login("carol").await;
    // Signed in: the signed-out token no longer works; only the session's own does.
    let anon_token = b.cookies["qiao_csrf"].clone();
    let p = b
        .post_raw(
            "/post/demand",
            &[
                ("_csrf", &anon_token),
                ("title", "t"),
                ("description", "d"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b.post_raw("/logout", &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.db
            .store
            .list_listings(&Default::default(), Default::default())
            .await
            .unwrap()
            .total,
        0,
        "nothing was stored"
    );
    // With the token, signing out works and ends the session.
    let p = b.submit("/workspace", "/logout", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/workspace").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn one_organisation_cannot_edit_anothers_listing() {
    let app = App::new().await;
    let a = app.org(8, "甲").await;
    let b_org = app.org(9, "乙").await;
    app.account("alice", Role::Member, Some(a)).await;
    app.account("bob", Role::Member, Some(b_org)).await;
    let mut alice = app.browser();
    alice.login("alice").await;
    let demand = post_demand(&mut alice, "原标题", "原描述").await;
    let mut bob = app.browser();
    bob.login("bob").await;
    assert_eq!(
        bob.get(&format!("{demand}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let token = csrf_of(&bob.get("/workspace").await.body);
    let p = bob
        .post_raw(
            &format!("{demand}/edit"),
            &[
                ("_csrf", &token),
                ("title", "被篡改"),
                ("description", "x"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let page = bob.get(&demand).await;
    assert!(page.body.contains("原标题") && !page.body.contains("被篡改"));
    assert!(
        !page.body.contains("现有电池包型号"),
        "confidential details stay private"
    );
    // The owner edits; a bad value keeps what was typed and names the field.
    let p = alice
        .submit(
            &format!("{demand}/edit"),
            &format!("{demand}/edit"),
            &[
                ("title", "新标题"),
                ("description", "新描述"),
                ("budget_min_yuan", "很多"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"error-budget_min_yuan\"") && p.body.contains("value=\"新标题\""));
    let p = alice
        .submit(
            &format!("{demand}/edit"),
            &format!("{demand}/edit"),
            &[
                ("title", "新标题"),
                ("description", "新描述"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(bob.get(&demand).await.body.contains("新标题"));
}

#[tokio::test]
async fn search_meta_characters_are_harmless() {
    let app = App::new().await;
    let org = app.org(10, "丁").await;
    app.account("dave", Role::Member, Some(org)).await;
    let mut b = app.browser();
    b.login("dave").await;
    post_demand(&mut b, "电池散热", "电池包散热").await;
    for q in [
        "' OR 1=1 --",
        "\"*:()[]{}^~",
        "%_\\",
        "title:电池 AND",
        "电池'; DROP TABLE listings; --",
    ] {
        let p = b.get(&format!("/search?q={}", enc(q))).await;
        assert_eq!(p.status, StatusCode::OK, "{q}");
        let api = b.get(&format!("/api/v1/search?q={}", enc(q))).await;
        assert_eq!(api.status, StatusCode::OK, "{q}: {}", api.body);
    }
    let p = b
        .get(&format!(
            "/search?q={}",
            enc("电池'; DROP TABLE listings; --")
        ))
        .await;
    assert!(
        p.body.contains("电池散热"),
        "the query still finds by its words"
    );
    // Facets filter and count consistently.
    let p = b
        .get(&format!("/search?q={}&type=demand", enc("电池")))
        .await;
    assert!(p.body.contains("电池散热"));
    let p = b
        .get(&format!("/search?q={}&type=expert", enc("电池")))
        .await;
    assert!(!p.body.contains("电池散热"));
}

#[tokio::test]
async fn sign_in_guessing_is_limited_and_cookies_are_safe() {
    let app = App::new().await;
    app.account("erin", Role::Member, None).await;
    let mut b = app.browser();
    for _ in 0..5 {
        let p = b
            .submit(
                "/login",
                "/login",
                &[("username", "erin"), ("password", "wrong-password")],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        assert!(p.body.contains("value=\"erin\""), "the username is kept");
    }
    let p = b
        .submit(
            "/login",
            "/login",
            &[("username", "erin"), ("password", "erin-password")],
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password"
    );

    app.account("frank", Role::Member, None).await;
    let mut tls = app.browser();
    tls.headers.push(("x-forwarded-proto", "https"));
    let page = tls.get("/login").await;
    let token = csrf_of(&page.body);
    let p = tls
        .post_raw(
            "/login",
            &[
                ("_csrf", &token),
                ("username", "frank"),
                ("password", "frank-password"),
            ],
        )
        .await;
    let session = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("qiao_session="))
        .unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }
    let mut plain = app.browser();
    plain.login("frank").await;
}

#[tokio::test]
async fn admins_manage_accounts_and_read_the_audit_log() {
    let app = App::new().await;
    let org = app.org(11, "戊").await;
    app.account("root", Role::Admin, None).await;
    app.account("gina", Role::Member, Some(org)).await;
    let mut gina = app.browser();
    gina.login("gina").await;
    post_demand(&mut gina, "审计测试需求", "描述").await;
    assert_eq!(gina.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
    assert_eq!(gina.get("/admin").await.status, StatusCode::FORBIDDEN);

    let mut root = app.browser();
    root.login("root").await;
    let log = root.get("/admin/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    let row = log
        .body
        .find("listing #")
        .expect("the listing's creation is logged");
    assert!(log.body[..row].contains("gina"), "with who made it");
    let p = root
        .submit(
            "/admin",
            "/admin/accounts",
            &[
                ("username", "staff1"),
                ("password", "short"),
                ("role", "commission_staff"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("太短"), "{}", p.body);
    let p = root
        .submit(
            "/admin",
            "/admin/accounts",
            &[
                ("username", "staff1"),
                ("password", "long-enough-1"),
                ("role", "commission_staff"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(root.get("/admin").await.body.contains("staff1"));
    assert!(root.get("/admin/audit").await.body.contains("root"));

    // Roles are changed on the admin page; a member needs an organisation, and an admin cannot
    // demote themselves.
    let gina_id = app
        .db
        .store
        .account_for_login("gina")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let root_id = app
        .db
        .store
        .account_for_login("root")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let p = root
        .submit(
            "/admin",
            &format!("/admin/accounts/{gina_id}"),
            &[("role", "technology_manager"), ("credit_code", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        app.db.store.get_account(gina_id).await.unwrap().role,
        Role::TechnologyManager
    );
    let p = root
        .submit(
            "/admin",
            &format!("/admin/accounts/{gina_id}"),
            &[("role", "member"), ("credit_code", "")],
        )
        .await;
    assert!(p.body.contains("机构成员必须归属一个机构"), "{}", p.body);
    let p = root
        .submit(
            "/admin",
            &format!("/admin/accounts/{root_id}"),
            &[("role", "member"), ("credit_code", &code(11))],
        )
        .await;
    assert!(p.body.contains("不能取消自己的管理员角色"));
    assert_eq!(
        app.db.store.get_account(root_id).await.unwrap().role,
        Role::Admin
    );
    // Not an admin: refused.
    let token = csrf_of(&gina.get("/workspace").await.body);
    let p = gina
        .post_raw(
            &format!("/admin/accounts/{gina_id}"),
            &[("_csrf", &token), ("role", "admin")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_ne!(
        app.db.store.get_account(gina_id).await.unwrap().role,
        Role::Admin
    );
}

#[tokio::test]
async fn home_counts_follow_writes() {
    let app = App::new().await;
    let org = app.org(12, "己").await;
    app.account("hank", Role::Member, Some(org)).await;
    let mut b = app.browser();
    b.login("hank").await;
    let count = |body: &str| {
        let at = body.find("href=\"/demands\"").unwrap();
        let rest = &body[at..];
        let b0 = rest.find("<b>").unwrap() + 3;
        rest[b0..b0 + rest[b0..].find("</b>").unwrap()]
            .parse::<i64>()
            .unwrap()
    };
    let before = count(&b.get("/").await.body);
    assert_eq!(before, 0);
    post_demand(&mut b, "计数测试", "描述").await;
    assert_eq!(
        count(&b.get("/").await.body),
        1,
        "a cached count must not outlive a write"
    );
}

/// The `/documents/{id}` links of a page, in order.
fn document_links(html: &str) -> Vec<i64> {
    html.split("href=\"/documents/")
        .skip(1)
        .filter_map(|rest| rest[..rest.find('"')?].parse().ok())
        .collect()
}

/// The per-file results of an upload (the page goes on with the list).
fn results(html: &str) -> &str {
    let start = html
        .find("id=\"upload-results\"")
        .expect("the page reports the upload");
    &html[start..start + html[start..].find("</ul>").unwrap()]
}

async fn documents_stored(app: &App) -> i64 {
    app.db
        .store
        .list_documents(&Default::default(), Default::default())
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn staff_import_documents_through_the_form_and_find_them() {
    let app = App::new().await;
    app.account("sten", Role::CommissionStaff, None).await;
    let mut b = app.browser();
    b.login("sten").await;
    let empty = b.get("/documents").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("还没有导入任何文件"));
    assert!(
        empty.body.contains("href=\"/documents\""),
        "the nav links the list"
    );

    // Two real pages in one form: a simplified work plan and a traditional news page.
    let minhang = fixture_bytes("003_853fbbfa8443af7f.txt");
    let yangpu = fixture_bytes("002_fa69439dd6a4a0b4.txt");
    let p = b
        .upload(&[
            ("003_853fbbfa8443af7f.txt", &minhang),
            ("杨浦区科委.txt", &yangpu),
        ])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body.matches("已导入<").count(), 2, "{}", p.body);
    let ids = document_links(results(&p.body));
    let [minhang_id, yangpu_id] = ids[..] else {
        panic!("one link per imported file: {ids:?}");
    };
    assert!(p.body.contains("杨浦区科委.txt"), "the file name as sent");
    let stored = app.db.store.get_document(minhang_id).await.unwrap();
    assert_eq!(stored.document.file_name, "003_853fbbfa8443af7f.txt");
    assert_eq!(
        stored.document.sha256,
        qiao_server::documents::sha256_hex(&minhang)
    );
    let sten = app
        .db
        .store
        .account_for_login("sten")
        .await
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(
        stored.imported_by,
        Some(sten.id),
        "imported as the signed-in account"
    );
    let figures = stored.document.figures.as_array().unwrap().len();
    assert!(
        p.body
            .contains(&format!("编号 {minhang_id}，{figures} 项数据指标")),
        "{}",
        p.body
    );

    // The list: newest first, with metadata, script and the number of figures.
    let list = b.get("/documents").await.body;
    assert_eq!(document_links(&list), vec![yangpu_id, minhang_id]);
    let row = &list[list.find(&format!("/documents/{minhang_id}\"")).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    for cell in [
        "关于印发《闵行区科委2023年工作要点》的通知",
        "2023-02-24",
        "上海市闵行区科学技术委员会",
        "闵科委〔2023〕14号",
        "<td>简体</td>",
        &format!("<td>{figures}</td>"),
    ] {
        assert!(row.contains(cell), "{cell} missing from {row}");
    }
    assert!(list.contains("<td>繁体</td>"));
    let page = b.get(&format!("/documents/{minhang_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("关于印发《闵行区科委2023年工作要点》的通知")
    );

    // The same bytes again, under another name: reported with a link to the stored copy.
    let p = b.upload(&[("copy.txt", &minhang)]).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("已导入过"), "{}", p.body);
    assert!(
        p.body
            .contains(&format!("已导入的文件（编号 {minhang_id}）"))
    );
    assert_eq!(document_links(results(&p.body)), vec![minhang_id]);
    assert_eq!(documents_stored(&app).await, 2, "nothing stored twice");
    // In English too.
    b.cookies.insert("qiao_lang".into(), "en".into());
    let p = b.upload(&[("copy.txt", &minhang)]).await;
    assert!(p.body.contains("already imported"), "{}", p.body);
    assert!(
        p.body
            .contains(&format!("imported before as document {minhang_id}"))
    );
    b.cookies.remove("qiao_lang");

    // Files the form does not take, each with its reason; the others still go in.
    let p = b
        .upload(&[
            ("scan.pdf", b"%PDF-1.7"),
            ("empty.txt", b""),
            (
                "000_03cb8c32e2444fbc.txt",
                &fixture_bytes("000_03cb8c32e2444fbc.txt"),
            ),
        ])
        .await;
    assert!(
        p.body.contains("只能导入 .txt、.html 或 .htm 文件"),
        "{}",
        p.body
    );
    assert!(p.body.contains("文件是空的"));
    assert_eq!(p.body.matches("已导入<").count(), 1);
    assert_eq!(documents_stored(&app).await, 3);
    let p = b.upload(&[]).await;
    assert!(p.body.contains("请选择至少一个"));

    // Found by search in the other script: 技術合同成交額 is in the simplified work plan.
    let found = b.get(&format!("/search?q={}", enc("技術合同成交額"))).await;
    assert!(
        document_links(&found.body).contains(&minhang_id),
        "{}",
        found.body
    );
}

#[tokio::test]
async fn only_admins_and_commission_staff_import_documents() {
    let app = App::new().await;
    let org = app.org(13, "庚").await;
    app.account("mia", Role::Member, Some(org)).await;
    app.account("root", Role::Admin, None).await;
    let bytes = fixture_bytes("003_853fbbfa8443af7f.txt");

    let mut anon = app.browser();
    let page = anon.get("/documents").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("upload-form"));
    let token = anon.cookies["qiao_csrf"].clone();
    let p = anon
        .post_multipart(
            "/documents",
            &[Part::Field("_csrf", &token), Part::File("a.txt", &bytes)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);

    let mut mia = app.browser();
    mia.login("mia").await;
    let page = mia.get("/documents").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("upload-form"), "members see no form");
    assert!(!page.body.contains("multipart/form-data"));
    let token = csrf_of(&page.body);
    let p = mia
        .post_multipart(
            "/documents",
            &[Part::Field("_csrf", &token), Part::File("a.txt", &bytes)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("仅平台管理员和科委工作人员"));
    assert_eq!(documents_stored(&app).await, 0);

    let mut root = app.browser();
    root.login("root").await;
    let p = root.upload(&[("a.txt", &bytes)]).await;
    assert_eq!(p.body.matches("已导入<").count(), 1, "{}", p.body);
}

#[tokio::test]
async fn document_uploads_without_the_csrf_token_are_refused() {
    let app = App::new().await;
    app.account("sten", Role::CommissionStaff, None).await;
    let mut b = app.browser();
    b.login("sten").await;
    let bytes = fixture_bytes("003_853fbbfa8443af7f.txt");
    let token = csrf_of(&b.get("/documents").await.body);
    let anon_token = b.cookies["qiao_csrf"].clone();
    for (what, parts) in [
        ("no token", vec![Part::File("a.txt", &bytes)]),
        (
            "a wrong token",
            vec![Part::Field("_csrf", "0000"), Part::File("a.txt", &bytes)],
        ),
        (
            "the signed-out token",
            vec![
                Part::Field("_csrf", &anon_token),
                Part::File("a.txt", &bytes),
            ],
        ),
        (
            "the token after the file",
            vec![Part::File("a.txt", &bytes), Part::Field("_csrf", &token)],
        ),
    ] {
        let p = b.post_multipart("/documents", &parts).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{what}");
        assert!(p.body.contains("CSRF"), "{what}");
    }
    // Not multipart at all, token or not.
    let p = b.post_raw("/documents", &[("_csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(documents_stored(&app).await, 0, "nothing was stored");
    // With the token first, as the form sends it, it goes in.
    let p = b
        .post_multipart(
            "/documents",
            &[Part::Field("_csrf", &token), Part::File("a.txt", &bytes)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(documents_stored(&app).await, 1);
}

#[tokio::test]
async fn script_in_a_document_file_name_is_inert() {
    let app = App::new().await;
    app.account("sten", Role::CommissionStaff, None).await;
    let mut b = app.browser();
    b.login("sten").await;
    let evil = "<script>alert(1)<script><img src=x onerror=alert(2)>通知.txt";
    let p = b
        .upload(&[(
            evil,
            "科技创新券申领工作有关事项\n各企业可于三月底前申领科技创新券。\n".as_bytes(),
        )])
        .await;
    assert_eq!(p.body.matches("已导入<").count(), 1, "{}", p.body);
    let id = document_links(results(&p.body))[0];
    assert_eq!(
        app.db
            .store
            .get_document(id)
            .await
            .unwrap()
            .document
            .file_name,
        evil,
        "stored as sent"
    );
    for (path, body) in [
        ("upload result", p.body),
        ("list", b.get("/documents").await.body),
        ("document", b.get(&format!("/documents/{id}")).await.body),
    ] {
        assert!(!body.contains("<script>alert"), "{path}: raw script");
        assert!(!body.contains("<img src=x"), "{path}: raw tag");
        assert!(
            body.contains("&#60;script&#62;alert(1)&#60;script&#62;&#60;img src=x"),
            "{path}: the name shown as text"
        );
    }
}

#[tokio::test]
async fn staff_write_policies_and_targets_and_enterprises_see_their_checks() {
    let app = App::new().await;
    let evil = "<script>alert(1)</script>";
    // `org` makes 闵行区 enterprises with a high-tech certificate and revenue 123456789 yuan.
    let mine = app.org(11, "甲科技公司").await;
    let other = app.org(12, "乙科技公司").await;
    app.account("staff", Role::CommissionStaff, None).await;
    app.account("member", Role::Member, Some(mine)).await;
    app.account("outsider", Role::Member, Some(other)).await;

    // Members cannot write policies; forms without the token are refused.
    let mut m = app.browser();
    m.login("member").await;
    assert_eq!(m.get("/policies/new").await.status, StatusCode::FORBIDDEN);
    let p = m
        .submit("/policies", "/policies/new", &[("title", "x")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut s = app.browser();
    s.login("staff").await;
    let p = s.post_raw("/policies/new", &[("title", "x")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "no CSRF token");

    // A failed form keeps what was typed and names the field, in Chinese.
    let p = s
        .submit(
            "/policies/new",
            "/policies/new",
            &[
                ("title", &format!("研发奖励{evil}")),
                ("conditions.certificates", "高新技术企业，博士后工作站"),
                ("conditions.min_rd_ratio_percent", "abc"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("error-conditions.certificates"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("error-conditions.min_rd_ratio_percent"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("<script>alert"), "typed text is escaped");
    assert!(
        p.body.contains("高新技术企业，博士后工作站"),
        "typed text survives"
    );
    let p = s
        .submit(
            "/policies/new",
            "/policies/new",
            &[
                ("title", &format!("研发奖励{evil}")),
                ("benefit", "最高100万元"),
                ("conditions.certificates", "高新技术企业"),
                ("conditions.districts", "闵行区"),
                ("conditions.min_revenue_yuan", "1亿"),
                ("conditions.min_patents", "3"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let policy = p.location.unwrap();

    // Staff see which enterprises it reaches: both lack the patent count.
    let page = s.get(&policy).await;
    assert!(page.body.contains("id=\"reach\""), "{}", page.body);
    assert!(page.body.contains("待补充资料 2"), "{}", page.body);
    assert!(!page.body.contains("<script>alert"));
    // The edit form shows the certificate by its Chinese name; saving keeps the rest.
    let edit = s.get(&format!("{policy}/edit")).await;
    assert!(
        edit.body.contains(">高新技术企业\n</textarea>"),
        "{}",
        edit.body
    );

    // The member sees their own check, condition by condition; the revenue passes for them.
    let own = m.get(&policy).await;
    assert!(own.body.contains("id=\"own-verdict\""), "{}", own.body);
    assert!(own.body.contains("<td>123456789元</td>"), "{}", own.body);
    assert!(own.body.contains("补充授权专利数"), "{}", own.body);
    assert!(
        !own.body.contains("id=\"reach\""),
        "members do not see the reach"
    );
    // Filling in the profile settles it: the member adds the patents on the edit page.
    let mut o = app.browser();
    o.login("outsider").await;
    assert!(own.body.contains("id=\"complete-profile\""), "{}", own.body);
    assert_eq!(
        o.get(&format!("/orgs/{mine}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let p = m
        .submit(
            &format!("/orgs/{mine}/edit"),
            &format!("/orgs/{mine}/edit"),
            &[
                ("district", "闵行区"),
                ("patents", "三项"),
                ("revenue_yuan", "123456789"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("error-patents"), "{}", p.body);
    let p = m
        .submit(
            &format!("/orgs/{mine}/edit"),
            &format!("/orgs/{mine}/edit"),
            &[
                ("district", "闵行区"),
                ("patents", "5"),
                ("revenue_yuan", "123456789"),
                ("description", evil),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let stored = app.db.store.get_org(mine).await.unwrap().org;
    assert_eq!(
        (
            stored.patents,
            stored.certificates.len(),
            stored.name.as_str()
        ),
        (Some(5), 1, "甲科技公司")
    );
    let own = m.get(&policy).await;
    assert!(own.body.contains("id=\"own-verdict\">符合"), "{}", own.body);
    assert!(
        !m.get(&format!("/orgs/{mine}"))
            .await
            .body
            .contains("<script>alert")
    );
    let listed = m.get("/policies").await;
    assert!(listed.body.contains("badge ok"), "{}", listed.body);
    // Another member looking at this enterprise's page sees no private figure in the checks.
    let seen = o.get(&format!("/orgs/{mine}")).await;
    assert!(seen.body.contains("id=\"org-policies\""), "{}", seen.body);
    assert!(!seen.body.contains("123456789"), "{}", seen.body);

    // Targets: entered by hand, measured from the certificates; a reported actual for the rest.
    assert_eq!(m.get("/targets/new").await.status, StatusCode::FORBIDDEN);
    let year = qiao_domain::today().format("%Y").to_string();
    let p = s
        .submit(
            "/targets/new",
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", &year),
                ("indicator", "有效期内高新技术企业"),
                ("value", "4"),
                ("unit", "家"),
                ("qualifier", "达"),
                ("metric", "certified:high_tech"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = s
        .submit(
            "/targets/new",
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", &year),
                ("indicator", "技术合同成交额"),
                ("value", "23000000000"),
                ("unit", "元"),
                ("metric", "certified:high_tech"),
            ],
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::OK,
        "a metric counts enterprises, not yuan"
    );
    assert!(p.body.contains("error-metric"), "{}", p.body);
    let p = s
        .submit(
            "/targets/new",
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", &year),
                ("indicator", "技术合同成交额"),
                ("value", "23000000000"),
                ("unit", "元"),
                ("qualifier", "达"),
                ("metric", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = s.get("/targets").await;
    assert!(page.body.contains("达4家"), "{}", page.body);
    assert!(
        page.body.contains("2家"),
        "two certificates in force: {}",
        page.body
    );
    assert!(page.body.contains("50%"), "{}", page.body);
    let turnover = app
        .db
        .store
        .list_targets(&Default::default(), Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| t.target.unit == "元")
        .unwrap()
        .id;
    let p = s
        .submit(
            "/targets",
            &format!("/targets/{turnover}/report"),
            &[("reported", "245亿")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = s.get("/targets").await;
    assert!(page.body.contains("245亿元"), "{}", page.body);
    assert!(page.body.contains("已达成"), "{}", page.body);
    assert_eq!(
        m.submit("/targets", &format!("/targets/{turnover}/delete"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn staff_turn_a_work_plans_figures_into_targets_on_its_page() {
    let app = App::new().await;
    app.account("staff", Role::CommissionStaff, None).await;
    app.account("member", Role::Member, None).await;
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../qiao-docs/tests/fixtures/003_853fbbfa8443af7f.txt"
    ))
    .unwrap();
    let doc = qiao_server::documents::import(&app.db.store, "003.txt", &bytes)
        .await
        .unwrap()
        .record;
    let figures: Vec<qiao_docs::Figure> =
        serde_json::from_value(doc.document.figures.clone()).unwrap();
    let high_tech = figures
        .iter()
        .position(|f| f.indicator.contains("高新技术企业"))
        .unwrap();
    let page_uri = format!("/documents/{}", doc.id);
    let action = format!("{page_uri}/targets");

    // Members see the figures but no form, and cannot post one.
    let mut m = app.browser();
    m.login("member").await;
    let page = m.get(&page_uri).await;
    assert!(page.body.contains("id=\"figures\"") && !page.body.contains("id=\"make-targets\""));
    let idx = high_tech.to_string();
    assert_eq!(
        m.submit(&page_uri, &action, &[("figure", &idx)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Staff see each figure with a box, target figures ticked, the metric named where the
    // records can count it, and the region the figures name offered.
    let mut s = app.browser();
    s.login("staff").await;
    let page = s.get(&page_uri).await;
    assert!(page.body.contains("id=\"make-targets\""), "{}", page.body);
    assert!(
        page.body.contains("有效期内高新技术企业数"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("name=\"region\" value=\"闵行区\""),
        "{}",
        page.body
    );
    let p = s.submit(&page_uri, &action, &[("region", "闵行区")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing ticked");
    let p = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("figure", "9999"), ("region", "闵行区")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(
        app.db
            .store
            .list_targets(&Default::default(), Default::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "all or nothing"
    );
    let p = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("region", "闵行区"), ("year", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/targets?region=%E9%97%B5%E8%A1%8C%E5%8C%BA&year=2023")
    );
    let targets = s.get(p.location.as_deref().unwrap()).await;
    assert!(targets.body.contains("达4000家"), "{}", targets.body);
    assert!(
        targets
            .body
            .contains(&format!("href=\"/documents/{}\"", doc.id)),
        "{}",
        targets.body
    );
    assert!(
        targets.body.contains("未达成"),
        "2023 is over: {}",
        targets.body
    );
}

#[tokio::test]
async fn the_token_api_and_the_sign_in_form_count_failures_together() {
    let app = App::new().await;
    app.account("jane", Role::Member, None).await;
    app.account("kurt", Role::Member, None).await;
    let mut b = app.browser();
    // Three wrong guesses through the form and two through the API make five.
    for _ in 0..3 {
        let p = b
            .submit(
                "/login",
                "/login",
                &[("username", "jane"), ("password", "wrong-password")],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    }
    for _ in 0..2 {
        let (status, _) = b.token("jane", "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = b.token("jane", "jane-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_requests");
    let p = b
        .submit(
            "/login",
            "/login",
            &[("username", "jane"), ("password", "jane-password")],
        )
        .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.body.contains("分钟后再试"), "{}", p.body);
    // Five through the API lock the form as well.
    for _ in 0..5 {
        assert_eq!(
            b.token("KURT", "wrong-password").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let p = b
        .submit(
            "/login",
            "/login",
            &[("username", "kurt"), ("password", "kurt-password")],
        )
        .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!b.cookies.contains_key("qiao_session"));
}

#[tokio::test]
async fn validation_messages_are_chinese_beside_their_fields() {
    let app = App::new().await;
    let org = app.org(21, "辛").await;
    app.account("ivy", Role::Member, Some(org)).await;
    app.account("root", Role::Admin, None).await;
    let mut b = app.browser();
    b.login("ivy").await;

    let p = b
        .submit(
            "/post/achievement",
            "/post/achievement",
            &[
                ("title", "固态电池电解质"),
                ("summary", "一种硫化物固态电解质"),
                ("ipc_codes", "H01M 10/613，XYZ"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        field_error(&p.body, "ipc_codes").contains("“XYZ”不是有效的 IPC 分类号"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("is not an IPC class"));

    let p = b
        .submit(
            "/post/challenge",
            "/post/challenge",
            &[
                ("title", "高比能电池揭榜"),
                ("description", "能量密度达到 400 Wh/kg"),
                ("indicators", "能量密度 400"),
                ("reward_yuan", "100万"),
                ("apply_from", "2026-01-01"),
                ("apply_until", "2026-06-30"),
                ("deadline", "2026-05-01"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        field_error(&p.body, "deadline")
            .contains("完成期限 2026-05-01 早于揭榜截止日期 2026-06-30"),
        "{}",
        p.body
    );
    assert!(field_error(&p.body, "indicators").contains("必填：请写明目标值的单位"));
    assert!(!p.body.contains("deliverables cannot be due"));

    // Registration: a kind that is not offered.
    let mut anon = app.browser();
    let p = anon
        .submit(
            "/register",
            "/register",
            &[
                ("name", "某区科委"),
                ("kind", "government"),
                ("credit_code", &code(22)),
                ("username", "govt"),
                ("password", "govt-password"),
                ("password2", "govt-password"),
            ],
        )
        .await;
    assert!(field_error(&p.body, "kind").contains("请从列出的机构类型中选择"));

    // The admin page: an unknown role and an unknown credit code.
    let mut root = app.browser();
    root.login("root").await;
    let missing = code(23);
    let p = root
        .submit(
            "/admin",
            "/admin/accounts",
            &[
                ("username", "staff9"),
                ("password", "long-enough-1"),
                ("role", "boss"),
                ("credit_code", &missing),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(field_error(&p.body, "role"), "请选择角色");
    assert!(
        field_error(&p.body, "credit_code")
            .contains(&format!("没有统一社会信用代码为 {missing} 的机构")),
        "{}",
        p.body
    );
    assert!(!p.body.contains("no organisation has"));
}

#[tokio::test]
async fn a_refused_decline_keeps_its_note_beside_the_form() {
    let app = App::new().await;
    let a = app.org(24, "壬").await;
    let b_org = app.org(25, "癸").await;
    app.account("ownerc", Role::Member, Some(a)).await;
    app.account("askerd", Role::Member, Some(b_org)).await;
    let mut owner = app.browser();
    owner.login("ownerc").await;
    let demand = post_demand(&mut owner, "密封件老化", "橡胶密封件高温老化").await;
    let mut asker = app.browser();
    asker.login("askerd").await;
    let p = asker
        .submit(
            &demand,
            &format!("{demand}/contact"),
            &[("message", "我们做耐高温氟橡胶，想进一步沟通。")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let inbox = owner.get("/workspace").await;
    let at = inbox.body.find("action=\"/requests/").unwrap();
    let rest = &inbox.body[at + "action=\"/requests/".len()..];
    let id = rest[..rest.find('/').unwrap()].to_string();
    let action = format!("/requests/{id}/decide");
    let decline_form = |html: &str| -> String {
        let at = html
            .find(&format!("id=\"decline-form-{id}\""))
            .expect("the decline form is shown");
        let rest = &html[at..];
        rest[..rest.find("</form>").unwrap()].to_string()
    };

    // A note over 500 characters: refused beside the form, the note and reason kept.
    let note = format!("我们{}", "暂不考虑".repeat(130));
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[
                ("decision", "decline"),
                ("reason", "other"),
                ("note", &note),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("id=\"workspace-error\""), "not on top");
    let form = decline_form(&p.body);
    assert!(
        form.contains(&format!("id=\"decline-error-{id}\""))
            && form.contains("请缩短到 500 个字以内"),
        "{form}"
    );
    assert!(form.contains(&format!("value=\"{note}\"")), "{form}");
    assert!(form.contains("value=\"other\" selected"), "{form}");
    assert!(form.contains("name=\"note\" value=\"") && form.contains("aria-invalid=\"true\""));

    // "Other" without a note: the same, in the form.
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[("decision", "decline"), ("reason", "other"), ("note", " ")],
        )
        .await;
    let form = decline_form(&p.body);
    assert!(form.contains("选择“其他”时请写明原因"), "{form}");

    // Nothing was decided; a corrected decline goes through.
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[
                ("decision", "decline"),
                ("reason", "other"),
                ("note", "今年预算已用完"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(
        asker
            .get("/workspace")
            .await
            .body
            .contains("今年预算已用完")
    );
}

#[tokio::test]
async fn no_page_carries_an_inline_style() {
    let app = App::new().await;
    let org = app.org(26, "子").await;
    app.account("lena", Role::Member, Some(org)).await;
    app.account("root", Role::Admin, None).await;
    let mut member = app.browser();
    member.login("lena").await;
    let demand = post_demand(&mut member, "样式测试需求", "描述").await;
    let mut admin = app.browser();
    admin.login("root").await;
    let mut anon = app.browser();
    let search = format!("/search?q={}", enc("需求"));
    let org_page = format!("/orgs/{org}");
    let org_edit = format!("/orgs/{org}/edit");
    let pages: [(&mut Browser<'_>, &[&str]); 3] = [
        (
            &mut anon,
            &[
                "/",
                search.as_str(),
                "/login",
                "/register",
                "/challenges",
                demand.as_str(),
                org_page.as_str(),
            ],
        ),
        (
            &mut member,
            &["/workspace", "/post/demand", org_edit.as_str()],
        ),
        (
            &mut admin,
            &[
                "/admin",
                "/admin/audit",
                "/policies/new",
                "/targets/new",
                "/documents",
            ],
        ),
    ];
    for (browser, paths) in pages {
        for path in paths {
            let p = browser.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{path}");
            assert!(
                !p.body.contains(" style="),
                "{path} has an inline style, which the CSP (style-src 'self') blocks"
            );
        }
    }
    let css = anon.get("/static/qiao.css").await.body;
    for class in [
        "q-home",
        "q-search",
        "form-narrow",
        "form-medium",
        "form-wide",
    ] {
        assert!(css.contains(class), "qiao.css styles .{class}");
    }
}

#[tokio::test]
async fn a_registration_is_logged_as_the_new_account() {
    let app = App::new().await;
    app.account("root", Role::Admin, None).await;
    let mut b = app.browser();
    let p = b
        .submit(
            "/register",
            "/register",
            &[
                ("name", "丑公司"),
                ("kind", "enterprise"),
                ("credit_code", &code(27)),
                ("username", "mona"),
                ("password", "mona-password"),
                ("password2", "mona-password"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let org_id = app
        .db
        .store
        .org_by_credit_code(&code(27))
        .await
        .unwrap()
        .unwrap()
        .id;
    let account_id = app
        .db
        .store
        .account_for_login("mona")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let mut root = app.browser();
    root.login("root").await;
    let log = root.get("/admin/audit").await.body;
    for record in [
        format!("organisation #{org_id}"),
        format!("account #{account_id}"),
    ] {
        let at = log
            .find(&record)
            .unwrap_or_else(|| panic!("{record}: {log}"));
        let row = &log[log[..at].rfind("<tr>").unwrap()..at];
        assert!(
            row.contains("<td>mona</td>"),
            "{record} by the new account: {row}"
        );
        assert!(!row.contains("系统"), "{row}");
    }
    // The API's audit log says the same.
    let api = root.api_get("root", "/api/v1/audit").await;
    let entries: serde_json::Value = serde_json::from_str(&api).unwrap();
    let by_mona = entries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "mona" && e["actor_id"] == account_id)
        .count();
    assert_eq!(by_mona, 2, "{api}");
}

/// `GET /api/v1/me` with `token`: whether the token still works.
async fn token_status(app: &App, token: &str) -> StatusCode {
    let req = Request::builder()
        .uri("/api/v1/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    app.router.clone().oneshot(req).await.unwrap().status()
}

/// Signs `b` in through the form with `password`; returns the page it got.
async fn login_with(b: &mut Browser<'_>, username: &str, password: &str) -> Page {
    b.submit(
        "/login",
        "/login",
        &[
            ("username", username),
            ("password", password),
            ("next", "/workspace"),
        ],
    )
    .await
}

#[tokio::test]
async fn admins_disable_enable_and_reset_accounts_on_the_admin_page() {
    let app = App::new().await;
    let org = app.org(13, "庚").await;
    app.account("root", Role::Admin, None).await;
    app.account("ivy", Role::Member, Some(org)).await;
    let app = &app;
    let id_of = |name: &'static str| async move {
        app.db
            .store
            .account_for_login(name)
            .await
            .unwrap()
            .unwrap()
            .0
            .id
    };
    let (ivy_id, root_id) = (id_of("ivy").await, id_of("root").await);
    let mut ivy = app.browser();
    ivy.login("ivy").await;
    let (status, body) = ivy.token("ivy", "ivy-password").await;
    assert_eq!(status, StatusCode::CREATED);
    let token = body["token"].as_str().unwrap().to_string();
    let mut root = app.browser();
    root.login("root").await;
    let disable = format!("/admin/accounts/{ivy_id}/disable");

    // A form without the CSRF token is refused, and so is a member.
    let p = root.post_raw(&disable, &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = root.post_raw(&disable, &[("_csrf", "forged")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let ivy_csrf = csrf_of(&ivy.get("/workspace").await.body);
    for action in ["disable", "enable", "password"] {
        let p = ivy
            .post_raw(
                &format!("/admin/accounts/{root_id}/{action}"),
                &[("_csrf", &ivy_csrf), ("password", "taken-over-1")],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert!(
        !app.db
            .store
            .get_account(ivy_id)
            .await
            .unwrap()
            .is_disabled()
    );

    // Disabled: shown as 已停用, its session and token stop working, and signing in is refused
    // exactly like a wrong password (through the form and the API).
    let p = root.submit("/admin", &disable, &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let admin = root.get("/admin").await.body;
    assert!(admin.contains("已停用"), "{admin}");
    assert!(admin.contains(&format!("/admin/accounts/{ivy_id}/enable")));
    assert_eq!(ivy.get("/workspace").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(app, &token).await, StatusCode::UNAUTHORIZED);
    let mut again = app.browser();
    let p = login_with(&mut again, "ivy", "ivy-password").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("用户名或密码错误"), "{}", p.body);
    assert!(!again.cookies.contains_key("qiao_session"));
    assert_eq!(
        ivy.token("ivy", "ivy-password").await.0,
        StatusCode::UNAUTHORIZED
    );

    // An admin cannot disable themselves; their own row has no disable button.
    assert!(!admin.contains(&format!("/admin/accounts/{root_id}/disable")));
    let p = root
        .submit("/admin", &format!("/admin/accounts/{root_id}/disable"), &[])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("不能停用自己的账号"), "{}", p.body);
    assert!(
        !app.db
            .store
            .get_account(root_id)
            .await
            .unwrap()
            .is_disabled()
    );
    assert_eq!(root.get("/admin").await.status, StatusCode::OK);

    // Re-enabled: ivy signs in again.
    let p = root
        .submit("/admin", &format!("/admin/accounts/{ivy_id}/enable"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(!root.get("/admin").await.body.contains("已停用"));
    ivy.login("ivy").await;
    let (_, body) = ivy.token("ivy", "ivy-password").await;
    let token = body["token"].as_str().unwrap().to_string();

    // Password reset: too short is said beside the form, in Chinese; then a good one signs
    // ivy out everywhere, and only the new password works.
    let reset = format!("/admin/accounts/{ivy_id}/password");
    let p = root
        .submit("/admin", &reset, &[("password", "short")])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("新密码：太短，至少 8 个字符"), "{}", p.body);
    assert!(p.body.contains(&format!("id=\"account-{ivy_id}-error\"")));
    let p = root
        .submit("/admin", &reset, &[("password", "ivy-new-password")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let done = root.get(p.location.as_deref().unwrap()).await;
    assert!(done.body.contains("已重置 ivy 的密码"), "{}", done.body);
    assert_eq!(ivy.get("/workspace").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(app, &token).await, StatusCode::UNAUTHORIZED);
    let mut b = app.browser();
    assert_eq!(
        login_with(&mut b, "ivy", "ivy-password").await.status,
        StatusCode::UNAUTHORIZED
    );
    let p = login_with(&mut b, "ivy", "ivy-new-password").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // The audit log names root for each change and never shows a password.
    let log = root.get("/admin/audit").await.body;
    assert_eq!(
        log.matches(&format!("account #{ivy_id}")).count(),
        4,
        "{log}"
    );
    assert!(!log.contains("ivy-new-password"));
}

#[tokio::test]
async fn only_staff_edit_targets_and_a_bad_value_is_named() {
    let app = App::new().await;
    let mine = app.org(31, "甲").await;
    app.account("staff", Role::CommissionStaff, None).await;
    app.account("member", Role::Member, Some(mine)).await;
    let mut s = app.browser();
    s.login("staff").await;
    let made = s
        .submit(
            "/targets/new",
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", "2030"),
                ("indicator", "技术合同成交额"),
                ("value", "1000"),
                ("unit", "亿元"),
                ("reported", "800"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id = app
        .db
        .store
        .list_targets(&Default::default(), Default::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let edit = format!("/targets/{id}/edit");
    assert!(s.get("/targets").await.body.contains(&format!("href=\"{edit}\"")));

    // Members neither see nor post the form; staff need the token.
    let mut m = app.browser();
    m.login("member").await;
    assert_eq!(m.get(&edit).await.status, StatusCode::FORBIDDEN);
    let p = m.submit("/workspace", &edit, &[("region", "x")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.post_raw(&edit, &[("region", "x")]).await.status,
        StatusCode::FORBIDDEN
    );

    // A bad value is named beside its field and what was typed stays.
    let p = s
        .submit(
            &edit,
            &edit,
            &[
                ("region", "闵行区<script>"),
                ("year", "明年"),
                ("indicator", "技术合同成交额"),
                ("value", "1000"),
                ("unit", "亿元"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(field_error(&p.body, "year"), "须为整数");
    assert!(p.body.contains("value=\"闵行区&#60;script&#62;\""), "escaped");
    assert!(!p.body.contains("闵行区<script>"));

    // Clearing a shown field clears it; the rest is as typed.
    let p = s
        .submit(
            &edit,
            &edit,
            &[
                ("region", "闵行区"),
                ("year", "2031"),
                ("indicator", "技术合同成交额"),
                ("value", "1200"),
                ("unit", "亿元"),
                ("reported", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let t = app.db.store.get_target(id).await.unwrap().target;
    assert_eq!((t.year, t.value, t.reported), (2031, 1200.0, None));
}
