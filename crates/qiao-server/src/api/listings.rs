//! `/api/v1/{achievements,demands,challenges,scenarios,instruments,experts,institutions}`:
//! the same six operations for every kind of listing.
//!
//! Visibility: drafts are seen only by their owner organisation and admins; private fields
//! (contact, confidential details) only by those who may change the listing, and by those
//! the owner disclosed them to ([`qiao_app::disclosure`], shared with the pages).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::disclosure::{self, discloses};
use qiao_domain::Format;
use qiao_domain::listing::Status;
use qiao_domain::{Account, Kind, Listing, Record, Role, Rule};
use qiao_store::{Drafts, ListingFilter, ListingRecord, Paged};
use serde::Deserialize;
use serde_json::Value;

use super::{Paging, parse_param};
use crate::auth::{User, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::json::{Id, Json, Query, from_value, merge_patch};
use crate::state::AppState;

/// Filters of a listing collection.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    // Not `#[serde(flatten)] Paging`: flattening makes query-string numbers arrive as
    // strings, which then fail to parse as integers.
    page: Option<u32>,
    per_page: Option<u32>,
    status: Option<String>,
    district: Option<String>,
    discipline: Option<String>,
    owner_org_id: Option<i64>,
    /// `true`: only open listings that have not expired.
    active: Option<bool>,
    /// Challenges: only rewards of at least this many yuan.
    reward_min: Option<i64>,
    /// Challenges: only rewards of at most this many yuan.
    reward_max: Option<i64>,
    /// Challenges: `open` (taking applications today) or `closing` (and closing within 14
    /// days).
    window: Option<String>,
}

fn drafts_for(viewer: Option<&Account>) -> Drafts {
    match viewer {
        Some(a) if a.role == Role::Admin => Drafts::All,
        Some(Account {
            org_id: Some(org), ..
        }) => Drafts::OfOrg(*org),
        _ => Drafts::Hidden,
    }
}

/// `GET /api/v1/{kind}s`
pub async fn list(
    kind: Kind,
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Paged<ListingRecord>>> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let window = match q.window.as_deref().filter(|w| !w.is_empty()) {
        None => (None, None),
        Some(w) => qiao_app::applications::window_filter(w, state.today()).ok_or_else(|| {
            qiao_domain::Invalid::field(
                "window",
                qiao_domain::Rule::NotOneOf {
                    found: w.to_string(),
                    allowed: vec!["open".into(), "closing".into()],
                },
            )
        })?,
    };
    let filter = ListingFilter {
        kind: Some(kind),
        status: parse_param(
            "status",
            q.status.as_deref(),
            Status::parse,
            "draft, open, under_review, awarded, closed",
        )?,
        district: q.district.filter(|s| !s.is_empty()),
        discipline: q.discipline.filter(|s| !s.is_empty()),
        owner_org_id: q.owner_org_id,
        active_on: q.active.unwrap_or(false).then(|| state.today()),
        drafts: drafts_for(viewer.as_ref()),
        reward_min: q.reward_min,
        reward_max: q.reward_max,
        window_open_on: window.0,
        window_closes_by: window.1,
    };
    let mut paged = state.store.list_listings(&filter, page).await?;
    paged.items = paged
        .items
        .into_iter()
        .map(|r| disclosure::listing(viewer.as_ref(), r))
        .collect();
    Ok(axum::Json(paged))
}

/// `GET /api/v1/{kind}s/{id}`
pub async fn get(
    kind: Kind,
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Id(id): Id,
) -> ApiResult<axum::Json<ListingRecord>> {
    let mut record = disclosure::load(&state.store, kind, id, viewer.as_ref()).await?;
    if !discloses(&state.store, viewer.as_ref(), &record).await? {
        record.listing.strip_private();
    }
    Ok(axum::Json(record))
}

/// Parses and validates the fields of a listing of `kind`.
fn parse_listing(kind: Kind, fields: Value) -> ApiResult<Listing> {
    let mut listing = match kind {
        Kind::Achievement => Listing::Achievement(from_value(fields)?),
        Kind::Demand => Listing::Demand(from_value(fields)?),
        Kind::Challenge => Listing::Challenge(from_value(fields)?),
        Kind::Scenario => Listing::Scenario(from_value(fields)?),
        Kind::Instrument => Listing::Instrument(from_value(fields)?),
        Kind::Expert => Listing::Expert(from_value(fields)?),
        Kind::Institution => Listing::Institution(from_value(fields)?),
    };
    listing.validate()?;
    Ok(listing)
}

