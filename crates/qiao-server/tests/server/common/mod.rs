//! What every server test shares, in the shape of crates.io's `TestApp`: the real router on a
//! fresh database of its own ([`TestApp`]), requests sent in-process as an API client
//! ([`Reply`]) or as a browser ([`Browser`]), signed-in users of each role, and the records
//! most tests start from ([`fixtures`]).
//!
//! Each test builds its own app (a SQLite file in a temporary directory, or a schema of its own
//! on the PostgreSQL server named by `QIAO_TEST_DATABASE_URL`), so tests run in parallel and
//! share nothing. The tests speak HTTP to the router; the few internal paths they need (the
//! password hash, a document import without a request) are reached from here only, so a
//! change of those paths is one edit.

pub mod browser;
pub mod fixtures;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request};
use http_body_util::BodyExt;
use qiao_domain::NewAccount;
use tower::ServiceExt;

pub use axum::http::{Method, StatusCode};
pub use browser::{Browser, Part, csrf_of, decision_action, field_error, section, value_after};
pub use fixtures::*;
pub use qiao_domain::Role;
pub use qiao_store::test_support::TestDb;
pub use serde_json::{Value, json};

/// The application under test: the real router over a store on a database of its own.
pub struct TestApp {
    /// The database and its store: a SQLite directory removed when the test ends, or a
    /// PostgreSQL schema removed by `db.drop_schema()`.
    pub db: TestDb,
    /// The router `qiao serve` runs, with its search index in memory.
    pub router: axum::Router,
}

/// What the API answered.
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The body as JSON; a string for a body that is not JSON (a page), `Null` for none.
    pub body: Value,
    /// The `Location` header.
    pub location: Option<String>,
}

impl Reply {
    /// Asserts the status (naming the body when it differs) and hands the reply on.
    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Reply {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }

    /// The `id` of the record the body is.
    #[track_caller]
    pub fn id(&self) -> i64 {
        self.body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no id in {}", self.body))
    }

    /// The field named by the `n`th field error of the error envelope (`Null` past the end).
    pub fn field(&self, n: usize) -> &Value {
        &self.body["error"]["fields"][n]["field"]
    }

    /// The message of the `n`th field error of the error envelope ("" past the end).
    pub fn field_message(&self, n: usize) -> &str {
        self.body["error"]["fields"][n]["message"]
            .as_str()
            .unwrap_or_default()
    }

    /// Every field the error envelope names, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.body["error"]["fields"]
            .as_array()
            .map(|fs| fs.iter().filter_map(|f| f["field"].as_str()).collect())
            .unwrap_or_default()
    }

    /// The error envelope's message ("" when there is none).
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    /// The body as text (a page, which is not JSON).
    #[track_caller]
    pub fn text(&self) -> &str {
        self.body
            .as_str()
            .unwrap_or_else(|| panic!("not a text body: {}", self.body))
    }

    /// The body's `total` (of a list).
    #[track_caller]
    pub fn total(&self) -> i64 {
        self.body["total"]
            .as_i64()
            .unwrap_or_else(|| panic!("no total in {}", self.body))
    }

    /// The body's `items` (a page of a list).
    #[track_caller]
    pub fn items(&self) -> &[Value] {
        array(&self.body["items"])
    }

    /// The body's `hits` (of a search or of matches).
    #[track_caller]
    pub fn hits(&self) -> &[Value] {
        array(&self.body["hits"])
    }
}

impl TestApp {
    /// The app on a fresh SQLite database.
    pub async fn new() -> TestApp {
        Self::on(TestDb::sqlite().await).await
    }

    /// The app on a fresh PostgreSQL schema, or `None` when `QIAO_TEST_DATABASE_URL` is not
    /// set. Call [`TestDb::drop_schema`] on `db` at the end.
    pub async fn postgres() -> Option<TestApp> {
        Some(Self::on(TestDb::postgres().await?).await)
    }

    /// The app on `db`.
    pub async fn on(db: TestDb) -> TestApp {
        Self::adjusted(db, |_| {}).await
    }

    /// The app on a fresh SQLite database, its state changed by `adjust` first (a shorter
    /// deadline, say).
    pub async fn with(adjust: impl FnOnce(&mut qiao_server::AppState)) -> TestApp {
        Self::adjusted(TestDb::sqlite().await, adjust).await
    }

