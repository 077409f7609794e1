//! Notifications (issue #26): `GET /api/v1/notifications` (the inbox with its unread count),
//! `POST /api/v1/notifications/{id}/read`, `POST /api/v1/notifications/read-all`,
//! `GET|PUT /api/v1/notifications/preferences`, `GET|PUT|DELETE /api/v1/challenges/{id}/follow`
//! and `PUT /api/v1/me/contact` (the account's e-mail and telephone).
//!
//! Every route acts on the caller's own notifications only; the rules are
//! [`qiao_app::notifications`]'s, which the pages call too.

use axum::extract::State;
use qiao_app::notifications::{self, Inbox, InboxItem};
use qiao_domain::notification::{MAX_PAGE, Preference};
use qiao_domain::{Account, AccountContact};
use serde::{Deserialize, Serialize};

use crate::auth::User;
use crate::error::ApiResult;
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// `?before=ID&limit=N` of the inbox.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Only notifications older than this id (the `next_before` of the previous page).
    before: Option<i64>,
    /// How many (1-50, default 20).
    limit: Option<u32>,
}

/// `GET /api/v1/notifications`
pub async fn list(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<Inbox>> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(qiao_domain::Invalid::field(
            "limit",
            qiao_domain::Rule::OutOfRange {
                min: 1,
                max: i64::from(MAX_PAGE),
                found: f64::from(limit),
            },
        )
        .into());
    }
    Ok(axum::Json(
        notifications::inbox(&state.store, &user, q.before, limit).await?,
    ))
}

/// `POST /api/v1/notifications/{id}/read`
pub async fn read(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<InboxItem>> {
    Ok(axum::Json(
        notifications::mark_read(&state.store, &user, id).await?,
    ))
}

/// How many notifications a "mark all read" marked.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Marked {
    /// How many were unread.
    pub marked: u64,
}

/// `POST /api/v1/notifications/read-all`
pub async fn read_all(
    State(state): State<AppState>,
    User(user): User,
) -> ApiResult<axum::Json<Marked>> {
    Ok(axum::Json(Marked {
        marked: notifications::mark_all_read(&state.store, &user).await?,
    }))
}

/// `GET /api/v1/notifications/preferences`
pub async fn preferences(
    State(state): State<AppState>,
    User(user): User,
) -> ApiResult<axum::Json<Vec<Preference>>> {
    Ok(axum::Json(
        notifications::preferences(&state.store, &user).await?,
    ))
}

/// `PUT /api/v1/notifications/preferences`: the kinds named change, the others keep theirs.
pub async fn set_preferences(
    State(state): State<AppState>,
    User(user): User,
    Json(prefs): Json<Vec<Preference>>,
) -> ApiResult<axum::Json<Vec<Preference>>> {
    Ok(axum::Json(
        notifications::set_preferences(&state.store, &user, &prefs).await?,
    ))
}

/// Whether the caller follows a challenge.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Following {
    /// Whether they follow it.
    pub following: bool,
}

/// `GET /api/v1/challenges/{id}/follow`
pub async fn following(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<Following>> {
    qiao_app::disclosure::load(&state.store, qiao_domain::Kind::Challenge, id, Some(&user)).await?;
    Ok(axum::Json(Following {
        following: state.store.follows_challenge(user.id, id).await?,
    }))
}

/// `PUT /api/v1/challenges/{id}/follow`
pub async fn follow(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<Following>> {
    Ok(axum::Json(Following {
        following: notifications::set_following(&state.store, &user, id, true).await?,
    }))
}

/// `DELETE /api/v1/challenges/{id}/follow`
pub async fn unfollow(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<Following>> {
    Ok(axum::Json(Following {
        following: notifications::set_following(&state.store, &user, id, false).await?,
    }))
}

/// `PUT /api/v1/me/contact`
pub async fn set_contact(
    State(state): State<AppState>,
    User(user): User,
    Json(contact): Json<AccountContact>,
) -> ApiResult<axum::Json<Account>> {
    Ok(axum::Json(
        qiao_app::account_contact::set(&state.store, &user, contact).await?,
    ))
}
