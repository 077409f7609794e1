//! The pages end to end, as a browser uses them: the real router on a fresh SQLite database,
//! a client that keeps cookies and posts forms with the CSRF token it was given. The security
//! rules of the platform are checked here: stored script is inert on every page, forms without
//! the token are refused, one organisation cannot edit another's listing or read its private
//! fields before the owner agrees, and sign-in guessing is slowed down. And no form loses data:
//! every listing kind, an organisation profile, a policy and a target, each with every field
//! its JSON schema has filled in, are saved through their edit pages unchanged and read back
//! through the API identical (`every_form_saved_unchanged_keeps_every_field`).

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
    /// The body's bytes (a download).
    raw: Vec<u8>,
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
        let id = self.db.store.create_org(&o).await.unwrap().id;
        // Verified, as most tests want a certificate that counts.
        self.db
            .store
            .verify_certificates(
                id,
                &[qiao_store::Verdict {
                    index: 0,
                    kind: qiao_domain::CertKind::HighTech,
                    verification: qiao_domain::Verification::verified(
                        0,
                        "fixture",
                        chrono::Utc::now(),
                        None,
                        None,
                    )
                    .unwrap(),
                }],
            )
            .await
            .unwrap();
        id
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
            raw: bytes.to_vec(),
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
    /// A file of another input: (input name, file name, bytes).
    FileOf(&'a str, &'a str, &'a [u8]),
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
            Part::FileOf(input, file_name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{input}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
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
    assert_eq!(p.location.as_deref(), Some("/"));
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
    assert!(p.body.contains("太短，至少 10 个字符"), "{}", p.body);
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
        .find("技术需求 #")
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

    // A draft until staff publish it: anyone else gets a 404, and search does not find it.
    let draft_uri = format!("/documents/{minhang_id}");
    let mut anonymous = app.browser();
    assert_eq!(
        anonymous.get(&draft_uri).await.status,
        StatusCode::NOT_FOUND
    );
    let draft = b.get(&draft_uri).await;
    assert!(
        draft.body.contains("id=\"document-state\""),
        "{}",
        draft.body
    );
    let found = b.get(&format!("/search?q={}", enc("技術合同成交額"))).await;
    assert!(!document_links(&found.body).contains(&minhang_id));
    let published = b
        .submit(&draft_uri, &format!("{draft_uri}/publish"), &[])
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let mut anonymous = app.browser();
    let public = anonymous.get(&draft_uri).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(!public.body.contains("id=\"document-state\""));
    assert!(
        !public.body.contains("id=\"publish\""),
        "no reviewer's buttons"
    );

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
    let doc = qiao_server::documents::import(&app.db.store, "003.txt", bytes.clone().into())
        .await
        .unwrap()
        .record;
    // Published, so that members read it too.
    app.db
        .store
        .set_document_state(doc.id, qiao_store::DocumentState::Published)
        .await
        .unwrap();
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
    // Offered, never pre-ticked: the reviewer chooses each figure; the plan's targets are marked.
    let form = &page.body[page.body.find("id=\"make-targets\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("data-target=\"1\""), "{form}");
    assert!(!form.contains(" checked"), "no figure comes ticked: {form}");
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

    // Offered once: the made figure links to its target instead of a box, a figure the plan
    // states again is not offered twice, and posting the same figure again adds nothing.
    let made = app
        .db
        .store
        .list_targets(&Default::default(), Default::default())
        .await
        .unwrap()
        .items;
    assert_eq!(made.len(), 1);
    let page = s.get(&page_uri).await;
    assert!(
        page.body.contains(&format!(
            "href=\"/targets/{}/edit\" class=\"made\"",
            made[0].id
        )),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(&format!("name=\"figure\" value=\"{idx}\"")),
        "{}",
        page.body
    );
    let again = s
        .post_raw(
            &action,
            &[
                ("_csrf", &csrf_of(&page.body)),
                ("figure", &idx),
                ("region", "闵行区"),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    // Relabelled by staff, the target still marks its figure as made.
    let mut relabelled = made[0].target.clone();
    relabelled.indicator = "高新技术企业（有效期内）".into();
    app.db
        .store
        .update_target(made[0].id, &relabelled)
        .await
        .unwrap();
    let again = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("region", "闵行区")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert_eq!(
        app.db
            .store
            .list_targets(&Default::default(), Default::default())
            .await
            .unwrap()
            .total,
        1
    );
    // The plan's bare 产值 keeps the industry it is about.
    assert!(
        figures.iter().any(|f| f.indicator == "生物医药产业产值"),
        "{:?}",
        figures.iter().map(|f| &f.indicator).collect::<Vec<_>>()
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
        field_error(&p.body, "deadline").contains("2026-05-01 早于申报截止日期 2026-06-30"),
        "{}",
        p.body
    );
    assert!(field_error(&p.body, "indicators").contains("必填"));
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
    assert!(field_error(&p.body, "kind").contains("请从列出的选项中选择"));

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
    assert_eq!(field_error(&p.body, "role"), "请从列出的选项中选择一项");
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
    for record in [format!("机构 #{org_id}"), format!("账号 #{account_id}")] {
        let at = log
            .find(&record)
            .unwrap_or_else(|| panic!("{record}: {log}"));
        let row = &log[log[..at].rfind("<tr").unwrap()..at];
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
    assert_eq!(log.matches(&format!("账号 #{ivy_id}")).count(), 4, "{log}");
    assert!(!log.contains("ivy-new-password"));
    // The reset shows that the password changed, never its hash.
    assert!(
        log.contains("<dt>密码</dt><dd><del>（已隐去）</del> → <ins>（已隐去）</ins></dd>"),
        "{log}"
    );
    assert!(!log.contains("argon2"), "{log}");
}

// ---------------------------------------------------------------------------------------------
// Every field of every form survives saving the form unchanged (issue #22: data loss).

/// A form as a browser would submit it: where it posts and every (name, value) it sends.
struct SubmittedForm {
    action: String,
    pairs: Vec<(String, String)>,
}

/// Decodes the character references a template's escaping writes.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The attributes of the tag whose text (after its name) starts `s`, and where the tag ends.
fn attributes(s: &str) -> (HashMap<String, String>, usize) {
    let mut attrs = HashMap::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (attrs, (i + 1).min(s.len()));
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b' ' | b'\n' | b'\t') {
            i += 1;
        }
        let name = s[start..i].trim_end_matches('/').to_string();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let quote = bytes[i];
            assert!(quote == b'"', "unquoted attribute `{name}` in {}", &s[..i]);
            let end = i + 1 + s[i + 1..].find('"').unwrap();
            attrs.insert(name, unescape(&s[i + 1..end]));
            i = end + 1;
        } else if !name.is_empty() {
            attrs.insert(name, String::new());
        }
    }
}

/// The form of `html` whose submit button has `id="{submit_id}"`, read as a browser reads it:
/// text, date and hidden inputs, textareas (their text, lines sent as CRLF as browsers do),
/// the selected option of each select, checked boxes only.
fn form_of(html: &str, submit_id: &str) -> SubmittedForm {
    let button = html
        .find(&format!("id=\"{submit_id}\""))
        .unwrap_or_else(|| panic!("no button #{submit_id} on the page: {html}"));
    let start = html[..button]
        .rfind("<form")
        .expect("the button is in a form");
    let end = button + html[button..].find("</form>").expect("the form ends");
    let form = &html[start..end];
    let (attrs, _) = attributes(&form["<form".len()..]);
    let mut pairs = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>')
            .unwrap_or(rest.len());
        let tag = &rest[..name_end];
        let (a, len) = attributes(&rest[name_end..]);
        rest = &rest[name_end + len..];
        let Some(name) = a.get("name").cloned() else {
            continue;
        };
        match tag {
            "input" => {
                let kind = a.get("type").map_or("text", String::as_str);
                if matches!(kind, "checkbox" | "radio") && !a.contains_key("checked") {
                    continue;
                }
                let default = if kind == "checkbox" { "on" } else { "" };
                let value = a.get("value").cloned().unwrap_or_else(|| default.into());
                pairs.push((name, value));
            }
            "textarea" => {
                let close = rest.find("</textarea>").expect("the textarea ends");
                let text = unescape(&rest[..close]);
                // The HTML parser drops one line break right after `<textarea>`.
                let text = text.strip_prefix('\n').unwrap_or(&text);
                pairs.push((name, text.replace('\n', "\r\n")));
                rest = &rest[close..];
            }
            "select" => {
                let close = rest.find("</select>").expect("the select ends");
                let options = &rest[..close];
                let mut first = None;
                let mut chosen = None;
                for part in options.split("<option").skip(1) {
                    let (o, _) = attributes(part);
                    let value = o.get("value").cloned().unwrap_or_default();
                    first.get_or_insert(value.clone());
                    if o.contains_key("selected") {
                        chosen = Some(value);
                    }
                }
                if let Some(v) = chosen.or(first) {
                    pairs.push((name, v));
                }
                rest = &rest[close..];
            }
            _ => {}
        }
    }
    SubmittedForm {
        action: attrs
            .get("action")
            .cloned()
            .expect("the form has an action"),
        pairs,
    }
}