    async fn adjusted(db: TestDb, adjust: impl FnOnce(&mut qiao_server::AppState)) -> TestApp {
        let mut state = qiao_server::AppState::open(db.store.clone(), None)
            .await
            .unwrap();
        adjust(&mut state);
        TestApp {
            db,
            router: qiao_server::router(state),
        }
    }

    /// Sends `req` through the router: the status, the headers and the whole body.
    pub async fn respond(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (parts.status, parts.headers, bytes)
    }

    /// A request to the API with `token` (if any) and a body of raw bytes and its content type.
    pub async fn send(
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
        let (status, headers, bytes) = self.respond(req).await;
        let location = headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
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

    /// A request whose body is `body` as it is, sent as JSON (to send broken JSON).
    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let body = body.map(|b| (b.as_bytes().to_vec(), "application/json"));
        self.send(method, uri, token, body).await
    }

    /// A request with a JSON body.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let text = body.map(|b| b.to_string());
        self.raw(method, uri, token, text.as_deref()).await
    }

    // The shorthands take the URI by value too (`impl AsRef<str>`), so that a closure may
    // build it and return the request's future.

    /// `GET uri`.
    pub async fn get(&self, uri: impl AsRef<str>, token: Option<&str>) -> Reply {
        self.call(Method::GET, uri.as_ref(), token, None).await
    }

    /// `POST uri` with a JSON body.
    pub async fn post(&self, uri: impl AsRef<str>, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, uri.as_ref(), token, Some(body))
            .await
    }

    /// `PUT uri` with a JSON body.
    pub async fn put(&self, uri: impl AsRef<str>, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PUT, uri.as_ref(), token, Some(body))
            .await
    }

    /// `PATCH uri` with a JSON body.
    pub async fn patch(&self, uri: impl AsRef<str>, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PATCH, uri.as_ref(), token, Some(body))
            .await
    }

    /// `DELETE uri`.
    pub async fn delete(&self, uri: impl AsRef<str>, token: Option<&str>) -> Reply {
        self.call(Method::DELETE, uri.as_ref(), token, None).await
    }

    /// Posts `body` to the collection `uri` as `token`, asserts it was created; its id.
    pub async fn create(&self, token: &str, uri: &str, body: Value) -> i64 {
        self.post(uri, Some(token), body)
            .await
            .expect(StatusCode::CREATED)
            .id()
    }

    /// Creates an account in the store, its password `{username}-password`; its id.
    pub async fn create_account(&self, username: &str, role: Role, org_id: Option<i64>) -> i64 {
        let new = NewAccount {
            username: username.into(),
            display_name: None,
            password: password_of(username),
            role,
            org_id,
        };
        self.db
            .store
            .create_account(&new, &qiao_app::credentials::hash_password(&new.password))
            .await
            .unwrap()
            .id
    }

    /// Creates an account and signs it in through the API; its bearer token.
    pub async fn account(&self, username: &str, role: Role, org_id: Option<i64>) -> String {
        self.create_account(username, role, org_id).await;
        self.token_for(username).await
    }

    /// A new token for `username` (its fixture password), through `POST /api/v1/tokens`.
    pub async fn token_for(&self, username: &str) -> String {
        let r = self.sign_in(username, &password_of(username)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }

    /// `POST /api/v1/tokens` with a username and a password, as a script signs in.
    pub async fn sign_in(&self, username: &str, password: &str) -> Reply {
        let body = json!({"username": username, "password": password});
        self.post("/api/v1/tokens", None, body).await
    }

    /// A token of account `account_id` that expired a second ago, stored as `POST
    /// /api/v1/tokens` stores one (only the store can make one in the past).
    pub async fn expired_token(&self, account_id: i64) -> String {
        let (token, hash) = qiao_app::credentials::new_token();
        self.db
            .store
            .create_token_until(
                account_id,
                "old",
                &hash,
                chrono::Utc::now() - chrono::Duration::seconds(1),
            )
            .await
            .unwrap();
        token
    }

    /// A platform admin named `admin`; its token.
    pub async fn admin(&self) -> String {
        self.account("admin", Role::Admin, None).await
    }

    /// Commission staff named `staff`, of no organisation; its token.
    pub async fn staff(&self) -> String {
        self.account("staff", Role::CommissionStaff, None).await
    }

    /// A technology manager (技术经理人) named `manager`; its token.
    pub async fn manager(&self) -> String {
        self.account("manager", Role::TechnologyManager, None).await
    }

    /// A member of organisation `org`; its token.
    pub async fn member(&self, username: &str, org: i64) -> String {
        self.account(username, Role::Member, Some(org)).await
    }

    /// The audit log as `admin` reads it through the API, newest first (its first 200 entries).
    pub async fn audit_log(&self, admin: &str) -> Vec<Value> {
        let r = self
            .get("/api/v1/audit?per_page=200", Some(admin))
            .await
            .expect(StatusCode::OK);
        r.items().to_vec()
    }

    /// The id of the account `username`.
    pub async fn account_id(&self, username: &str) -> i64 {
        self.db
            .store
            .account_for_login(username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {username}"))
            .0
            .id
    }

    /// The stored account `id`.
    pub async fn stored_account(&self, id: i64) -> qiao_domain::Account {
        self.db.store.get_account(id).await.unwrap()
    }

    /// A browser that has not signed in.
    pub fn browser(&self) -> Browser<'_> {
        Browser::new(self)
    }

    /// Creates an account and signs it in through the form; the browser.
    pub async fn user(&self, username: &str, role: Role, org_id: Option<i64>) -> Browser<'_> {
        self.create_account(username, role, org_id).await;
        self.signed_in(username).await
    }

    /// Two enterprises (`甲`, `乙`, verified high-tech) and a member of each, `first` and
    /// `second`, signed in through the form: the start of the page tests of who may see or
    /// change another organisation's listing.
    pub async fn two_members(&self, first: &str, second: &str) -> (Browser<'_>, Browser<'_>) {
        let a = self.certified_org(1, "甲").await;
        let b = self.certified_org(2, "乙").await;
        (
            self.user(first, Role::Member, Some(a)).await,
            self.user(second, Role::Member, Some(b)).await,
        )
    }

    /// A browser signed in through the form as `username` (an account made before).
    pub async fn signed_in(&self, username: &str) -> Browser<'_> {
        let mut b = self.browser();
        b.login(username).await;
        b
    }
}

