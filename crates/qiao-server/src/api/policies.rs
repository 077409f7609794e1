//! `/api/v1/policies`: enterprise-support policies with structured eligibility, and
//! `/api/v1/organisations/{id}/policies`: which policies an organisation qualifies for.
//!
//! Anyone reads policies. Admins and commission staff write them and see which enterprises a
//! policy reaches (the verdicts rest on private figures). An organisation's own check is
//! computed on what the caller may see of it: its members, staff and admins get every verdict;
//! others get "unknown" where the data is private.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use qiao_domain::{Eligibility, Outcome, Policy};
use qiao_store::{OrgRecord, Paged, PolicyRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Paging, parse_param};
use crate::auth::{User, Viewer};
use crate::error::ApiResult;
use crate::json::{Id, Json, Query, from_value};
use crate::state::AppState;
use qiao_app::planning;

/// `?on=` of the checks.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    /// The day to check on (YYYY-MM-DD); today (China time) when absent.
    on: Option<String>,
}

/// Filters and paging of a policy's reach.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachQuery {
    on: Option<String>,
    /// `pass`, `unknown` or `fail`.
    outcome: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// A policy held against one organisation.
#[derive(Debug, Serialize)]
pub struct PolicyCheck {
    /// The policy.
    pub policy: PolicyRecord,
    /// Its verdict and every condition.
    pub eligibility: Eligibility,
}

/// An enterprise a policy reaches (or not), with the verdict.
#[derive(Debug, Serialize)]
pub struct Reached {
    /// The enterprise's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its district.
    pub district: Option<String>,
    /// The verdict and every condition.
    pub eligibility: Eligibility,
}

/// A page of a policy's reach, with the count of each outcome over all enterprises.
#[derive(Debug, Serialize)]
pub struct Reach {
    /// The day checked.
    pub on: NaiveDate,
    /// Enterprises that qualify, that may (data missing) and that do not.
    pub counts: Counts,
    /// This page of enterprises.
    #[serde(flatten)]
    pub page: Paged<Reached>,
}

/// How many enterprises had each outcome.
#[derive(Debug, Serialize)]
pub struct Counts {
    /// Qualify.
    pub pass: usize,
    /// Data missing for some condition, none failed.
    pub unknown: usize,
    /// Some condition failed.
    pub fail: usize,
}

/// The day named by `?on=`, or today.
pub fn check_day(raw: Option<&str>) -> ApiResult<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(qiao_domain::today()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            qiao_domain::Invalid::field(
                "on",
                qiao_domain::Rule::BadFormat {
                    found: s.to_string(),
                    format: qiao_domain::Format::Date,
                },
            )
            .into()
        }),
    }
}

/// Parses and validates a policy body; a `document_id` must name a stored document.
pub async fn parse_policy(state: &AppState, body: Value) -> ApiResult<Policy> {
    let mut p: Policy = from_value(body)?;
    p.validate()?;
    super::require_document(state, p.document_id).await?;
    Ok(p)
}

/// `GET /api/v1/policies`: newest first.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<Paging>,
) -> ApiResult<axum::Json<Paged<PolicyRecord>>> {
    Ok(axum::Json(state.store.list_policies(q.page()?).await?))
}

/// `GET /api/v1/policies/{id}`
pub async fn get(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<PolicyRecord>> {
    Ok(axum::Json(state.store.get_policy(id).await?))
}

/// `POST /api/v1/policies` (admins and commission staff): 201 with `Location`.
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Json(body): Json<Value>,
) -> ApiResult<impl IntoResponse> {
    super::require_planner(&user)?;
    let p = parse_policy(&state, body).await?;
    let record = state.store.acting_as(user.id).create_policy(&p).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/policies/{}", record.id))],
        axum::Json(record),
    ))
}

/// `PUT /api/v1/policies/{id}` (admins and commission staff).
pub async fn replace(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<Value>,
) -> ApiResult<axum::Json<PolicyRecord>> {
    super::require_planner(&user)?;
    let p = parse_policy(&state, body).await?;
    Ok(axum::Json(
        state.store.acting_as(user.id).update_policy(id, &p).await?,
    ))
}

/// `DELETE /api/v1/policies/{id}` (admins and commission staff): 204.
pub async fn delete(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    super::require_planner(&user)?;
    state.store.acting_as(user.id).delete_policy(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/policies/{id}/enterprises?outcome=&on=` (admins and commission staff): every
/// enterprise held against the policy, qualifying first.
pub async fn enterprises(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Query(q): Query<ReachQuery>,
) -> ApiResult<axum::Json<Reach>> {
    super::require_planner(&user)?;
    let on = check_day(q.on.as_deref())?;
    let only = parse_param(
        "outcome",
        q.outcome.as_deref(),
        Outcome::parse,
        "pass, unknown, fail",
    )?;
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let policy = state.store.get_policy(id).await?;
    let all = planning::reach(&state.store, &policy, on).await?;
    let [pass, unknown, fail] = planning::tally(&all);
    let chosen: Vec<_> = all
        .into_iter()
        .filter(|(_, e)| only.is_none_or(|o| e.outcome == o))
        .collect();
    let total = chosen.len() as i64;
    let items = chosen
        .into_iter()
        .skip(super::skipped(page))
        .take(page.size as usize)
        .map(|(o, eligibility): (OrgRecord, Eligibility)| Reached {
            id: o.id,
            name: o.org.name,
            district: o.org.district,
            eligibility,
        })
        .collect();
    Ok(axum::Json(Reach {
        on,
        counts: Counts {
            pass,
            unknown,
            fail,
        },
        page: Paged {
            items,
            total,
            page: page.number,
            per_page: page.size,
        },
    }))
}

/// `GET /api/v1/organisations/{id}/policies?on=`: every policy held against the organisation
/// as the caller may see it, qualifying first.
pub async fn for_organisation(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Id(id): Id,
    Query(q): Query<CheckQuery>,
) -> ApiResult<axum::Json<Vec<PolicyCheck>>> {
    let on = check_day(q.on.as_deref())?;
    let org = state.store.get_org(id).await?;
    let checks = planning::policies_for(&state.store, viewer.as_ref(), org, on).await?;
    Ok(axum::Json(
        checks
            .into_iter()
            .map(|(policy, eligibility)| PolicyCheck {
                policy,
                eligibility,
            })
            .collect(),
    ))
}
