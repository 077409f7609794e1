//! Who is calling: the extractors API handlers use to read a bearer token.
//!
//! A token is looked up by its SHA-256 ([`qiao_app::credentials::token_hash`]): the store
//! keeps only that, so a leaked database does not leak working tokens.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use qiao_app::credentials::token_hash;
use qiao_domain::Account;

use crate::error::ApiError;
use crate::state::AppState;

/// The caller, if authenticated. Anonymous callers get `Viewer(None)`; a malformed or unknown
/// token is an error rather than silently anonymous, so a client learns its token is wrong.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<Account>);

/// The caller, who must be authenticated.
#[derive(Debug, Clone)]
pub struct User(pub Account);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return Ok(Viewer(None));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::new(
                    crate::error::Code::Unauthenticated,
                    "the Authorization header must be `Bearer <token>`",
                )
            })?;
        match state.store.account_for_token(&token_hash(token)).await? {
            Some(account) => Ok(Viewer(Some(account))),
            None => Err(ApiError::new(
                crate::error::Code::Unauthenticated,
                "the token is unknown or revoked; create a new one with POST /api/v1/tokens",
            )),
        }
    }
}

impl FromRequestParts<AppState> for User {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Viewer::from_request_parts(parts, state).await? {
            Viewer(Some(a)) => Ok(User(a)),
            Viewer(None) => Err(ApiError::unauthenticated()),
        }
    }
}
