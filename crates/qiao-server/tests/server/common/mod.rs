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
pub use browser::{Browser, Part, csrf_of, field_error};
pub use fixtures::*;
pub use qiao_domain::Role;
pub use qiao_store::test_support::TestDb;
pub use serde_json::{Value, json};

/// The application under test: the real router over a store on a database of its own.
pub struct TestApp {
    /// The database (and through it the store), removed when the test ends.
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
}

impl TestApp {
    /// The app on a fresh SQLite database.
    pub async fn new() -> TestApp {
        Self::on(TestDb::sqlite().await).await
    }

    /// The app on `db`.
    pub async fn on(db: TestDb) -> TestApp {
        Self::adjusted(db, |_| {}).await
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

    /// `GET uri`.
    pub async fn get(&self, uri: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, uri, token, None).await
    }

    /// `POST uri` with a JSON body.
    pub async fn post(&self, uri: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, uri, token, Some(body)).await
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
            .create_account(&new, &qiao_server::auth::hash_password(&new.password))
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

    /// A browser that has not signed in.
    pub fn browser(&self) -> Browser<'_> {
        Browser::new(self)
    }
}

/// The password every fixture account has: `{username}-password`.
pub fn password_of(username: &str) -> String {
    format!("{username}-password")
}
