//! Valuations over JSON: `/api/v1/listings/{id}/valuations` and
//! `/api/v1/deals/{id}/valuations` (save a new version, list the versions), `…/valuations/{vid}`
//! (one version), and `/api/v1/settings/valuation-reference` (the industry share table).
//!
//! Who may value what is [`qiao_app::valuations`]'s rule, which the pages share: an
//! achievement's owner, the managers of its deals and staff; a deal's readers. A market
//! approach sent without comparables (or with an empty list) gets the closest registered contracts filled
//! in, and the saved version keeps them.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::valuations;
use qiao_domain::valuation::{Inputs, Reference};
use qiao_store::{ValuationRecord, ValuationSubject};
use serde::Deserialize;

use crate::auth::User;
use crate::error::{ApiError, ApiResult, Code};
use crate::json::{Id, Json};
use crate::state::AppState;

/// What a save sends.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    /// A note kept with the version (at most 500 characters).
    #[serde(default)]
    pub note: String,
    /// The inputs. A `market` whose `comparables` list is empty gets the closest registered
    /// contracts.
    pub inputs: Inputs,
}

fn base(subject: ValuationSubject) -> String {
    match subject {
        ValuationSubject::Listing(id) => format!("/api/v1/listings/{id}/valuations"),
        ValuationSubject::Deal(id) => format!("/api/v1/deals/{id}/valuations"),
    }
}

async fn create(
    state: AppState,
    user: qiao_domain::Account,
    subject: ValuationSubject,
    body: SaveBody,
) -> ApiResult<impl IntoResponse + use<>> {
    let record = valuations::save(
        &state.store,
        &state.comparables,
        &user,
        subject,
        &body.note,
        body.inputs,
    )
    .await
    .map_err(inside_inputs)?;
    let location = format!("{}/{}", base(subject), record.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(record),
    ))
}

/// The domain names an input by its path in the inputs; the body holds them under `inputs`.
fn inside_inputs(e: qiao_app::AppError) -> qiao_app::AppError {
    match e {
        qiao_app::AppError::Invalid(qiao_domain::Invalid(errors)) => {
            qiao_app::AppError::Invalid(qiao_domain::Invalid(
                errors
                    .into_iter()
                    .map(|mut f| {
                        if f.field != "note" {
                            f.field = format!("inputs.{}", f.field);
                        }
                        f
                    })
                    .collect(),
            ))
        }
        other => other,
    }
}

/// `POST /api/v1/listings/{id}/valuations`: computes and saves the next version; 201.
pub async fn create_for_listing(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<SaveBody>,
) -> ApiResult<impl IntoResponse> {
    create(state, user, ValuationSubject::Listing(id), body).await
}

/// `POST /api/v1/deals/{id}/valuations`: computes and saves the next version; 201.
pub async fn create_for_deal(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<SaveBody>,
) -> ApiResult<impl IntoResponse> {
    create(state, user, ValuationSubject::Deal(id), body).await
}

/// `GET /api/v1/listings/{id}/valuations`: the saved versions, newest first.
pub async fn list_for_listing(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<Vec<ValuationRecord>>> {
    Ok(axum::Json(
        valuations::versions(&state.store, &user, ValuationSubject::Listing(id)).await?,
    ))
}

/// `GET /api/v1/deals/{id}/valuations`: the saved versions, newest first.
pub async fn list_for_deal(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<Vec<ValuationRecord>>> {
    Ok(axum::Json(
        valuations::versions(&state.store, &user, ValuationSubject::Deal(id)).await?,
    ))
}

fn ids(raw: (String, String)) -> ApiResult<(i64, i64)> {
    let parse = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| ApiError::new(Code::NotFound, format!("`{s}` is not a record id")))
    };
    Ok((parse(&raw.0)?, parse(&raw.1)?))
}

/// `GET /api/v1/listings/{id}/valuations/{vid}`: one saved version.
pub async fn get_for_listing(
    State(state): State<AppState>,
    User(user): User,
    Path(raw): Path<(String, String)>,
) -> ApiResult<axum::Json<ValuationRecord>> {
    let (id, vid) = ids(raw)?;
    let (_, r) =
        valuations::version(&state.store, &user, ValuationSubject::Listing(id), vid).await?;
    Ok(axum::Json(r))
}

/// `GET /api/v1/deals/{id}/valuations/{vid}`: one saved version.
pub async fn get_for_deal(
    State(state): State<AppState>,
    User(user): User,
    Path(raw): Path<(String, String)>,
) -> ApiResult<axum::Json<ValuationRecord>> {
    let (id, vid) = ids(raw)?;
    let (_, r) = valuations::version(&state.store, &user, ValuationSubject::Deal(id), vid).await?;
    Ok(axum::Json(r))
}

/// `GET /api/v1/settings/valuation-reference`: the industry share ranges and defaults, with
/// their source and year (any signed-in account).
pub async fn reference(
    State(state): State<AppState>,
    User(_): User,
) -> ApiResult<axum::Json<Reference>> {
    Ok(axum::Json(state.store.valuation_reference().await?))
}

/// `PUT /api/v1/settings/valuation-reference` (staff and admins): replaces the table.
pub async fn set_reference(
    State(state): State<AppState>,
    User(user): User,
    Json(reference): Json<Reference>,
) -> ApiResult<axum::Json<Reference>> {
    valuations::set_reference(&state.store, &user, &reference).await?;
    Ok(axum::Json(state.store.valuation_reference().await?))
}
