//! A browser, as the page tests need one: it keeps the cookies it is given (the session, the
//! CSRF cookie, the language), posts forms with the CSRF token of the page they came from, in
//! the order a browser sends their fields, and sends multipart uploads.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::Request;

use super::{StatusCode, TestApp, Value, encode, password_of};

/// A browser: its cookies and the headers it adds to every request.
pub struct Browser<'a> {
    /// The app it talks to.
    pub app: &'a TestApp,
    /// The cookies it holds, by name.
    pub cookies: HashMap<String, String>,
    /// Headers sent with every request (`x-forwarded-proto`, say).
    pub headers: Vec<(&'static str, &'static str)>,
}

/// What a page request answered.
pub struct Page {
    /// The status.
    pub status: StatusCode,
    /// The body as text.
    pub body: String,
    /// The body's bytes (a download).
    pub raw: Vec<u8>,
    /// The `Location` header.
    pub location: Option<String>,
    /// Every `Set-Cookie` header, whole.
    pub set_cookies: Vec<String>,
}

/// One part of a multipart form: a plain field (name, value) or a file of the `files` input
/// (file name, bytes).
pub enum Part<'a> {
    /// A plain field: name, value.
    Field(&'a str, &'a str),
    /// A file of the `files` input: file name, bytes.
    File(&'a str, &'a [u8]),
    /// A file of another input: (input name, file name, bytes).
    FileOf(&'a str, &'a str, &'a [u8]),
}

