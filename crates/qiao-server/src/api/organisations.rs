//! `/api/v1/organisations`: enterprises, universities, institutes, government bodies and
//! service institutions, with their certificates.
//!
//! Anyone may read the public profile. Revenue and R&D expenses are seen only by the
//! organisation's members, commission staff and admins. Admins and commission staff register
//! organisations; members and admins change them; only admins delete them.
//!
//! Certificates written here are claims: the store keeps the verdict of an unchanged claim and
//! makes every other one pending, whatever `verification` the body carries. Staff decide them
//! through [`super::certificates`].

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::disclosure;
use qiao_domain::{Account, OrgKind, Organisation, Role};
use qiao_store::{OrgFilter, OrgRecord, Paged};
use serde::Deserialize;
use serde_json::Value;

use super::{Paging, parse_param};
use crate::auth::{User, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::json::{Id, Json, Query, from_value, merge_patch};
use crate::state::AppState;

/// Filters of the organisation collection.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    // Not `#[serde(flatten)] Paging`: flattening makes query-string numbers arrive as
    // strings, which then fail to parse as integers.
    page: Option<u32>,
    per_page: Option<u32>,
    kind: Option<String>,
    district: Option<String>,
    /// Part of the name.
    q: Option<String>,
}

fn parse_kind(s: &str) -> Option<OrgKind> {
    OrgKind::ALL.into_iter().find(|k| {
        serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(|x| x == s))
            .unwrap_or(false)
            || k.label_zh() == s
    })
}

/// `GET /api/v1/organisations`
pub async fn list(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Paged<OrgRecord>>> {
    let filter = OrgFilter {
        kind: parse_param(
            "kind",
            q.kind.as_deref(),
            parse_kind,
            "enterprise, university, research_institute, government, service_institution",
        )?,
        district: q.district.filter(|s| !s.is_empty()),
        name_contains: q.q.filter(|s| !s.trim().is_empty()),
    };
    let mut paged = state
        .store
        .list_orgs(
            &filter,
            Paging {
                page: q.page,
                per_page: q.per_page,
            }
            .page()?,
        )
        .await?;
    paged.items = paged
        .items
        .into_iter()
        .map(|r| disclosure::organisation(viewer.as_ref(), r))
        .collect();
    Ok(axum::Json(paged))
}

/// `GET /api/v1/organisations/{id}`
pub async fn get(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Id(id): Id,
) -> ApiResult<axum::Json<OrgRecord>> {
    Ok(axum::Json(disclosure::organisation(
        viewer.as_ref(),
        state.store.get_org(id).await?,
    )))
}

fn parse_org(body: Value) -> ApiResult<Organisation> {
    let mut org: Organisation = from_value(body)?;
    org.validate()?;
    Ok(org)
}

/// `POST /api/v1/organisations` (admins and commission staff).
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Json(body): Json<Value>,
) -> ApiResult<impl IntoResponse> {
    if !user.may_register_organisations() {
        return Err(ApiError::forbidden(
            "only admins and commission staff register organisations",
        ));
    }
    let org = parse_org(body)?;
    let record = state.store.acting_as(user.id).create_org(&org).await?;
    let location = format!("/api/v1/organisations/{}", record.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(record),
    ))
}

async fn check_change(state: &AppState, user: &Account, id: i64) -> ApiResult<OrgRecord> {
    let record = state.store.get_org(id).await?;
    if !user.may_change(Some(id)) {
        return Err(ApiError::forbidden(format!(
            "only members of organisation {id} or an admin may change it"
        )));
    }
    Ok(record)
}

/// `PUT /api/v1/organisations/{id}`
pub async fn replace(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<Value>,
) -> ApiResult<axum::Json<OrgRecord>> {
    check_change(&state, &user, id).await?;
    Ok(axum::Json(
        state
            .store
            .acting_as(user.id)
            .update_org(id, &parse_org(body)?)
            .await?,
    ))
}

/// `PATCH /api/v1/organisations/{id}` (JSON merge patch).
pub async fn patch(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(patch): Json<Value>,
) -> ApiResult<axum::Json<OrgRecord>> {
    let current = check_change(&state, &user, id).await?;
    let mut fields = serde_json::to_value(&current.org).expect("organisations serialise");
    merge_patch(&mut fields, &patch);
    Ok(axum::Json(
        state
            .store
            .acting_as(user.id)
            .update_org(id, &parse_org(fields)?)
            .await?,
    ))
}

/// `DELETE /api/v1/organisations/{id}` (admins).
pub async fn delete(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    if user.role != Role::Admin {
        return Err(ApiError::forbidden("only admins delete organisations"));
    }
    state.store.acting_as(user.id).delete_org(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