/// `POST /api/v1/{kind}s`: the owner is the caller's organisation; admins may name another
/// with `owner_org_id`.
pub async fn create(
    kind: Kind,
    State(state): State<AppState>,
    User(user): User,
    Json(mut body): Json<Value>,
) -> ApiResult<impl IntoResponse> {
    let Some(fields) = body.as_object_mut() else {
        return Err(qiao_domain::Invalid::field(
            "body",
            Rule::WrongType {
                found: crate::json::shape(&body),
                expected: "a JSON object of the listing's fields".into(),
            },
        )
        .into());
    };
    let requested_owner = match fields.remove("owner_org_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            ApiError::from(qiao_domain::Invalid::field(
                "owner_org_id",
                Rule::BadFormat {
                    found: v.to_string(),
                    format: Format::RecordId,
                },
            ))
        })?),
    };
    let owner = match (user.role, requested_owner, user.org_id) {
        (Role::Admin, Some(o), _) => Some(o),
        (_, Some(o), Some(mine)) if o == mine => Some(o),
        (_, Some(_), _) => {
            return Err(ApiError::forbidden(
                "only admins may create listings for another organisation",
            ));
        }
        (_, None, Some(mine)) => Some(mine),
        (Role::Admin, None, None) => None,
        (_, None, None) => {
            return Err(ApiError::forbidden(
                "your account belongs to no organisation, so it cannot own listings",
            ));
        }
    };
    if let Some(o) = owner {
        state.store.get_org(o).await.map_err(|_| {
            ApiError::from(qiao_domain::Invalid::field(
                "owner_org_id",
                Rule::NotFound {
                    record: Record::Organisation,
                    id: o,
                },
            ))
        })?;
    }
    let listing = parse_listing(kind, body)?;
    let record = state
        .store
        .acting_as(user.id)
        .create_listing(owner, &listing)
        .await?;
    // Matched with its meaning from the first view, not on words alone until the background
    // embedding catches up (issue #27, point 4).
    state.search.embed_fresh(&record).await;
    let location = format!("/api/v1/{}/{}", kind.plural(), record.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(record),
    ))
}

async fn load_for_change(
    state: &AppState,
    kind: Kind,
    id: i64,
    user: &Account,
) -> ApiResult<ListingRecord> {
    let record = disclosure::load(&state.store, kind, id, Some(user)).await?;
    if !user.may_change(record.owner_org_id) {
        return Err(ApiError::forbidden(format!(
            "{} {id} belongs to another organisation; only its owner or an admin may change it",
            kind.as_str()
        )));
    }
    Ok(record)
}

/// `PUT /api/v1/{kind}s/{id}`: replaces every field.
pub async fn replace(
    kind: Kind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(body): Json<Value>,
) -> ApiResult<axum::Json<ListingRecord>> {
    load_for_change(&state, kind, id, &user).await?;
    let listing = parse_listing(kind, body)?;
    let record = state
        .store
        .acting_as(user.id)
        .update_listing(id, &listing)
        .await?;
    state.search.embed_fresh(&record).await;
    Ok(axum::Json(record))
}

/// `PATCH /api/v1/{kind}s/{id}`: a JSON merge patch (RFC 7396) of the fields.
pub async fn patch(
    kind: Kind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Json(patch): Json<Value>,
) -> ApiResult<axum::Json<ListingRecord>> {
    let current = load_for_change(&state, kind, id, &user).await?;
    let mut fields = current.listing.to_fields();
    merge_patch(&mut fields, &patch);
    let listing = parse_listing(kind, fields)?;
    let record = state
        .store
        .acting_as(user.id)
        .update_listing(id, &listing)
        .await?;
    state.search.embed_fresh(&record).await;
    Ok(axum::Json(record))
}

/// `DELETE /api/v1/{kind}s/{id}`
pub async fn delete(
    kind: Kind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    load_for_change(&state, kind, id, &user).await?;
    state.store.acting_as(user.id).delete_listing(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