impl Browser<'_> {
    /// Sends `body` as JSON to the API with a token for `username`; the status and the reply.
    async fn api(
        &self,
        username: &str,
        method: &str,
        uri: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let (status, token) = self.token(username, &format!("{username}-password")).await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(
                "authorization",
                format!("Bearer {}", token["token"].as_str().unwrap()),
            )
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let resp = self.app.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }
}

/// The properties `schema` (a record type's JSON schema) gives that `sample` leaves out or
/// empty, as JSON paths: the sample must fill every field the domain has, so that a field added
/// later is in the round trip (and fails it until a form shows it).
fn unfilled(schema: &serde_json::Value, sample: &serde_json::Value) -> Vec<String> {
    fn walk(
        defs: &serde_json::Value,
        node: &serde_json::Value,
        sample: &serde_json::Value,
        path: &str,
        out: &mut Vec<String>,
    ) {
        let Some(props) = node.get("properties").and_then(|p| p.as_object()) else {
            return;
        };
        for (key, prop) in props {
            let at = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let value = sample.get(key).unwrap_or(&serde_json::Value::Null);
            let empty = match value {
                serde_json::Value::Null => true,
                serde_json::Value::Array(a) => a.is_empty(),
                serde_json::Value::Object(o) => o.is_empty(),
                serde_json::Value::String(s) => s.is_empty(),
                _ => false,
            };
            if empty {
                out.push(at);
                continue;
            }
            // Nested records (contact, conditions, an indicator): every field of theirs too.
            let text = prop.to_string();
            let nested = text
                .split("\"$ref\":\"#/$defs/")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|name| defs.get(name));
            if let Some(def) = nested {
                let inner = match value {
                    serde_json::Value::Array(items) => &items[0],
                    other => other,
                };
                walk(defs, def, inner, &at, out);
            }
        }
    }
    let mut out = Vec::new();
    let defs = schema.get("$defs").cloned().unwrap_or_default();
    walk(&defs, schema, sample, "", &mut out);
    out
}

