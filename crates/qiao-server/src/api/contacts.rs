//! Contact requests, the gate of tiered disclosure:
//! `POST /api/v1/{kind}s/{id}/contact-requests`, `GET /api/v1/contact-requests`,
//! `GET /api/v1/contact-requests/{id}` and `POST /api/v1/contact-requests/{id}/decision`.
//!
//! The rules live in [`qiao_app::contact_requests`], which the pages call too, so a browser
//! and a script are held to the same checks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use qiao_app::contact_requests::{decide, inbox, load, request};
use qiao_domain::{ContactRequest, Decision, Kind, NewContactRequest};
use qiao_store::Paged;
use serde::Deserialize;

use crate::auth::User;
use crate::error::ApiResult;
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// `POST /api/v1/{kind}s/{id}/contact-requests`
pub async fn create(
    kind: Kind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(new): Json<NewContactRequest>,
) -> ApiResult<impl IntoResponse> {
    let created = request(&state.store, &user, kind, id, new).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Which box to list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxQuery {
    /// `received` (default) or `sent`.
    #[serde(rename = "box")]
    which: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /api/v1/contact-requests?box=received|sent`
pub async fn list(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<BoxQuery>,
) -> ApiResult<axum::Json<Paged<ContactRequest>>> {
    let page = super::Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let sent = match q.which.as_deref().unwrap_or("received") {
        "received" => false,
        "sent" => true,
        other => {
            return Err(qiao_domain::Invalid::field(
                "box",
                qiao_domain::Rule::NotOneOf {
                    found: other.to_string(),
                    allowed: vec!["received".into(), "sent".into()],
                },
            )
            .into());
        }
    };
    Ok(axum::Json(inbox(&state.store, &user, sent, page).await?))
}

/// `GET /api/v1/contact-requests/{id}`
pub async fn get(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<ContactRequest>> {
    Ok(axum::Json(load(&state.store, &user, id).await?))
}

/// `POST /api/v1/contact-requests/{id}/decision`
pub async fn decision(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(decision): Json<Decision>,
) -> ApiResult<axum::Json<ContactRequest>> {
    Ok(axum::Json(decide(&state.store, &user, id, decision).await?))
}
