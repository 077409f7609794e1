//! 揭榜 over JSON: `/api/v1/listings/{id}/applications` (apply; the challenge's applications for
//! its reviewers), `/api/v1/listings/{id}/applications/conclude` (close the review),
//! `/api/v1/listings/{id}/applications/reopen` (a new round),
//! `/api/v1/applications` (the caller's organisation's own), `/api/v1/applications/{id}` (one,
//! with its history) and one route per review step: `score`, `shortlist`, `decline`, `award`,
//! `withdraw`.
//!
//! Who may read or act is decided in [`qiao_app::applications`], which the pages call too: an
//! application the caller may not read is a 404, so no id reveals whether it exists.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use qiao_app::applications::{self, Acted, ApplicationView, Review};
use qiao_domain::{ApplicationAction, Proposal, Score};
use qiao_store::{ApplicationRecord, ListingRecord, Paged};
use serde::Deserialize;

use super::{DeclineBody, Paging, VersionBody};
use crate::auth::User;
use crate::error::ApiResult;
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// `POST /api/v1/listings/{id}/applications`: applies to an open challenge for the caller's
/// organisation, inside its window; 201 with the application and its `Location`. 422 naming
/// `apply_from` or `apply_until` outside the window, `status` for a challenge not open,
/// `applicant_org_id` for the challenge's own organisation; 409 while an earlier application
/// of the organisation is pending or awarded.
pub async fn apply(
    State(state): State<AppState>,
    User(user): User,
    Id(listing_id): Id,
    Json(proposal): Json<Proposal>,
) -> ApiResult<impl IntoResponse> {
    let record =
        applications::apply(&state.store, &user, listing_id, proposal, state.today()).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/applications/{}", record.id),
        )],
        axum::Json(record),
    ))
}

/// `GET /api/v1/listings/{id}/applications`: the challenge, its criteria and its applications
/// (its owner's members, admins, and staff for a government's challenge); 403 for anyone else.
pub async fn for_challenge(
    State(state): State<AppState>,
    User(user): User,
    Id(listing_id): Id,
) -> ApiResult<axum::Json<Review>> {
    Ok(axum::Json(
        applications::review(&state.store, &user, listing_id).await?,
    ))
}

/// Closing a review.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcludeBody {
    /// Why the applications still pending were not chosen (shown to each applicant).
    pub reason: String,
}

/// `POST /api/v1/listings/{id}/applications/conclude`: every pending application becomes not
/// chosen with the reason; the challenge becomes awarded (if one was) or closed. 200 with the
/// applications changed.
pub async fn conclude(
    State(state): State<AppState>,
    User(user): User,
    Id(listing_id): Id,
    Json(body): Json<ConcludeBody>,
) -> ApiResult<axum::Json<Vec<ApplicationRecord>>> {
    Ok(axum::Json(
        applications::conclude(&state.store, &user, listing_id, body.reason).await?,
    ))
}

/// Reopening a review for a new round.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    /// The new window's last day (`YYYY-MM-DD`, today or later); it opens today.
    pub apply_until: NaiveDate,
    /// A new due date for the deliverables, on or after `apply_until` (the old one stays if
    /// omitted).
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
}

/// `POST /api/v1/listings/{id}/applications/reopen`: the challenge open again for a new round,
/// taking applications from today until `apply_until`; organisations declined or not chosen
/// may apply again and are told so. 200 with the challenge record. 422 naming `status` (not
/// under review, awarded or closed), `apply_until` (before today) or `deadline`.
pub async fn reopen(
    State(state): State<AppState>,
    User(user): User,
    Id(listing_id): Id,
    Json(body): Json<ReopenBody>,
) -> ApiResult<axum::Json<ListingRecord>> {
    Ok(axum::Json(
        applications::reopen(
            &state.store,
            &user,
            listing_id,
            body.apply_until,
            body.deadline,
            state.today(),
        )
        .await?,
    ))
}

/// `GET /api/v1/applications`: the applications of the caller's organisation, newest first.
pub async fn mine(
    State(state): State<AppState>,
    User(user): User,
    Query(p): Query<Paging>,
) -> ApiResult<axum::Json<Paged<ApplicationRecord>>> {
    let page = p.page()?;
    Ok(axum::Json(
        applications::mine(&state.store, &user, page).await?,
    ))
}

/// `GET /api/v1/applications/{id}`: the application, its history, the challenge's criteria
/// and what the caller may do; 404 for anyone but the applicant, the owner and staff.
pub async fn get(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<ApplicationView>> {
    Ok(axum::Json(
        applications::view(&state.store, &user, id).await?,
    ))
}

/// Scores for every criterion.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    /// The application's `version` as read.
    pub version: i64,
    /// One score (0–10, with a comment) per criterion of the challenge.
    pub scores: Vec<Score>,
    /// An overall comment.
    #[serde(default)]
    pub comment: Option<String>,
}

async fn act(
    state: &AppState,
    user: &qiao_domain::Account,
    id: i64,
    version: i64,
    action: ApplicationAction,
) -> ApiResult<axum::Json<Acted>> {
    Ok(axum::Json(
        applications::act(&state.store, user, id, version, action).await?,
    ))
}

/// `POST /api/v1/applications/{id}/score` (reviewers).
pub async fn score(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<ScoreBody>,
) -> ApiResult<axum::Json<Acted>> {
    let action = ApplicationAction::Score {
        scores: b.scores,
        comment: b.comment,
    };
    act(&state, &user, id, b.version, action).await
}

/// `POST /api/v1/applications/{id}/shortlist` (reviewers).
pub async fn shortlist(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<VersionBody>,
) -> ApiResult<axum::Json<Acted>> {
    act(&state, &user, id, b.version, ApplicationAction::Shortlist).await
}

/// `POST /api/v1/applications/{id}/decline` (reviewers).
pub async fn decline(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<DeclineBody>,
) -> ApiResult<axum::Json<Acted>> {
    let action = ApplicationAction::Decline { reason: b.reason };
    act(&state, &user, id, b.version, action).await
}

/// `POST /api/v1/applications/{id}/award` (reviewers): the application is awarded and a deal
/// opens with both parties and the challenge; 200 with both.
pub async fn award(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<VersionBody>,
) -> ApiResult<axum::Json<Acted>> {
    act(&state, &user, id, b.version, ApplicationAction::Award).await
}

/// `POST /api/v1/applications/{id}/withdraw` (the applicant).
pub async fn withdraw(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(b): Json<VersionBody>,
) -> ApiResult<axum::Json<Acted>> {
    act(&state, &user, id, b.version, ApplicationAction::Withdraw).await
}
