//! Technology contracts (技术合同) and their registration (认定登记) over JSON:
//! `/api/v1/contracts` (list, record a draft), `/api/v1/contracts/{id}` (read with the
//! pre-check, replace the terms), `/api/v1/contracts/{id}/registration` (submit, withdraw,
//! and the registration point's steps) and `/api/v1/contracts/precheck` (the pre-check of a
//! contract that is not stored).
//!
//! Who may do what lives in [`qiao_app::contracts`], shared with the pages: a contract the
//! caller may not read is a 404, a list holds only the contracts the caller may read, and
//! the state machine's refusals are 409s that say which step the state allows.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::contracts::{self, ContractView};
use qiao_domain::precheck::submittable;
use qiao_domain::{
    Contract, ContractKind, Finding, RegistrationAction, RegistrationState, TechField,
};
use qiao_store::{ContractFilter, ContractRecord, Paged};
use serde::{Deserialize, Serialize};

use super::{Paging, parse_coded};
use crate::auth::User;
use crate::error::ApiResult;
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// Filters and paging of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this registration state (code).
    state: Option<String>,
    /// Only contracts registered in this year.
    year: Option<i32>,
    /// Only this contract type (code).
    kind: Option<String>,
    /// Only this technology field (code).
    field: Option<String>,
    /// Only contracts with a party in this district.
    district: Option<String>,
    /// Only contracts recorded from this deal.
    deal: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl ListQuery {
    /// The store's filter for what was asked; an unknown code is a 422 naming the parameter.
    fn filter(&self) -> ApiResult<ContractFilter> {
        let state = parse_coded(
            "state",
            self.state.as_deref(),
            RegistrationState::ALL,
            |s| s.as_str(),
        )?;
        let kind = parse_coded("kind", self.kind.as_deref(), ContractKind::ALL, |k| {
            k.as_str()
        })?;
        let field = parse_coded("field", self.field.as_deref(), TechField::ALL, |f| {
            f.as_str()
        })?;
        Ok(ContractFilter {
            state: state.map(|s| s.as_str().to_string()),
            registered_year: self.year,
            kind: kind.map(|k| k.as_str().to_string()),
            field: field.map(|f| f.as_str().to_string()),
            district: self
                .district
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            deal_id: self.deal,
            ..ContractFilter::default()
        })
    }
}

/// `GET /api/v1/contracts`: the contracts the caller may read, newest first: staff every
/// contract, a technology manager those of the deals they broker, a member its
/// organisation's.
pub async fn list(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Paged<ContractRecord>>> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let filter = q.filter()?;
    Ok(axum::Json(
        contracts::list(&state.store, &user, filter, page).await?,
    ))
}

/// `POST /api/v1/contracts`: records a contract as a draft (a member of one of its parties,
/// the technology manager of its deal, staff); 201 with its view, pre-check included.
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Json(contract): Json<Contract>,
) -> ApiResult<impl IntoResponse> {
    let record = contracts::record(&state.store, &user, contract).await?;
    let location = format!("/api/v1/contracts/{}", record.id);
    let view = contracts::view(&state.store, &user, record.id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(view),
    ))
}

/// `GET /api/v1/contracts/{id}`: the contract, its registration history, the pre-check's
/// findings and what the caller may do; 404 for a contract the caller may not read.
pub async fn get(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<ContractView>> {
    Ok(axum::Json(contracts::view(&state.store, &user, id).await?))
}

/// New terms for a contract, made from the version the caller read.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    /// The contract's `version` as read; a contract changed since is a 409.
    pub version: i64,
    /// The whole contract as it should now read.
    pub contract: Contract,
}

/// `PUT /api/v1/contracts/{id}`: replaces the terms of a draft or a contract being
/// corrected (its parties and their technology manager); 200 with its view.
pub async fn replace(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<EditBody>,
) -> ApiResult<axum::Json<ContractView>> {
    contracts::edit(&state.store, &user, id, body.version, body.contract).await?;
    Ok(axum::Json(contracts::view(&state.store, &user, id).await?))
}

/// A registration step, taken from the version the caller read.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    /// The contract's `version` as read; a contract changed since is a 409.
    pub version: i64,
    /// The step.
    pub action: RegistrationAction,
    /// The registration point staff act for (steps other than submit and withdraw); the
    /// `本区技术合同登记点` when absent.
    #[serde(default)]
    pub point: Option<String>,
}

/// `POST /api/v1/contracts/{id}/registration`: the seller's side submits (only when the
/// pre-check finds nothing blocking; 422 naming each thing to fix otherwise) or withdraws;
/// staff request corrections, register (16-digit 登记号), refuse, amend or cancel. 409 for a
/// step the state does not allow or a stale `version`.
pub async fn register(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<RegistrationBody>,
) -> ApiResult<axum::Json<ContractView>> {
    contracts::act(
        &state.store,
        &user,
        id,
        body.version,
        body.action,
        body.point,
    )
    .await?;
    Ok(axum::Json(contracts::view(&state.store, &user, id).await?))
}

/// What the pre-check finds in a contract.
#[derive(Debug, Serialize)]
pub struct Precheck {
    /// Whether nothing found would make the registry refuse it.
    pub submittable: bool,
    /// The findings: what blocks, what warns, and the tax treatments registration supports.
    pub findings: Vec<Finding>,
}

/// `POST /api/v1/contracts/precheck`: the pre-check (登记预检) of the contract in the body,
/// which is validated (422 naming each broken field) but not stored. It reads no record, so
/// anyone may ask.
pub async fn precheck(Json(mut contract): Json<Contract>) -> ApiResult<axum::Json<Precheck>> {
    contract.validate()?;
    let findings = qiao_domain::precheck(&contract);
    Ok(axum::Json(Precheck {
        submittable: submittable(&findings),
        findings,
    }))
}