/// The keys of a record's JSON `fields` that no input of `form` edits and `not_on_form` does
/// not excuse. An input edits a key by its name (`title`), or a nested key by its path
/// (`contact.email`).
fn uncovered(
    fields: &serde_json::Map<String, serde_json::Value>,
    form: &SubmittedForm,
    not_on_form: &[(&str, &str)],
) -> Vec<String> {
    let names: Vec<&str> = form.pairs.iter().map(|(k, _)| k.as_str()).collect();
    let shown = |n: &str| names.contains(&n) || not_on_form.iter().any(|(k, _)| *k == n);
    let mut out = Vec::new();
    for (key, value) in fields {
        if shown(key) {
            continue;
        }
        match value.as_object() {
            Some(inner) if names.iter().any(|n| n.starts_with(&format!("{key}."))) => {
                for sub in inner.keys() {
                    let path = format!("{key}.{sub}");
                    if !shown(&path) {
                        out.push(path);
                    }
                }
            }
            _ => out.push(key.clone()),
        }
    }
    out
}

/// Keys of the API's answer that are the record's bookkeeping, not its fields.
const RECORD_KEYS: &[&str] = &[
    "id",
    "kind",
    "owner_org_id",
    "created_at",
    "updated_at",
    "progress",
];

/// What one record's round trip found wrong: fields the sample leaves empty, fields no input
/// edits, and fields that changed when the edit form was saved unchanged.
#[expect(
    clippy::too_many_arguments,
    reason = "one call per record reads best with every part named at the call"
)]
async fn round_trip(
    b: &mut Browser<'_>,
    user: &str,
    label: &str,
    schema: serde_json::Value,
    api_uri: &str,
    edit_uri: &str,
    submit_id: &str,
    not_on_form: &[(&str, &str)],
) -> Vec<String> {
    let mut problems = Vec::new();
    let before: serde_json::Value = serde_json::from_str(&b.api_get(user, api_uri).await).unwrap();
    let mut fields = before.as_object().unwrap().clone();
    // An organisation's `kind` is its own field; a listing's is the tag of its kind.
    for k in RECORD_KEYS
        .iter()
        .filter(|k| schema["properties"].get(**k).is_none())
    {
        fields.remove(*k);
    }
    for missing in unfilled(&schema, &serde_json::Value::Object(fields.clone())) {
        problems.push(format!(
            "{label}: the sample leaves `{missing}` empty; fill it so the round trip covers it"
        ));
    }
    let page = b.get(edit_uri).await;
    if page.status != StatusCode::OK {
        problems.push(format!("{label}: {edit_uri} answers {}", page.status));
        return problems;
    }
    let form = form_of(&page.body, submit_id);
    for key in uncovered(&fields, &form, not_on_form) {
        problems.push(format!("{label}: no input of {edit_uri} edits `{key}`"));
    }
    let body: Vec<String> = form
        .pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    let saved = b.send("POST", &form.action, Some(body.join("&"))).await;
    if saved.status != StatusCode::SEE_OTHER {
        let shown: Vec<&str> = saved
            .body
            .split("role=\"alert\"")
            .skip(1)
            .filter_map(|s| s.split('<').next())
            .collect();
        problems.push(format!(
            "{label}: saving the unchanged form answered {} with the errors {shown:?}",
            saved.status
        ));
        return problems;
    }
    let after: serde_json::Value = serde_json::from_str(&b.api_get(user, api_uri).await).unwrap();
    let strip = |v: &serde_json::Value| {
        let mut m = v.as_object().unwrap().clone();
        m.remove("updated_at");
        if let Some(p) = m.get_mut("progress").and_then(|p| p.as_object_mut()) {
            p.remove("as_of");
        }
        m
    };
    let (before, after) = (strip(&before), strip(&after));
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        if before.get(key) != after.get(key) {
            problems.push(format!(
                "{label}: `{key}` changed from {} to {}",
                before.get(key).map_or("(absent)".into(), |v| v.to_string()),
                after.get(key).map_or("(absent)".into(), |v| v.to_string()),
            ));
        }
    }
    problems
}

fn schema_of<T: schemars::JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap()
}

