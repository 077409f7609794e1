//! Deals, the technology manager's workbench, over JSON: `/api/v1/deals` (list and open by
//! hand), `/api/v1/deals/from-contact/{id}` and `/api/v1/deals/from-match` (one call fills in
//! what is known), `/api/v1/deals/{id}` (the deal with its history and contracts),
//! `/api/v1/deals/{id}/actions` (stage, status, next step, expectation, managers),
//! `/api/v1/deals/leads`, `/api/v1/deals/unclaimed` with `/api/v1/deals/{id}/claim` (deals an
//! award opened without a manager) and `/api/v1/settings/stage-probabilities`.
//!
//! Who sees and changes what is decided in [`qiao_app::deals`], which the pages call too: a
//! deal the caller may not see is a 404 here as there, and a list only ever holds the deals
//! the caller may see, so no amount leaves the circle of a deal's parties, managers and staff.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::deals::{self, DealView, Lead, NewDeal};
use qiao_domain::{DealAction, DealStage, StageProbabilities, StatusKind, TechField};
use qiao_store::{DealFilter, DealRecord, Paged};
use serde::Deserialize;

use super::{Paging, parse_coded};
use crate::auth::User;
use crate::error::ApiResult;
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// Filters and paging of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only deals this technology manager (account id) brokers.
    manager: Option<i64>,
    /// Only deals of this district.
    district: Option<String>,
    /// Only this technology field (code).
    field: Option<String>,
    /// Only this stage (code).
    stage: Option<String>,
    /// Only this status (code).
    status: Option<String>,
    /// `true`: only deals whose next step is past its due date.
    overdue: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl ListQuery {
    /// The store's filter for what was asked; unknown codes are a 422 naming the parameter,
    /// rather than a filter that silently matches nothing.
    fn filter(&self) -> ApiResult<DealFilter> {
        let stage = parse_coded("stage", self.stage.as_deref(), DealStage::ALL, |s| {
            s.as_str()
        })?;
        let status = parse_coded("status", self.status.as_deref(), StatusKind::ALL, |s| {
            s.as_str()
        })?;
        let field = parse_coded("field", self.field.as_deref(), TechField::ALL, |f| {
            f.as_str()
        })?;
        Ok(DealFilter {
            manager_id: self.manager,
            district: self
                .district
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            field: field.map(|f| f.as_str().to_string()),
            stage: stage.map(|s| s.as_str().to_string()),
            status: status.map(|s| s.as_str().to_string()),
            overdue_on: (self.overdue == Some(true)).then(qiao_domain::today),
            ..DealFilter::default()
        })
    }
}

/// `GET /api/v1/deals`: the deals the caller may see, most recently changed first. A
/// technology manager sees the deals they broker (a `manager` filter cannot widen that), a
/// member its organisation's, staff every deal.
pub async fn list(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Paged<DealRecord>>> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let filter = q.filter()?;
    Ok(axum::Json(
        deals::list(&state.store, &user, filter, page).await?,
    ))
}

/// 201 with the new deal's view and its `Location`.
async fn created(
    state: &AppState,
    user: &qiao_domain::Account,
    record: DealRecord,
) -> ApiResult<impl IntoResponse + use<>> {
    let location = format!("/api/v1/deals/{}", record.id);
    let view = deals::view(&state.store, user, record.id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(view),
    ))
}

/// `POST /api/v1/deals`: a deal opened by hand (technology managers and staff); 201.
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Json(new): Json<NewDeal>,
) -> ApiResult<impl IntoResponse> {
    let record = deals::open(&state.store, &user, new).await?;
    created(&state, &user, record).await
}

/// `POST /api/v1/deals/from-contact/{contact_request_id}`: a deal from an accepted contact
/// request, its listing, seller, buyer and origin filled in; 201. 409 when the request is not
/// accepted or a deal already follows it.
pub async fn from_contact(
    State(state): State<AppState>,
    User(user): User,
    Id(contact_request_id): Id,
) -> ApiResult<impl IntoResponse> {
    let record = deals::open_from_contact(&state.store, &user, contact_request_id).await?;
    created(&state, &user, record).await
}

