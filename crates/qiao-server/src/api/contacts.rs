//! Contact requests, the gate of tiered disclosure:
//! `POST /api/v1/{kind}s/{id}/contact-requests`, `GET /api/v1/contact-requests`,
//! `GET /api/v1/contact-requests/{id}` and `POST /api/v1/contact-requests/{id}/decision`.
//!
//! The rules live in [`request`] and [`decide`], which the pages call too, so a browser and a
//! script are held to the same checks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use qiao_domain::contact::may_request_contact;
use qiao_domain::{Account, ContactRequest, Decision, Kind, NewContactRequest};
use qiao_store::{ContactFilter, Paged, StoreError};
use serde::Deserialize;

use crate::api::listings;
use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// Asks the owner of listing `id` (of `kind`) for its contact details, as `user`.
pub async fn request(
    state: &AppState,
    user: &Account,
    kind: Kind,
    id: i64,
    mut new: NewContactRequest,
) -> ApiResult<ContactRequest> {
    if !may_request_contact(user) {
        return Err(ApiError::forbidden(
            "only accounts acting for an organisation (or platform staff) request contact details",
        ));
    }
    // A draft the user may not see is a 404, exactly as reading it would be.
    listings::load(state, kind, id, Some(user)).await?;
    new.validate()?;
    Ok(state
        .store
        .acting_as(user.id)
        .create_contact_request(id, user, &new.message)
        .await?)
}

/// Loads a request `user` may read (its two sides and admins); others get a 404, so request ids
/// do not reveal who asked whom.
pub async fn load(state: &AppState, user: &Account, id: i64) -> ApiResult<ContactRequest> {
    match state.store.get_contact_request(id).await {
        Ok(r) if r.may_read(user) => Ok(r),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(ApiError::not_found("contact request", id)),
        Err(e) => Err(e.into()),
    }
}

/// Accepts or declines request `id` as `user`, who must own the listing (or be an admin).
pub async fn decide(
    state: &AppState,
    user: &Account,
    id: i64,
    mut decision: Decision,
) -> ApiResult<ContactRequest> {
    let current = load(state, user, id).await?;
    if !current.may_decide(user) {
        return Err(ApiError::forbidden(
            "only the listing's organisation decides on its contact requests",
        ));
    }
    decision.validate()?;
    Ok(state
        .store
        .acting_as(user.id)
        .decide_contact_request(id, &decision)
        .await?)
}

/// The requests `user` sees in one box: `received` (addressed to their organisation) or `sent`.
pub async fn inbox(
    state: &AppState,
    user: &Account,
    sent: bool,
    page: qiao_store::Page,
) -> ApiResult<Paged<ContactRequest>> {
    let filter = if sent {
        ContactFilter {
            requester_id: Some(user.id),
            ..Default::default()
        }
    } else {
        match user.org_id {
            Some(org) => ContactFilter {
                owner_org_id: Some(org),
                ..Default::default()
            },
            None => {
                return Ok(Paged {
                    items: Vec::new(),
                    total: 0,
                    page: page.number,
                    per_page: page.size,
                });
            }
        }
    };
    Ok(state.store.contact_requests(&filter, page).await?)
}

/// `POST /api/v1/{kind}s/{id}/contact-requests`
pub async fn create(
    kind: Kind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(new): Json<NewContactRequest>,
) -> ApiResult<impl IntoResponse> {
    let created = request(&state, &user, kind, id, new).await?;
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
    Ok(axum::Json(inbox(&state, &user, sent, page).await?))
}

/// `GET /api/v1/contact-requests/{id}`
pub async fn get(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<ContactRequest>> {
    Ok(axum::Json(load(&state, &user, id).await?))
}

/// `POST /api/v1/contact-requests/{id}/decision`
pub async fn decision(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(decision): Json<Decision>,
) -> ApiResult<axum::Json<ContactRequest>> {
    Ok(axum::Json(decide(&state, &user, id, decision).await?))
}
