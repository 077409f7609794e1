//! `GET /api/v1/statistics/contracts`: 技术合同成交额 and 技术交易额 of the registered
//! contracts of a year, by month, type, field, 输出 and 吸纳, and by technology manager, with
//! the forecast of the open deals beside them.
//!
//! Staff, admins and technology managers only ([`qiao_app::statistics::may_read`]): a sum
//! over a handful of contracts can give one contract's amount away, and amounts are
//! confidential to a contract's parties. Members get a 403, anonymous callers a 401.

use axum::extract::State;
use qiao_app::statistics::{self, StatisticsView};
use serde::Deserialize;

use crate::auth::User;
use crate::error::ApiResult;
use crate::json::Query;
use crate::state::AppState;

/// Which year and district.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// The year of the registration dates (default: this year, China time).
    year: Option<i32>,
    /// The district (输出: the seller's); the whole platform when absent.
    district: Option<String>,
}

/// `GET /api/v1/statistics/contracts?year=&district=`
pub async fn contracts(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<StatisticsQuery>,
) -> ApiResult<axum::Json<StatisticsView>> {
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&qiao_domain::today()));
    let district = q
        .district
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    Ok(axum::Json(
        statistics::view(&state.store, &user, year, district).await?,
    ))
}