/// One fully filled listing of each kind: text that needs escaping, list items holding commas
/// and 顿号, several lines, indicators with and without a number, every optional field set.
fn full_listings() -> Vec<(qiao_domain::Kind, serde_json::Value, serde_json::Value)> {
    use qiao_domain::Kind;
    use qiao_domain::listing as l;
    use serde_json::json;
    let contact = json!({"name": "王工 <b>", "phone": "021-5555-0101", "email": "w&g@example.cn"});
    vec![
        (
            Kind::Achievement,
            schema_of::<l::Achievement>(),
            json!({
                "title": "相变材料电池热管理 <script>alert(\"x\")</script>",
                "summary": "一种电池包热管理方法。\n第二段：& 符号与 \"引号\"。",
                "keywords": ["热管理", "相变材料、复合材料"],
                "discipline": "新能源",
                "ipc_codes": ["H01M 10/613", "G06N"],
                "patent_numbers": ["CN202310001234.5", "CN202310005678.9"],
                "trl": 6,
                "stage": "pilot",
                "transfer_modes": ["license", "equity", "joint_development"],
                "price_min_yuan": 500000,
                "price_max_yuan": 2000000,
                "district": "闵行区",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Demand,
            schema_of::<l::Demand>(),
            json!({
                "title": "电池包散热",
                "description": "夏天电池包发烫。\n希望降低电芯温差。",
                "keywords": ["热管理", "固态电池，钠电池"],
                "discipline": "新能源汽车",
                "indicators": [
                    {"name": "电芯温差", "target": 5.0, "unit": "℃", "note": "满载，25℃ 环境"},
                    {"name": "外观一致性"},
                    {"name": "防护等级", "unit": "IP67"},
                    {"name": "循环 寿命", "target": 3000.5, "unit": "次 / 年"},
                    {"name": "电芯 18650 容量；常温", "target": 3000.0, "unit": "mAh"}
                ],
                "budget_min_yuan": 100000,
                "budget_max_yuan": 800000,
                "deadline": "2099-06-30",
                "cooperation_modes": ["commissioned_development", "consulting"],
                "district": "浦东新区",
                "status": "draft",
                "expires_on": "2099-12-31",
                "confidential": "电芯型号 X；供应商 Y",
                "contact": contact,
            }),
        ),
        (
            Kind::Challenge,
            schema_of::<l::Challenge>(),
            json!({
                "title": "固态电解质揭榜",
                "description": "离子电导率不足。",
                "keywords": ["固态电解质"],
                "discipline": "材料",
                "indicators": [
                    {"name": "离子电导率", "target": 0.001, "unit": "S/cm", "note": "室温"},
                    {"name": "厚度", "target": 30.0, "unit": "μm"}
                ],
                "deliverables": ["样机一台，含测试报告", "专利、论文各一项"],
                "reward_yuan": 3000000,
                "apply_from": "2099-01-01",
                "apply_until": "2099-03-31",
                "deadline": "2099-12-31",
                "district": "闵行区",
                "status": "under_review",
                "expires_on": "2099-12-31",
                "confidential": "现有工艺参数",
                "contact": contact,
            }),
        ),
        (
            Kind::Scenario,
            schema_of::<l::Scenario>(),
            json!({
                "title": "智慧园区巡检",
                "description": "园区开放巡检场景。",
                "needs": ["机器视觉，缺陷识别", "低功耗通信"],
                "keywords": ["巡检", "机器人"],
                "discipline": "人工智能",
                "budget_yuan": 1500000,
                "deadline": "2099-09-30",
                "district": "徐汇区",
                "status": "closed",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Instrument,
            schema_of::<l::Instrument>(),
            json!({
                "title": "场发射扫描电镜",
                "description": "高分辨形貌观察。",
                "model": "SU8010",
                "manufacturer": "日立",
                "discipline": "分析仪器",
                "keywords": ["电镜", "形貌"],
                "location": "材料楼 101",
                "district": "闵行区",
                "booking_terms": "提前三天预约；\n每小时 500 元。",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Expert,
            schema_of::<l::Expert>(),
            json!({
                "title": "李教授",
                "description": "电池材料专家。",
                "position": "教授, 博士生导师",
                "affiliation": "某大学材料学院",
                "discipline": "材料科学",
                "keywords": ["正极材料", "锂电池"],
                "district": "杨浦区",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Institution,
            schema_of::<l::Institution>(),
            json!({
                "title": "检测中心",
                "description": "第三方检测。",
                "services": ["电池安全检测", "EMC 测试；整改咨询"],
                "qualifications": ["CMA", "CNAS（L1234, 2023）"],
                "discipline": "检验检测",
                "keywords": ["检测"],
                "district": "嘉定区",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
    ]
}

#[tokio::test]
async fn every_form_saved_unchanged_keeps_every_field() {
    let app = App::new().await;
    let mine = app.org(21, "甲科技公司").await;
    app.account("owner", Role::Member, Some(mine)).await;
    app.account("admin", Role::Admin, None).await;
    app.account("staff", Role::CommissionStaff, None).await;
    let mut problems = Vec::new();

    // Every listing kind, by its owner.
    let mut b = app.browser();
    b.login("owner").await;
    for (kind, schema, sample) in full_listings() {
        let (status, made) = b
            .api(
                "owner",
                "POST",
                &format!("/api/v1/{}", kind.plural()),
                &sample,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{kind:?}: {made}");
        let id = made["id"].as_i64().unwrap();
        problems.extend(
            round_trip(
                &mut b,
                "owner",
                kind.as_str(),
                schema,
                &format!("/api/v1/{}/{id}", kind.plural()),
                &format!("/{}/{id}/edit", kind.plural()),
                "submit-listing",
                &[],
            )
            .await,
        );
    }

    // The organisation profile, by a member of it.
    let doc = qiao_server::documents::import(
        &app.db.store,
        "003.txt",
        fixture_bytes("003_853fbbfa8443af7f.txt").into(),
    )
    .await
    .unwrap()
    .record
    .id;
    let a = app.browser();
    let (status, org) = a
        .api(
            "admin",
            "POST",
            "/api/v1/organisations",
            &serde_json::json!({
                "kind": "enterprise",
                "name": "乙科技公司",
                "credit_code": code(22),
                "district": "闵行区",
                "industry_code": "C3562",
                "founded_on": "2015-03-01",
                "employees": 120,
                "revenue_yuan": 88000000,
                "rd_expense_yuan": 6000000,
                "patents": 14,
                "description": "电池热管理 <b>&</b>\n第二行。",
                "website": "https://example.cn/?a=1&b=2",
                "certificates": [{"kind": "high_tech", "number": "GR202331000123",
                                  "issued_on": "2023-12-01", "expires_on": "2026-11-30"}],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    let org_id = org["id"].as_i64().unwrap();
    app.account("member", Role::Member, Some(org_id)).await;
    let mut m = app.browser();
    m.login("member").await;
    problems.extend(
        round_trip(
            &mut m,
            "member",
            "organisation",
            schema_of::<qiao_domain::Organisation>(),
            &format!("/api/v1/organisations/{org_id}"),
            &format!("/orgs/{org_id}/edit"),
            "submit-form",
            &[
                (
                    "kind",
                    "the register's: set when the organisation is registered",
                ),
                (
                    "name",
                    "the register's name, changed through the API or an import",
                ),
                (
                    "credit_code",
                    "the register's identity, changed through the API or an import",
                ),
                (
                    "certificates",
                    "issued by the authorities, recorded through the API or an import",
                ),
            ],
        )
        .await,
    );

    // A policy and a target, by commission staff.
    let mut s = app.browser();
    s.login("staff").await;
    let (status, policy) = s
        .api(
            "staff",
            "POST",
            "/api/v1/policies",
            &serde_json::json!({
                "title": "研发投入奖励 <i>",
                "issuer": "闵行区科学技术委员会",
                "benefit": "最高 50万元，按比例",
                "description": "申报方式：\n线上提交。",
                "document_id": doc,
                "apply_from": "2099-01-01",
                "apply_until": "2099-06-30",
                "conditions": {
                    "certificates": ["tech_sme", "high_tech"],
                    "certificate_on": "2099-01-01",
                    "districts": ["闵行区", "徐汇区"],
                    "industries": ["C35", "I65"],
                    "min_years": 1,
                    "max_years": 10,
                    "min_revenue_yuan": 1000000,
                    "max_revenue_yuan": 500000000,
                    "min_rd_ratio_percent": 3.5,
                    "min_employees": 10,
                    "max_employees": 1000,
                    "min_patents": 2,
                },
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{policy}");
    let policy_id = policy["id"].as_i64().unwrap();
    problems.extend(
        round_trip(
            &mut s,
            "staff",
            "policy",
            schema_of::<qiao_domain::Policy>(),
            &format!("/api/v1/policies/{policy_id}"),
            &format!("/policies/{policy_id}/edit"),
            "submit-form",
            &[],
        )
        .await,
    );
    let (status, target) = s
        .api(
            "staff",
            "POST",
            "/api/v1/targets",
            &serde_json::json!({
                "region": "闵行区",
                "year": 2099,
                "indicator": "有效期内高新技术企业",
                "value": 4000.0,
                "unit": "家",
                "qualifier": "力争",
                "metric": {"kind": "newly_certified", "certificate": "high_tech"},
                "reported": 3900.5,
                "baseline": {"value": 3812.0, "as_of": "2099-03-31"},
                "document_id": doc,
                "sentence": "到2099年，高新技术企业力争达4000家，\n其中新增 500 家。",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{target}");
    let target_id = target["id"].as_i64().unwrap();
    problems.extend(
        round_trip(
            &mut s,
            "staff",
            "target",
            schema_of::<qiao_domain::Target>(),
            &format!("/api/v1/targets/{target_id}"),
            &format!("/targets/{target_id}/edit"),
            "submit-form",
            &[],
        )
        .await,
    );

    assert!(problems.is_empty(), "{}", problems.join("\n"));
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
    assert!(
        s.get("/targets")
            .await
            .body
            .contains(&format!("href=\"{edit}\""))
    );

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
    assert_eq!(
        field_error(&p.body, "year"),
        "“明年”不是整数，请写数字，如 6"
    );
    assert!(
        p.body.contains("value=\"闵行区&#60;script&#62;\""),
        "escaped"
    );
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

/// Issue #29, item 5: a long document's page shows one bounded part, with links to the others;
/// each figure keeps its index in the whole document (the targets form names them so).
#[tokio::test]
async fn a_long_documents_page_is_shown_in_parts() {
    let app = App::new().await;
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 200_000 {
        i += 1;
        text.push_str(&format!(
            "第{i}条 到2026年，全区高新技术企业数量达到{}家。\n",
            1000 + i % 900
        ));
    }
    let doc = qiao_server::documents::import(&app.db.store, "long.txt", text.into_bytes().into())
        .await
        .unwrap()
        .record;
    app.account("staff", Role::CommissionStaff, None).await;
    let mut b = app.browser();
    b.login("staff").await;
    let uri = format!("/documents/{}", doc.id);
    let first = b.get(&uri).await;
    assert_eq!(first.status, StatusCode::OK);
    let shown = |body: &str| {
        let start = body.find("id=\"document-text\">").unwrap();
        let end = start + body[start..].find("</pre>").unwrap();
        end - start
    };
    assert!(
        shown(&first.body) <= 60 * 1024,
        "{} bytes",
        shown(&first.body)
    );
    assert!(
        first
            .body
            .contains(&format!("href=\"/documents/{}?page=2\"", doc.id))
    );
    assert!(!first.body.contains("rel=\"prev\""));
    let second = b.get(&format!("{uri}?page=2")).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(
        second
            .body
            .contains(&format!("href=\"/documents/{}?page=1\"", doc.id))
    );
    // The second part's figures are numbered after the first part's 200.
    assert!(first.body.contains("name=\"figure\" value=\"199\""));
    assert!(!first.body.contains("name=\"figure\" value=\"200\""));
    assert!(second.body.contains("name=\"figure\" value=\"200\""));
    assert!(!second.body.contains("name=\"figure\" value=\"0\""));
    assert!(
        !second.body.contains("第1条 "),
        "the first line is on part 1 only"
    );
    assert_eq!(
        b.get(&format!("{uri}?page=9999")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Issue #29, item 6: `back` and `next` lead only to paths on this site. Browsers drop a tab
/// or line break from a URL, so `/%09/evil.example` must not be followed; a line break once
/// made the redirect a 500.
#[tokio::test]
async fn redirects_never_leave_the_site() {
    let app = App::new().await;
    let mut anon = app.browser();
    for back in [
        "/%09/evil.example/phish",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "/%5C/evil.example",
        "%2F%2Fevil.example",
        "/%E3%80%80/evil.example",
        "https://evil.example",
    ] {
        let p = anon.get(&format!("/lang?to=en&back={back}")).await;
        assert_eq!(
            (p.status, p.location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/")),
            "back={back}"
        );
    }
    let p = anon.get("/lang?to=en&back=/search%3Fq%3D1").await;
    assert_eq!(p.location.as_deref(), Some("/search?q=1"));
    // The sign-in form carries `next` on only when it is a path here.
    let p = anon.get("/login?next=/%09/evil.example").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("name=\"next\" value=\"/\""),
        "next was kept: {}",
        p.body
    );
}

/// Issue #29, item 9: the search page's page number never overflows (it did at 2^64 / 20).
#[tokio::test]
async fn the_search_page_survives_any_page_number() {
    let app = App::new().await;
    let mut anon = app.browser();
    let p = anon
        .get(&format!(
            "/search?q={}&page=18446744073709551615",
            enc("电池")
        ))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        !p.body.contains("page=18446744073709551616"),
        "no link past the end"
    );
}

#[tokio::test]
async fn the_audit_log_tells_the_story_field_by_field() {
    let app = App::new().await;
    let org = app.org(31, "审计公司").await;
    app.account("root", Role::Admin, None).await;
    app.account("hana", Role::Member, Some(org)).await;
    app.account("ivan", Role::Member, Some(org)).await;
    let mut hana = app.browser();
    hana.login("hana").await;
    let demand = post_demand(&mut hana, "旧的需求标题", "描述").await;
    let id = demand.rsplit('/').next().unwrap().to_string();
    let p = hana
        .submit(
            &format!("{demand}/edit"),
            &format!("{demand}/edit"),
            &[
                ("title", "<script>alert(1)</script>新标题"),
                ("description", "=1+2 新描述"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut ivan = app.browser();
    ivan.login("ivan").await;
    post_demand(&mut ivan, "伊万的需求", "描述").await;
    for uri in ["/admin/audit", "/admin/audit.xlsx"] {
        assert_eq!(hana.get(uri).await.status, StatusCode::FORBIDDEN, "{uri}");
    }

    let mut root = app.browser();
    root.login("root").await;
    let filtered = format!("actor=hana&entity=listing&entity_id={id}");
    let log = root.get(&format!("/admin/audit?{filtered}")).await;
    assert_eq!(log.status, StatusCode::OK);
    let body = &log.body;
    assert!(
        body.contains("共 2 条"),
        "the create and the update: {body}"
    );
    assert!(body.contains(&format!("技术需求 #{id}")), "{body}");
    assert!(
        body.contains("<dt>标题</dt>"),
        "Chinese field labels: {body}"
    );
    assert!(
        body.contains("<dt>联系电话</dt>"),
        "the create lists every field: {body}"
    );
    assert!(
        body.contains("<dt>类型</dt><dd><del>（空）</del> → <ins>技术需求</ins></dd>"),
        "codes in words: {body}"
    );
    assert!(body.contains("<del>旧的需求标题</del>"), "before: {body}");
    assert!(
        body.contains("<ins>&#60;script&#62;alert(1)&#60;/script&#62;新标题</ins>"),
        "after, escaped: {body}"
    );
    assert!(!body.contains("<script>alert(1)"), "stored script is inert");
    assert!(
        !body.contains("伊万的需求"),
        "other actors are filtered out"
    );
    assert!(
        body.contains(&format!(
            "href=\"/admin/audit.xlsx?{}\"",
            filtered.replace('&', "&#38;")
        )),
        "the export keeps the filters: {body}"
    );
    // The filters stay in the form.
    assert!(body.contains("value=\"hana\""));
    assert!(body.contains("<option value=\"listing\" selected>"));
    // Dates: nothing before 2001; a bad day is named, not a 500.
    let none = root.get("/admin/audit?to=2000-12-31").await;
    assert!(none.body.contains("共 0 条"), "{}", none.body);
    let bad = root.get("/admin/audit?from=2026-02-30").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("id=\"audit-error\""), "{}", bad.body);
    // In English, the labels are English.
    root.cookies.insert("qiao_lang".into(), "en".into());
    let en = root.get(&format!("/admin/audit?{filtered}")).await.body;
    assert!(
        en.contains("<dt>Title</dt>") && en.contains(&format!("Demand #{id}")),
        "{en}"
    );
    root.cookies.remove("qiao_lang");

    // The workbook: the same filters, one row per changed field, values whole and as text.
    let x = root.get(&format!("/admin/audit.xlsx?{filtered}")).await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(x.raw)).expect("a workbook");
    let range = book.worksheet_range("audit").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "序号",
            "时间（北京时间）",
            "操作人",
            "操作",
            "对象类型",
            "对象编号",
            "字段",
            "修改前",
            "修改后"
        ]
    );
    assert!(
        rows[1..].iter().all(|r| r[2] == "hana" && r[5] == id),
        "{rows:?}"
    );
    let title: Vec<_> = rows.iter().filter(|r| r[6] == "标题").collect();
    assert_eq!(title.len(), 2, "created and changed: {rows:?}");
    assert_eq!(
        (
            title[0][3].as_str(),
            title[0][7].as_str(),
            title[0][8].as_str()
        ),
        ("修改", "旧的需求标题", "<script>alert(1)</script>新标题")
    );
    let description = rows
        .iter()
        .find(|r| r[6] == "描述" && r[3] == "修改")
        .expect("the description changed");
    assert_eq!(description[8], "=1+2 新描述");
    assert!(
        book.worksheet_formula("audit")
            .unwrap()
            .used_cells()
            .all(|(_, _, f)| f.is_empty()),
        "no formulas"
    );
    assert_eq!(
        app.browser().get("/admin/audit.xlsx").await.status,
        StatusCode::UNAUTHORIZED,
        "nobody signed in reads the log"
    );
}

/// An enterprise that claims `kind`, not verified: as a member or an import leaves it.
async fn claiming_org(app: &App, n: u32, name: &str, kind: &str) -> i64 {
    let mut o: Organisation = serde_json::from_value(serde_json::json!({
        "kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区",
        "certificates": [{"kind": kind, "number": format!("GR{n}"), "issued_on": "2024-01-01", "expires_on": "2099-12-31"}]
    }))
    .unwrap();
    o.validate().unwrap();
    app.db.store.create_org(&o).await.unwrap().id
}

#[tokio::test]
async fn staff_verify_certificates_on_their_page_and_import_official_lists() {
    let app = App::new().await;
    let a = claiming_org(&app, 901, "甲<script>alert(1)</script>科技", "high_tech").await;
    let b = claiming_org(&app, 902, "乙科技", "high_tech").await;
    let c = claiming_org(&app, 903, "丙科技", "high_tech").await;
    let d = claiming_org(&app, 904, "丁科技", "specialized").await;
    app.account("staff", Role::CommissionStaff, None).await;
    app.account("member", Role::Member, Some(b)).await;
    let year: i32 = qiao_domain::today()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    let mut target: qiao_domain::Target = serde_json::from_value(serde_json::json!({
        "region": "上海市", "year": year, "indicator": "有效期内高新技术企业", "value": 10, "unit": "家",
        "metric": {"kind": "certified", "certificate": "high_tech"}}))
    .unwrap();
    target.validate().unwrap();
    app.db.store.create_targets(&[target]).await.unwrap();

    // Members and visitors do not see the page.
    let mut anon = app.browser();
    assert_ne!(anon.get("/certificates").await.status, StatusCode::OK);
    let mut m = app.browser();
    m.login("member").await;
    assert_eq!(m.get("/certificates").await.status, StatusCode::FORBIDDEN);
    let own = m.get(&format!("/orgs/{b}")).await;
    assert!(own.body.contains("待核验"), "{}", own.body);
    assert!(!own.body.contains("id=\"verify-link\""));

    let mut s = app.browser();
    s.login("staff").await;
    let page = s.get("/certificates").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("class=\"pending-row\"").count(),
        4,
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert"), "names are escaped");
    assert!(page.body.contains("甲&#60;script&#62;"), "{}", page.body);
    assert!(page.body.contains("id=\"list-form\""));
    let targets = s.get("/targets").await;
    assert!(targets.body.contains(">0家<br>"), "{}", targets.body);
    assert!(targets.body.contains("另有 3 家待核验"), "{}", targets.body);

    // A form without the token, or from a member, decides nothing.
    let verify_a = format!("/certificates/{a}/0/verify");
    let p = s.post_raw(&verify_a, &[("kind", "high_tech")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = m
        .submit(
            &format!("/orgs/{b}"),
            &format!("/certificates/{b}/0/verify"),
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // Verify 甲 with the number checked; reject 乙 (a reason is required).
    let p = s
        .submit(
            "/certificates",
            &verify_a,
            &[("kind", "high_tech"), ("number", "GR202431000901")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let next = p.location.unwrap();
    assert_eq!(next, format!("/certificates?done=verified&org={a}"));
    let done = s.get(&next).await;
    assert!(done.body.contains("id=\"done\""), "{}", done.body);
    let reject_b = format!("/certificates/{b}/0/reject");
    let p = s
        .submit(
            "/certificates",
            &reject_b,
            &[("kind", "high_tech"), ("reason", " ")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"error\""), "{}", p.body);
    let p = s
        .submit(
            "/certificates",
            &reject_b,
            &[("kind", "high_tech"), ("reason", "名单中无此企业 <i>")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // A decision on a certificate whose kind changed meanwhile is refused, saying why.
    let p = s
        .submit(
            "/certificates",
            &format!("/certificates/{c}/0/verify"),
            &[("kind", "leading")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"error\""), "{}", p.body);

    let targets = s.get("/targets").await;
    assert!(targets.body.contains(">1家<br>"), "{}", targets.body);
    assert!(targets.body.contains("另有 1 家待核验"), "{}", targets.body);
    let shown = s.get(&format!("/orgs/{a}")).await;
    assert!(shown.body.contains("已核验（staff，"), "{}", shown.body);
    assert!(shown.body.contains("GR202431000901"), "{}", shown.body);
    let shown = m.get(&format!("/orgs/{b}")).await;
    assert!(
        shown.body.contains("驳回：名单中无此企业 &#60;i&#62;"),
        "{}",
        shown.body
    );

    // A real CSV list (with a title row) verifies 丙 and names the line that matched nothing.
    let csv = format!(
        "闵行区2024年高新技术企业名单\r\n序号,企业名称,统一社会信用代码,证书编号\r\n1,丙科技,{},GR903\r\n2,不存在,{},GR9\r\n",
        code(903),
        code(999)
    );
    let token = csrf_of(&s.get("/certificates").await.body);
    let p = s
        .post_multipart(
            "/certificates/lists",
            &[
                Part::Field("_csrf", &token),
                Part::Field("kind", "high_tech"),
                Part::FileOf("file", "高企名单.csv", csv.as_bytes()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("核验通过 1 条，此前已核验 0 条，未匹配 1 条"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("<td>4</td>"),
        "the unmatched line is named: {}",
        p.body
    );
    assert!(p.body.contains("没有该统一社会信用代码"), "{}", p.body);
    // Without the token first, nothing is read.
    let p = s
        .post_multipart(
            "/certificates/lists",
            &[
                Part::Field("kind", "high_tech"),
                Part::FileOf("file", "x.csv", csv.as_bytes()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // A generated XLSX list of 专精特新 verifies 丁.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码").unwrap();
    sheet.write_string(0, 1, "企业名称").unwrap();
    sheet.write_string(1, 0, code(904)).unwrap();
    sheet.write_string(1, 1, "丁科技").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let token = csrf_of(&s.get("/certificates").await.body);
    let p = s
        .post_multipart(
            "/certificates/lists",
            &[
                Part::Field("_csrf", &token),
                Part::Field("kind", "specialized"),
                Part::FileOf("file", "专精特新名单.xlsx", &xlsx),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("核验通过 1 条"), "{}", p.body);
    let stored = app.db.store.get_org(d).await.unwrap().org;
    assert!(stored.certificates[0].is_verified());
    let page = s.get("/certificates").await;
    assert!(page.body.contains("id=\"none-pending\""), "{}", page.body);
    let targets = s.get("/targets").await;
    assert!(targets.body.contains(">2家<br>"), "{}", targets.body);
}

#[tokio::test]
async fn targets_say_what_they_count_draw_a_chart_and_export() {
    let app = App::new().await;
    // Two enterprises of 闵行区, each with a verified 高新技术企业 certificate issued 2024-01-01.
    app.org(41, "甲").await;
    app.org(42, "乙").await;
    app.account("staff", Role::CommissionStaff, None).await;
    let mut s = app.browser();
    s.login("staff").await;
    let new = |extra: &'static [(&'static str, &'static str)]| {
        let mut f = vec![
            ("region", "闵行区"),
            ("year", "2025"),
            ("indicator", "有效期内高新技术企业"),
            ("unit", "家"),
            ("qualifier", "达"),
            ("metric", "certified:high_tech"),
        ];
        for (k, v) in extra {
            f.retain(|(name, _)| name != k);
            f.push((k, v));
        }
        f
    };
    for fields in [
        // The commission's count at the end of 2023, and Qiao's changes since.
        new(&[
            ("value", "4000"),
            ("baseline.value", "3812"),
            ("baseline.as_of", "2023-12-31"),
        ]),
        // Qiao's own count: it says how many enterprises it covers.
        new(&[("value", "10")]),
        // A phrase around the value; a region with markup in it.
        new(&[
            ("region", "<b>新区</b>"),
            ("indicator", "研发投入强度"),
            ("value", "10"),
            ("unit", "%"),
            ("qualifier", "保持在…左右"),
            ("metric", ""),
            ("reported", "9.8"),
        ]),
    ] {
        let p = s.submit("/targets/new", "/targets/new", &fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{fields:?}: {}", p.body);
    }
    // Half a baseline is refused, naming the half that is missing; nothing is stored.
    let half = s
        .submit(
            "/targets/new",
            "/targets/new",
            &new(&[("value", "1"), ("baseline.value", "5")]),
        )
        .await;
    assert_eq!(half.status, StatusCode::OK, "the form again");
    assert!(
        !field_error(&half.body, "baseline.as_of").is_empty(),
        "{}",
        half.body
    );
    let stored = app
        .db
        .store
        .list_targets(&Default::default(), Default::default())
        .await
        .unwrap();
    assert_eq!(stored.total, 3);

    let page = s.get("/targets").await;
    let body = &page.body;
    assert!(
        body.contains("填报基数 3812家（截至 2023-12-31）＋此后平台核验新增 2 家"),
        "{body}"
    );
    assert!(body.contains(">3814家<"), "3812 + 2: {body}");
    assert!(
        body.contains("平台已核验 2 家（闵行区在平台登记企业 2 家）"),
        "{body}"
    );
    assert!(body.contains("保持在10%左右"), "{body}");
    assert!(!body.contains("保持在…左右10"), "{body}");
    // One chart per region, drawn on the server; what users typed is escaped in it too.
    assert_eq!(body.matches("<svg ").count(), 2, "{body}");
    assert!(!body.contains("<b>新区</b>"), "{body}");
    assert!(body.contains("&#60;b&#62;新区&#60;/b&#62;"), "{body}");
    // 3814 / 4000 = 95.4 % of a 300-unit bar; 2 / 10 = 20 %.
    assert!(body.contains("width=\"286\""), "{body}");
    assert!(body.contains("width=\"60\""), "{body}");
    // On a phone each row is a card whose cells carry their labels.
    assert!(body.contains("class=\"list stack\""), "{body}");
    assert!(body.contains("data-label=\"实际\""), "{body}");

    // The export holds the filtered rows, values as numbers.
    let href = format!("/targets.xlsx?region={}&year=2025", enc("闵行区"));
    assert!(
        body.contains("href=\"/targets.xlsx?region=&#38;year=\""),
        "{body}"
    );
    let x = s.get(&href).await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(x.raw)).expect("a workbook");
    let range = book.worksheet_range("targets").unwrap();
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows.len(), 3, "the header and 闵行区's two targets");
    assert_eq!(rows[0][7].to_string(), "实际值");
    let actuals: Vec<f64> = rows[1..]
        .iter()
        .filter_map(|r| calamine::DataType::get_float(&r[7]))
        .collect();
    let mut sorted = actuals.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(sorted, [2.0, 3814.0]);
    assert!(
        rows[1..]
            .iter()
            .any(|r| r[9].to_string().contains("填报基数")),
        "{rows:?}"
    );
}
