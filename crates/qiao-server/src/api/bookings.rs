//! Instrument booking over JSON: `/api/v1/instruments/{id}/slots` (the coming open slots;
//! offering one or a weekly series), `/api/v1/slots/{id}/withdraw`, `/api/v1/slots/{id}/bookings`
//! (book), `/api/v1/bookings` (the caller's organisation's own), `/api/v1/bookings/incoming`
//! (those of its instruments), `/api/v1/bookings/{id}` and its steps `confirm`, `decline`,
//! `cancel`.
//!
//! Who may read or act is decided in [`qiao_app::bookings`], which the pages call too: a booking
//! the caller may not read is a 404, so no id reveals whether it exists.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::bookings::{self, BookingView, NewBooking, Offer};
use qiao_domain::booking::{BookingAction, BookingStatus, now_cst};
use qiao_domain::{Invalid, Rule};
use qiao_store::{BookingRecord, Paged, SlotRecord};
use serde::Deserialize;

use super::{DeclineBody, Paging, VersionBody};
use crate::auth::{User, Viewer};
use crate::error::ApiResult;
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// `GET /api/v1/instruments/{id}/slots`: the instrument's coming slots in time order, open ones
/// only (its owner sees the booked ones too, with `booked: true`).
pub async fn list_slots(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Id(id): Id,
    Query(p): Query<Paging>,
) -> ApiResult<axum::Json<Paged<SlotRecord>>> {
    let page = p.page()?;
    Ok(axum::Json(
        bookings::coming_slots(&state.store, viewer.as_ref(), id, now_cst(), page).await?,
    ))
}

/// `POST /api/v1/instruments/{id}/slots`: offers `{"one": {…}}` or `{"weekly": {…}}`; 201 with
/// the slots made. 422 naming the field (`starts_at`, `ends_at`, `weeks`, `slots[i].starts_at`
/// for an overlap); 403 for anyone but the instrument's organisation and admins.
pub async fn offer(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(offer): Json<Offer>,
) -> ApiResult<impl IntoResponse> {
    let slots = bookings::offer(&state.store, &user, id, offer, now_cst()).await?;
    Ok((StatusCode::CREATED, axum::Json(slots)))
}

/// `POST /api/v1/slots/{id}/withdraw`: withdraws a slot nobody holds; 409 when booked.
pub async fn withdraw(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<SlotRecord>> {
    Ok(axum::Json(
        bookings::withdraw(&state.store, &user, id).await?,
    ))
}

/// `POST /api/v1/slots/{id}/bookings`: books the slot for the caller's organisation; 201 with
/// the booking and its `Location`. 409 when the slot is taken or withdrawn; 422 naming
/// `purpose`, `slot_id` (past, own instrument), `voucher_id` or `voucher_amount`.
pub async fn book(
    State(state): State<AppState>,
    User(user): User,
    Id(slot_id): Id,
    Json(new): Json<NewBooking>,
) -> ApiResult<impl IntoResponse> {
    let record = bookings::book(&state.store, &user, slot_id, new, now_cst()).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/bookings/{}", record.id))],
        axum::Json(record),
    ))
}

/// `GET /api/v1/bookings`: the bookings the caller's organisation made, newest first.
pub async fn mine(
    State(state): State<AppState>,
    User(user): User,
    Query(p): Query<Paging>,
) -> ApiResult<axum::Json<Paged<BookingRecord>>> {
    let page = p.page()?;
    Ok(axum::Json(bookings::mine(&state.store, &user, page).await?))
}

/// Paging and a status for the bookings of one's instruments.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingQuery {
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page (at most 200).
    pub per_page: Option<u32>,
    /// Only this status: requested, confirmed, declined, cancelled.
    pub status: Option<String>,
}

/// `GET /api/v1/bookings/incoming`: the bookings of the caller's organisation's instruments.
pub async fn incoming(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<IncomingQuery>,
) -> ApiResult<axum::Json<Paged<BookingRecord>>> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(BookingStatus::parse(s).ok_or_else(|| {
            Invalid::field(
                "status",
                Rule::NotOneOf {
                    found: s.to_string(),
                    allowed: BookingStatus::ALL
                        .iter()
                        .map(|s| s.as_str().to_string())
                        .collect(),
                },
            )
        })?),
    };
    Ok(axum::Json(
        bookings::incoming(&state.store, &user, status, page).await?,
    ))
}

/// `GET /api/v1/bookings/{id}`: one booking with names and what the caller may do; 404 for
/// anyone but the two organisations, staff and admins.
pub async fn get(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<BookingView>> {
    Ok(axum::Json(bookings::view(&state.store, &user, id).await?))
}

async fn act(
    state: &AppState,
    user: &qiao_domain::Account,
    id: i64,
    version: i64,
    action: BookingAction,
) -> ApiResult<axum::Json<BookingRecord>> {
    Ok(axum::Json(
        bookings::act(&state.store, user, id, version, action).await?,
    ))
}

/// `POST /api/v1/bookings/{id}/confirm` (the instrument's organisation): the voucher's
/// reserved amount is spent.
pub async fn confirm(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<VersionBody>,
) -> ApiResult<axum::Json<BookingRecord>> {
    act(&state, &user, id, b.version, BookingAction::Confirm).await
}

/// `POST /api/v1/bookings/{id}/decline` (the instrument's organisation), with a reason: the
/// voucher's reserved amount is released.
pub async fn decline(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<DeclineBody>,
) -> ApiResult<axum::Json<BookingRecord>> {
    let action = BookingAction::Decline { reason: b.reason };
    act(&state, &user, id, b.version, action).await
}

/// `POST /api/v1/bookings/{id}/cancel` (the requesting organisation, before confirmation): the
/// voucher's reserved amount is released.
pub async fn cancel(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<VersionBody>,
) -> ApiResult<axum::Json<BookingRecord>> {
    act(&state, &user, id, b.version, BookingAction::Cancel).await
}