impl<'a> Browser<'a> {
    /// A browser with no cookies yet.
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: HashMap::new(),
            headers: Vec::new(),
        }
    }

    /// Sends a request, with a url-encoded form as its body if given.
    pub async fn send(&mut self, method: &str, uri: &str, form: Option<String>) -> Page {
        let body = form.map(|f| {
            (
                "application/x-www-form-urlencoded".to_string(),
                f.into_bytes(),
            )
        });
        self.send_body(method, uri, body).await
    }

    /// Sends a request with the browser's cookies and `body` (its content type and bytes), and
    /// keeps the cookies the answer sets (an empty value removes one).
    pub async fn send_body(
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
        let (status, headers, bytes) = self.app.respond(req).await;
        let location = headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> = headers
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
        Page {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            raw: bytes.to_vec(),
            location,
            set_cookies,
        }
    }

    /// Reads an API resource with a new token for `username` (the API takes tokens, not
    /// cookies); asserts it answered 200 and returns the body.
    pub async fn api_get(&self, username: &str, uri: &str) -> String {
        let token = self.app.token_for(username).await;
        let r = self.app.get(uri, Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body.to_string()
    }

    /// Asks the API for a token (`POST /api/v1/tokens`); returns the status and the body.
    pub async fn token(&self, username: &str, password: &str) -> (StatusCode, Value) {
        let r = self.app.sign_in(username, password).await;
        (r.status, r.body)
    }

    /// `GET uri`.
    pub async fn get(&mut self, uri: &str) -> Page {
        self.send("GET", uri, None).await
    }

    /// Posts a form with the CSRF token of the page at `from`, as a browser would.
    pub async fn submit(&mut self, from: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(from).await;
        let token = csrf_of(&page.body);
        let mut pairs = vec![format!("_csrf={}", encode(&token))];
        pairs.extend(
            fields
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v))),
        );
        self.send("POST", action, Some(pairs.join("&"))).await
    }

    /// Posts the form of the page at `path` back to `path` (a page whose form posts to itself:
    /// `/login`, `/post/demand`, an edit page), with the page's CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.submit(path, path, fields).await
    }

    /// Posts exactly `fields` (no CSRF token unless one is among them), as a forged form would.
    pub async fn post_raw(&mut self, action: &str, fields: &[(&str, &str)]) -> Page {
        let pairs: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.send("POST", action, Some(pairs.join("&"))).await
    }

    /// Posts a `multipart/form-data` form, its parts in the order given (as a browser sends a
    /// form's fields in document order).
    pub async fn post_multipart(&mut self, action: &str, parts: &[Part<'_>]) -> Page {
        let body = multipart(parts);
        self.send_body("POST", action, Some(body)).await
    }

    /// Imports `files` through the form on `/documents`, with the token that page carries.
    pub async fn upload(&mut self, files: &[(&str, &[u8])]) -> Page {
        let page = self.get("/documents").await;
        assert!(page.body.contains("id=\"upload-form\""), "no upload form");
        let token = csrf_of(&page.body);
        let mut parts = vec![Part::Field("_csrf", &token)];
        parts.extend(files.iter().map(|(name, bytes)| Part::File(name, bytes)));
        self.post_multipart("/documents", &parts).await
    }

    /// Signs in through the form with `password`; returns the page it got.
    pub async fn login_with(&mut self, username: &str, password: &str) -> Page {
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/workspace"),
            ],
        )
        .await
    }

    /// Signs in through the form with the fixture password; asserts it worked.
    pub async fn login(&mut self, username: &str) {
        let p = self.login_with(username, &password_of(username)).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert!(self.cookies.contains_key("qiao_session"));
    }

    /// The CSRF token of the form on the page at `from`.
    pub async fn csrf(&mut self, from: &str) -> String {
        csrf_of(&self.get(from).await.body)
    }

    /// Registers an organisation and its first account `username` (password
    /// `{username}-password`) through `/register`.
    pub async fn register(
        &mut self,
        name: &str,
        kind: &str,
        credit_code: &str,
        username: &str,
    ) -> Page {
        let password = password_of(username);
        self.post_form(
            "/register",
            &[
                ("name", name),
                ("kind", kind),
                ("credit_code", credit_code),
                ("username", username),
                ("password", &password),
                ("password2", &password),
            ],
        )
        .await
    }

    /// Asks for the contact of the listing whose page is `listing`, through the form on it.
    pub async fn ask_contact(&mut self, listing: &str, message: &str) -> Page {
        self.submit(
            listing,
            &format!("{listing}/contact"),
            &[("message", message)],
        )
        .await
    }

    /// Answers a contact request with the decision form `action` of the workspace page.
    pub async fn decide(&mut self, action: &str, fields: &[(&str, &str)]) -> Page {
        self.submit("/workspace", action, fields).await
    }

    /// Posts a demand through the form; returns its page's path.
    pub async fn post_demand(&mut self, title: &str, description: &str) -> String {
        let p = self
            .post_form(
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
}

/// The content type and body of a multipart form, as a browser encodes it.
fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----QiaoFormBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let (input, file_name, content_type, bytes) = match part {
            Part::Field(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                        .as_bytes(),
                );
                body.extend_from_slice(b"\r\n");
                continue;
            }
            Part::File(file_name, bytes) => ("files", file_name, "text/plain", bytes),
            Part::FileOf(input, file_name, bytes) => {
                (*input, file_name, "application/octet-stream", bytes)
            }
        };
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{input}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The part of `html` from the first `start` (included) to the first `end` after it
/// (excluded); panics naming the marker that is missing.
#[track_caller]
pub fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let rest = &html[at..];
    let len = rest
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start} in {html}"));
    &rest[..len]
}

/// The action of the first decision form of a workspace page (`/requests/{id}/decide`).
#[track_caller]
pub fn decision_action(html: &str) -> String {
    let at = html
        .find("action=\"/requests/")
        .unwrap_or_else(|| panic!("no decision form: {html}"))
        + "action=\"".len();
    let rest = &html[at..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The text of the error shown beside form field `name` (`id="error-{name}"`).
#[track_caller]
pub fn field_error<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("id=\"error-{name}\">");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no error beside `{name}`: {html}"))
        + marker.len();
    let rest = &html[at..];
    &rest[..rest.find("</div>").unwrap()]
}

/// The CSRF token of the (first) form of a page.
#[track_caller]
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("the page has a form with a CSRF token");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The text after the first `marker` in `html`, up to the next `"` or `<` (an attribute's or
/// an element's value): `value_after(page, "name=\"version\" value=\"")`.
#[track_caller]
pub fn value_after(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {html}"))
        + marker.len();
    let rest = &html[at..];
    rest[..rest.find(['"', '<']).unwrap_or(rest.len())].to_string()
}