/// Declares `mod $scenario` with two tests running `async fn $scenario(app: &TestApp)`: one
/// on a fresh SQLite database, one on a PostgreSQL schema of its own when
/// `QIAO_TEST_DATABASE_URL` is set (said and skipped otherwise), so a scenario is held to
/// the same answers on both backends.
macro_rules! on_both_backends {
    ($scenario:ident) => {
        mod $scenario {
            use $crate::common::TestApp;

            #[tokio::test]
            async fn sqlite() {
                super::$scenario(&TestApp::new().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(app) = TestApp::postgres().await else {
                    eprintln!(
                        "QIAO_TEST_DATABASE_URL is not set; {} did not run on PostgreSQL",
                        stringify!($scenario)
                    );
                    return;
                };
                super::$scenario(&app).await;
                app.db.drop_schema().await;
            }
        }
    };
}
pub(crate) use on_both_backends;

/// The elements of a JSON array; panics on anything else.
#[track_caller]
pub fn array(v: &Value) -> &[Value] {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

/// The strings of a JSON array; panics on anything else.
#[track_caller]
pub fn strings(v: &Value) -> Vec<&str> {
    array(v)
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("not a string: {s}")))
        .collect()
}

/// The string `key` of every object of a JSON array; panics where one has none.
#[track_caller]
pub fn strings_of<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    array(v)
        .iter()
        .map(|o| {
            o[key]
                .as_str()
                .unwrap_or_else(|| panic!("no string {key} in {o}"))
        })
        .collect()
}

/// The integer `key` of every object of a JSON array (the ids of a list's items, say);
/// panics where one has none.
#[track_caller]
pub fn ints_of(v: &Value, key: &str) -> Vec<i64> {
    array(v)
        .iter()
        .map(|o| {
            o[key]
                .as_i64()
                .unwrap_or_else(|| panic!("no integer {key} in {o}"))
        })
        .collect()
}

/// `record` without the keys `keys` (a stored record's bookkeeping, before it is sent back
/// with `PUT`).
pub fn without(record: &Value, keys: &[&str]) -> Value {
    let mut v = record.clone();
    if let Some(o) = v.as_object_mut() {
        for k in keys {
            o.remove(*k);
        }
    }
    v
}

/// The password every fixture account has: `{username}-password`.
pub fn password_of(username: &str) -> String {
    format!("{username}-password")
}