/// The two listings of a match.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FromMatch {
    /// The listing whose page showed the match.
    pub listing_id: i64,
    /// The listing matched to it.
    pub matched_listing_id: i64,
}

/// `POST /api/v1/deals/from-match`: a deal from a match between two listings; 201.
pub async fn from_match(
    State(state): State<AppState>,
    User(user): User,
    Json(m): Json<FromMatch>,
) -> ApiResult<impl IntoResponse> {
    let record =
        deals::open_from_match(&state.store, &user, m.listing_id, m.matched_listing_id).await?;
    created(&state, &user, record).await
}

/// `GET /api/v1/deals/{id}`: the deal, its history, its contracts and whether the caller may
/// change it; 404 for a deal the caller may not see.
pub async fn get(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<DealView>> {
    Ok(axum::Json(deals::view(&state.store, &user, id).await?))
}

/// A change to a deal, made from the version the caller read.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// The deal's `version` as read; a deal changed since is a 409 and stays as it is.
    pub version: i64,
    /// What to do.
    pub action: DealAction,
    /// A note the history keeps with the change.
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/v1/deals/{id}/actions`: applies one action (the deal's managers and staff);
/// 200 with the deal's view. 409 for a stale `version` or a step the stage or status does not
/// allow, 422 for an action's bad data.
pub async fn act(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<ActionBody>,
) -> ApiResult<axum::Json<DealView>> {
    deals::act(
        &state.store,
        &user,
        id,
        body.version,
        body.action,
        body.note,
    )
    .await?;
    Ok(axum::Json(deals::view(&state.store, &user, id).await?))
}

/// `GET /api/v1/deals/leads`: accepted contact requests no deal follows yet, newest first
/// (technology managers and staff).
pub async fn leads(
    State(state): State<AppState>,
    User(user): User,
) -> ApiResult<axum::Json<Vec<Lead>>> {
    Ok(axum::Json(deals::leads(&state.store, &user).await?))
}

/// `GET /api/v1/deals/unclaimed`: open or paused deals no technology manager brokers yet
/// (an award opens one), the most recently changed first (technology managers and staff).
pub async fn unclaimed(
    State(state): State<AppState>,
    User(user): User,
) -> ApiResult<axum::Json<Vec<DealRecord>>> {
    Ok(axum::Json(deals::unclaimed(&state.store, &user).await?))
}

/// The version of a deal as read.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    /// The deal's `version` as read; a deal changed since is a 409.
    pub version: i64,
}

/// `POST /api/v1/deals/{id}/claim`: a technology manager takes on a deal without a manager,
/// with the whole credit; 200 with the deal's view. 409 when it changed since it was read, or
/// (a deal the caller may read) has a manager already or has ended; 404 for any other deal.
pub async fn claim(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<ClaimBody>,
) -> ApiResult<axum::Json<DealView>> {
    deals::claim(&state.store, &user, id, body.version).await?;
    Ok(axum::Json(deals::view(&state.store, &user, id).await?))
}

/// `GET /api/v1/settings/stage-probabilities`: the chance per stage the forecast uses. Any
/// signed-in account may read them: they are settings, not figures of any deal.
pub async fn probabilities(
    State(state): State<AppState>,
    User(_): User,
) -> ApiResult<axum::Json<StageProbabilities>> {
    Ok(axum::Json(state.store.stage_probabilities().await?))
}

/// `PUT /api/v1/settings/stage-probabilities` (staff and admins): all eight, in basis points,
/// none below an earlier stage's; 200 with what is stored.
pub async fn set_probabilities(
    State(state): State<AppState>,
    User(user): User,
    Json(probabilities): Json<StageProbabilities>,
) -> ApiResult<axum::Json<StageProbabilities>> {
    deals::set_probabilities(&state.store, &user, &probabilities).await?;
    Ok(axum::Json(state.store.stage_probabilities().await?))
}
