//! Accounts and API tokens: `POST /api/v1/tokens` (log in, get a token), `GET /api/v1/me`,
//! and account management for admins.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use qiao_domain::{Account, NewAccount, Role};
use qiao_store::Paged;
use serde::{Deserialize, Serialize};

use super::Paging;
use crate::auth::{User, hash_password, new_token, verify_password};
use crate::error::{ApiError, ApiResult, Code};
use crate::json::{Json, Query};
use crate::pages::session::LoginLimiter;
use crate::state::AppState;

/// Credentials exchanged for a token.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// A label for the token (e.g. the script that uses it).
    #[serde(default)]
    pub name: Option<String>,
}

/// A new token, shown only this once.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct NewToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Whose token it is.
    pub account: Account,
}

/// `POST /api/v1/tokens`
///
/// Guessing is limited exactly as on `/login`, by the same [`LoginLimiter`] in the shared
/// state: failures through either path count together, so switching from the form to the API
/// buys an attacker no extra attempts. A locked username gets 429 with `Retry-After`, even
/// with the right password: a lock that a correct guess passed would not stop guessing.
///
/// [`LoginLimiter`]: crate::pages::session::LoginLimiter
pub async fn create_token(
    State(state): State<AppState>,
    Json(login): Json<Login>,
) -> ApiResult<Response> {
    if let Err(wait) = state.logins.check(&login.username) {
        let secs = wait.as_secs().max(1);
        let minutes = secs.div_ceil(60);
        let mut r = ApiError::new(
            Code::TooManyRequests,
            format!(
                "too many failed sign-ins for this username ({} within {} minutes); try again in {minutes} minutes",
                LoginLimiter::MAX_FAILURES,
                LoginLimiter::WINDOW.as_secs() / 60
            ),
        )
        .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return Ok(r);
    }
    let found = state.store.account_for_login(&login.username).await?;
    // Hash even when the user is unknown, so response time does not reveal which names exist.
    let (account, ok) = match found {
        Some((account, hash)) => {
            let ok = verify_password(&login.password, &hash);
            (Some(account), ok)
        }
        None => {
            verify_password(&login.password, crate::auth::DUMMY_HASH.as_str());
            (None, false)
        }
    };
    let (Some(account), true) = (account, ok) else {
        state.logins.failed(&login.username);
        return Err(ApiError::new(
            Code::Unauthenticated,
            "wrong username or password",
        ));
    };
    state.logins.succeeded(&login.username);
    let (token, hash) = new_token();
    state
        .store
        .create_token(account.id, login.name.as_deref().unwrap_or("api"), &hash)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(NewToken { token, account })).into_response())
}

/// `GET /api/v1/me`
pub async fn me(User(user): User) -> axum::Json<Account> {
    axum::Json(user)
}

fn require_admin(user: &Account) -> ApiResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("only admins manage accounts"))
    }
}

/// `GET /api/v1/accounts` (admins)
pub async fn list(
    State(state): State<AppState>,
    User(user): User,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Paged<Account>>> {
    require_admin(&user)?;
    Ok(axum::Json(state.store.list_accounts(paging.page()?).await?))
}

/// `POST /api/v1/accounts` (admins)
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Json(mut new): Json<NewAccount>,
) -> ApiResult<impl IntoResponse> {
    require_admin(&user)?;
    new.validate()?;
    if let Some(org) = new.org_id {
        state.store.get_org(org).await.map_err(|_| {
            ApiError::from(qiao_domain::Invalid::field(
                "org_id",
                format!("organisation {org} does not exist"),
            ))
        })?;
    }
    let account = state
        .store
        .acting_as(user.id)
        .create_account(&new, &hash_password(&new.password))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(account)))
}

/// `GET /api/v1/audit` (admins): every change, who made it and when, newest first.
pub async fn audit(
    State(state): State<AppState>,
    User(user): User,
    Query(paging): Query<Paging>,
) -> ApiResult<axum::Json<Paged<qiao_store::AuditEntry>>> {
    if user.role != Role::Admin {
        return Err(ApiError::forbidden("only admins read the audit log"));
    }
    Ok(axum::Json(state.store.audit_log(paging.page()?).await?))
}
