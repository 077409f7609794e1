//! Who is looking at a page: the session cookie, the CSRF token of every form, the language,
//! and the start of a signed-in session.
//!
//! - A session cookie (`qiao_session`) is a random secret shown once; the store keeps only its
//!   SHA-256, like API tokens. It is `HttpOnly`, `SameSite=Lax`, and `Secure` when the request
//!   came over TLS (directly or through a proxy that says `X-Forwarded-Proto: https`).
//! - CSRF: every POST form carries `_csrf`. Signed in, it must equal the session's own token
//!   (kept server-side); signed out (the sign-in and registration forms), it must equal the
//!   `qiao_csrf` cookie, which [`csrf_cookie`] gives every browser on its first visit. Another
//!   site can make a browser post, but cannot read either value.
//! - Sign-in attempts are counted by [`qiao_app::signin::LoginLimiter`], shared with the API.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use qiao_domain::Account;

use super::{Ctx, Lang, PageError};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::credentials::{random_secret, token_hash};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "qiao_session";
/// The signed-out CSRF cookie's name.
pub const CSRF_COOKIE: &str = "qiao_csrf";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "qiao_lang";
/// How long a session lasts.
pub const SESSION_DAYS: i64 = 7;

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request arrived over TLS.
pub fn is_secure(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value with the attributes every Qiao cookie has.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie values are hex or fixed words")
}

/// The signed-out CSRF token generated for this request, when the browser had none.
#[derive(Debug, Clone)]
struct FreshCsrf(String);

/// Middleware for pages: gives a browser without a `qiao_csrf` cookie one, so the sign-in and
/// registration forms it is about to see can be checked when posted.
pub async fn csrf_cookie(mut req: Request, next: Next) -> Response {
    let fresh = match cookie(req.headers(), CSRF_COOKIE) {
        Some(v) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => None,
        _ => Some(random_secret()),
    };
    let secure = is_secure(req.headers());
    if let Some(token) = &fresh {
        req.extensions_mut().insert(FreshCsrf(token.clone()));
    }
    let mut response = next.run(req).await;
    if let Some(token) = fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, 365 * 86_400, secure),
        );
    }
    response
}

/// The person looking at a page: their account if signed in, the token their forms must carry,
/// and the language they read.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The page context (language, account, CSRF token, path).
    pub ctx: Ctx,
    /// The SHA-256 of the session cookie, when signed in.
    pub session_hash: Option<String>,
    /// Whether the request came over TLS (cookies then get `Secure`).
    pub secure: bool,
}

impl Visitor {
    /// The signed-in account, or a "please sign in" error page.
    pub fn account(&self) -> Result<&Account, PageError> {
        self.ctx.user.as_ref().ok_or_else(|| {
            PageError::from(ApiError::new(
                Code::Unauthenticated,
                self.ctx
                    .l
                    .t("此操作需要登录。", "This needs an account: please sign in."),
            ))
            .in_lang(self.ctx.l)
        })
    }

    /// Refuses a form whose `_csrf` field does not carry this visitor's token.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), PageError> {
        let ok = sent.is_some_and(|s| constant_time_eq(s.as_bytes(), self.ctx.csrf.as_bytes()));
        if ok && !self.ctx.csrf.is_empty() {
            Ok(())
        } else {
            Err(PageError::from(ApiError::forbidden(self.ctx.l.t(
                "表单缺少有效的安全令牌（CSRF），请刷新页面后重试。",
                "The form lacks a valid security token (CSRF); reload the page and try again.",
            )))
            .in_lang(self.ctx.l))
        }
    }

    /// The record a page's `{id}` names, loaded by `load`; an id that is not a number or names
    /// nothing is the "not found" page saying `missing` (Chinese, English).
    pub async fn found<T, F>(
        &self,
        id: &str,
        missing: (&str, &str),
        load: impl FnOnce(i64) -> F,
    ) -> Result<T, PageError>
    where
        F: std::future::Future<Output = qiao_store::Result<T>>,
    {
        let not_found = || {
            self.error(ApiError::new(
                Code::NotFound,
                self.ctx.l.t(missing.0, missing.1),
            ))
        };
        let id: i64 = id.parse().map_err(|_| not_found())?;
        match load(id).await {
            Ok(record) => Ok(record),
            Err(qiao_store::StoreError::NotFound { .. }) => Err(not_found()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// An error page in this visitor's language.
    pub fn error(&self, e: impl Into<PageError>) -> PageError {
        e.into().in_lang(self.ctx.l)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let l = match cookie(&parts.headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        };
        let secure = is_secure(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map_or("/".to_string(), |p| p.as_str().to_string());
        let mut ctx = Ctx {
            l,
            user: None,
            csrf: String::new(),
            path,
            deals_link: false,
            unread: 0,
        };
        let mut session_hash = None;
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let hash = token_hash(token);
            if let Some((account, csrf)) = state
                .store
                .session(&hash)
                .await
                .map_err(|e| PageError::from(e).in_lang(l))?
            {
                ctx.deals_link = offers_deals(state, &account)
                    .await
                    .map_err(|e| PageError::from(e).in_lang(l))?;
                // The header's badge: one count answered by the partial index on unread rows.
                ctx.unread = state
                    .store
                    .unread_count(account.id)
                    .await
                    .map_err(|e| PageError::from(e).in_lang(l))?;
                ctx.user = Some(account);
                ctx.csrf = csrf;
                session_hash = Some(hash);
            }
        }
        if ctx.user.is_none() {
            ctx.csrf = match parts.extensions.get::<FreshCsrf>() {
                Some(FreshCsrf(t)) => t.clone(),
                None => cookie(&parts.headers, CSRF_COOKIE)
                    .unwrap_or_default()
                    .to_string(),
            };
        }
        Ok(Visitor {
            ctx,
            session_hash,
            secure,
        })
    }
}

/// Whether the navigation offers `account` the deals: those who open deals always; a member
/// only when its organisation is a party to one (one indexed count), so that members without
/// deals are not sent to an empty page.
async fn offers_deals(state: &AppState, account: &Account) -> qiao_store::Result<bool> {
    if qiao_app::deals::may_open(account) {
        return Ok(true);
    }
    let Some(org) = account.org_id else {
        return Ok(false);
    };
    let found = state
        .store
        .deals(
            &qiao_store::DealFilter {
                party_org_id: Some(org),
                ..Default::default()
            },
            qiao_store::Page { number: 1, size: 1 },
        )
        .await?;
    Ok(found.total > 0)
}

/// Starts a session for `account`; returns the `Set-Cookie` value to send.
pub async fn sign_in(
    state: &AppState,
    account: &Account,
    secure: bool,
) -> Result<HeaderValue, ApiError> {
    let token = random_secret();
    let csrf = random_secret();
    let expires = chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS);
    state
        .store
        .create_session(account.id, &token_hash(&token), &csrf, expires)
        .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        &token,
        SESSION_DAYS * 86_400,
        secure,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; qiao_lang=en; b=2"),
        );
        assert_eq!(cookie(&h, "qiao_lang"), Some("en"));
        assert_eq!(cookie(&h, "qiao"), None);
    }

    #[test]
    fn secure_cookies_over_tls() {
        assert!(
            set_cookie("x", "y", 1, true)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
        assert!(
            !set_cookie("x", "y", 1, false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }
}
