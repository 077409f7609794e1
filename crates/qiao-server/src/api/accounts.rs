//! Accounts and API tokens: `POST /api/v1/tokens` (log in, get a token), `GET /api/v1/me`,
//! and account management for admins (`GET`/`POST /api/v1/accounts`, and
//! `PATCH /api/v1/accounts/{id}` to disable, re-enable or reset the password of an account).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use qiao_domain::{Account, AccountChange, NewAccount, Role};
use qiao_store::Paged;

use super::Paging;
use crate::auth::User;
use crate::download::xlsx_download;
use crate::error::{ApiError, ApiResult, Code};
use crate::json::{Id, Json, Query};
use crate::state::AppState;
use qiao_app::account_admin::apply_change;
use qiao_app::audit_log::{AuditQuery, workbook};
use qiao_app::credentials::{Login, NewToken, hash_password_queued, new_token};
use qiao_app::lang::Lang;
use qiao_app::signin::{LoginLimiter, Refusal, authenticate};

/// The longest a token may be asked to work.
const MAX_TOKEN_DAYS: i64 = 365;

/// `POST /api/v1/tokens`
///
/// Guessing is limited exactly as on `/login`, by the same [`LoginLimiter`] in the shared
/// state: failures through either path count together, so switching from the form to the API
/// buys an attacker no extra attempts. A locked username gets 429 with `Retry-After`, even
/// with the right password: a lock that a correct guess passed would not stop guessing.
///
/// A disabled account is refused with the same "wrong username or password" as a wrong
/// password (the store does not find it for signing in), not with "account disabled". The
/// person who left knows why they cannot sign in, and an admin can tell them; a distinct
/// answer would instead tell whoever tries a leaked or guessed password that it is right, and
/// that the name is a real account, which they could then try elsewhere.
///
/// [`LoginLimiter`]: qiao_app::signin::LoginLimiter
pub async fn create_token(
    State(state): State<AppState>,
    Json(login): Json<Login>,
) -> ApiResult<Response> {
    let days = login.expires_in_days.unwrap_or(qiao_store::TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(qiao_domain::Invalid::field(
            "expires_in_days",
            qiao_domain::Rule::OutOfRange {
                min: 1,
                max: MAX_TOKEN_DAYS,
                found: days as f64,
            },
        )
        .into());
    }
    let account = match authenticate(
        state.store.as_ref(),
        &state.logins,
        &login.username,
        &login.password,
    )
    .await?
    {
        Ok(account) => account,
        Err(Refusal::Locked(wait)) => {
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
        Err(Refusal::Wrong) => {
            return Err(ApiError::new(
                Code::Unauthenticated,
                "wrong username or password",
            ));
        }
    };
    let (token, hash) = new_token();
    let expires_at = chrono::Utc::now() + chrono::Duration::days(days);
    let id = state
        .store
        .create_token_until(
            account.id,
            login.name.as_deref().unwrap_or("api"),
            &hash,
            expires_at,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(NewToken {
            token,
            account,
            id,
            expires_at,
        }),
    )
        .into_response())
}

/// `GET /api/v1/tokens`: the caller's own API tokens, newest first (never the tokens
/// themselves: only their labels and dates).
pub async fn list_tokens(
    State(state): State<AppState>,
    User(user): User,
) -> ApiResult<axum::Json<Vec<qiao_store::TokenInfo>>> {
    Ok(axum::Json(state.store.tokens_of(user.id).await?))
}

/// `DELETE /api/v1/tokens/{id}`: revokes one of the caller's tokens (204); another's is a
/// 404, like a token that does not exist.
pub async fn revoke_token(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state.store.revoke_token(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
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
                qiao_domain::Rule::NotFound {
                    record: qiao_domain::Record::Organisation,
                    id: org,
                },
            ))
        })?;
    }
    let account = state
        .store
        .acting_as(user.id)
        .create_account(&new, &hash_password_queued(&new.password).await)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(account)))
}

/// `PATCH /api/v1/accounts/{id}` (admins): disable or re-enable an account, or reset its
/// password. An admin cannot disable their own account (422, field `disabled`).
pub async fn update(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(change): Json<AccountChange>,
) -> ApiResult<axum::Json<Account>> {
    require_admin(&user)?;
    change.validate(user.id, id)?;
    Ok(axum::Json(
        apply_change(&state.store, &user, id, &change).await?,
    ))
}

/// `GET /api/v1/audit` (admins): the changes the filters admit (`actor`, `entity`,
/// `entity_id`, `from`, `to`; see [`AuditQuery`]), who made them, when and the fields they
/// changed, newest first; `format=xlsx` gives them as a workbook, one row per changed field.
pub async fn audit(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    if user.role != Role::Admin {
        return Err(ApiError::forbidden("only admins read the audit log"));
    }
    let filter = q.filter()?;
    match q.format.as_deref().map(str::trim) {
        None | Some("" | "json") => {
            let page = Paging {
                page: q.page,
                per_page: q.per_page,
            }
            .page()?;
            Ok(axum::Json(state.store.audit_log(&filter, page).await?).into_response())
        }
        Some("xlsx") => Ok(xlsx_download(
            workbook(state.store.as_ref(), &filter, Lang::Zh).await?,
            "audit.xlsx",
        )),
        Some(other) => Err(qiao_domain::Invalid::field(
            "format",
            qiao_domain::Rule::NotOneOf {
                found: other.to_string(),
                allowed: vec!["json".into(), "xlsx".into()],
            },
        )
        .into()),
    }
}
