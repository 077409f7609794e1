//! 创新券 over JSON: `/api/v1/vouchers` (staff issue; staff list every voucher, filtered by
//! enterprise, an enterprise's members their own, with totals) and `/api/v1/vouchers/{id}` (one,
//! with the bookings it paid part of).
//!
//! Who may read or issue is decided in [`qiao_app::vouchers`], which the pages call too.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::vouchers::{self, VoucherList, VoucherView};
use qiao_domain::booking::Voucher;
use serde::Deserialize;

use super::Paging;
use crate::auth::User;
use crate::error::ApiResult;
use crate::json::{Id, Json, Query};
use crate::state::AppState;

/// `POST /api/v1/vouchers` (staff, admins): issues a voucher to an enterprise; 201 with it.
/// 422 naming `number`, `granted`, `valid_until` or `org_id` (not an enterprise); 409 for a
/// number already used.
pub async fn issue(
    State(state): State<AppState>,
    User(user): User,
    Json(voucher): Json<Voucher>,
) -> ApiResult<impl IntoResponse> {
    let record = vouchers::issue(&state.store, &user, voucher).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/vouchers/{}", record.id))],
        axum::Json(record),
    ))
}

/// Paging and the enterprise filter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherQuery {
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page (at most 200).
    pub per_page: Option<u32>,
    /// Only this enterprise's vouchers (staff; a member always sees its own).
    pub org_id: Option<i64>,
}

/// `GET /api/v1/vouchers`: vouchers with issued, reserved, spent and left, and their totals.
pub async fn list(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<VoucherQuery>,
) -> ApiResult<axum::Json<VoucherList>> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    Ok(axum::Json(
        vouchers::list(&state.store, &user, q.org_id, page).await?,
    ))
}

/// `GET /api/v1/vouchers/{id}`: the voucher with its balance and bookings; 404 for anyone but
/// its enterprise's members, staff and admins.
pub async fn get(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<VoucherView>> {
    Ok(axum::Json(vouchers::view(&state.store, &user, id).await?))
}
