//! `/api/v1/targets`: a region's yearly targets with their progress, and
//! `/api/v1/documents/{id}/targets`: targets made from a work plan's extracted figures.
//!
//! Anyone reads targets; admins and commission staff write them. Each target leaves with its
//! progress: the actual counted from the records where a metric says how (certificates in
//! force in the region on the day of measure), else the actual reported by hand.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_domain::target::Progress;
use qiao_domain::{Account, Target};
use qiao_store::{Paged, TargetFilter, TargetRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Paging;
use crate::auth::{User, Viewer};
use crate::error::ApiResult;
use crate::json::{Id, Json, Query, from_value};
use crate::state::AppState;
use qiao_app::planning::{self, FromDocument};

/// Filters and paging of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// The region as written on the targets (闵行区).
    region: Option<String>,
    /// The year.
    year: Option<i32>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// A target with its progress.
#[derive(Debug, Serialize)]
pub struct TargetView {
    /// The stored target.
    #[serde(flatten)]
    pub record: TargetRecord,
    /// Its actual and how far along it is.
    pub progress: Progress,
}

async fn views(
    state: &AppState,
    viewer: Option<&Account>,
    records: Vec<TargetRecord>,
) -> ApiResult<Vec<TargetView>> {
    let progress = planning::progress(&state.store, &records, qiao_domain::today(), viewer).await?;
    Ok(records
        .into_iter()
        .zip(progress)
        .map(|(record, progress)| TargetView { record, progress })
        .collect())
}

async fn parse_target(state: &AppState, body: Value) -> ApiResult<Target> {
    let mut t: Target = from_value(body)?;
    t.validate()?;
    super::require_document(state, t.document_id).await?;
    Ok(t)
}

/// `GET /api/v1/targets?region=&year=`: the latest year first.
pub async fn list(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Paged<TargetView>>> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let filter = TargetFilter {
        region: q
            .region
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        year: q.year,
    };
    let found = state.store.list_targets(&filter, page).await?;
    Ok(axum::Json(Paged {
        items: views(&state, viewer.as_ref(), found.items).await?,
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

/// `GET /api/v1/targets/{id}`
pub async fn get(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Id(id): Id,
) -> ApiResult<axum::Json<TargetView>> {
    let record = state.store.get_target(id).await?;
    let mut v = views(&state, viewer.as_ref(), vec![record]).await?;
    Ok(axum::Json(v.remove(0)))
}

/// `POST /api/v1/targets` (admins and commission staff): one target entered by hand; 201.
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Json(body): Json<Value>,
) -> ApiResult<impl IntoResponse> {
    super::require_planner(&user)?;
    let t = parse_target(&state, body).await?;
    let mut made = state.store.acting_as(user.id).create_targets(&[t]).await?;
    let record = made.remove(0);
    let location = format!("/api/v1/targets/{}", record.id);
    let mut v = views(&state, Some(&user), vec![record]).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(v.remove(0)),
    ))
}

/// `PUT /api/v1/targets/{id}` (admins and commission staff).
pub async fn replace(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<Value>,
) -> ApiResult<axum::Json<TargetView>> {
    super::require_planner(&user)?;
    let t = parse_target(&state, body).await?;
    let record = state.store.acting_as(user.id).update_target(id, &t).await?;
    let mut v = views(&state, Some(&user), vec![record]).await?;
    Ok(axum::Json(v.remove(0)))
}

/// `DELETE /api/v1/targets/{id}` (admins and commission staff): 204.
pub async fn delete(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    super::require_planner(&user)?;
    state.store.acting_as(user.id).delete_target(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/documents/{id}/targets` (admins and commission staff) with
/// `{"figures": [indices], "region": …, "year": …}` (all optional): the document's target
/// figures become targets, in one transaction; 201 with them.
pub async fn from_document(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<Value>,
) -> ApiResult<impl IntoResponse> {
    super::require_planner(&user)?;
    let choice: FromDocument = from_value(body)?;
    let doc = state.store.get_document(id).await?;
    let targets = planning::targets_from_document(&doc, &choice)?;
    let targets = planning::drop_stored(&state.store, targets).await??;
    let made = state
        .store
        .acting_as(user.id)
        .create_targets(&targets)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(views(&state, Some(&user), made).await?),
    ))
}
