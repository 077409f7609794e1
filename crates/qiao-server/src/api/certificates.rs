//! Certificate verification for commission staff and admins:
//!
//! - `POST /api/v1/organisations/{id}/certificates/{n}/verification`: decide certificate `n`
//!   (0-based, its place in the organisation's `certificates`): `{"status": "verified",
//!   "number": "GR…"}` or `{"status": "rejected", "reason": "…"}`, optionally `"kind"` as a
//!   guard (409 when the certificate is no longer of that kind). Returns the organisation.
//! - `GET /api/v1/certificates/pending[?kind=high_tech]`: every claim awaiting verification.
//! - `POST /api/v1/certificate-lists?kind=high_tech&format=csv|xlsx[&name=…]`: an official list
//!   as the raw body; verifies every matching claim and reports the lines that matched nothing.
//!
//! Members and the public get 403; the logic is in [`qiao_app::certificates`], shared with the
//! staff page `/certificates`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use qiao_io::Format;
use serde::Deserialize;

use crate::auth::User;
use crate::error::{ApiError, ApiResult, Code};
use crate::json::{Json, Query, from_value};
use crate::state::AppState;
use qiao_app::certificates::{
    self, Decision, KIND_NAMES, ListReport, PendingCertificate, may_verify, parse_kind,
};

/// `POST /api/v1/organisations/{id}/certificates/{n}/verification`
pub async fn decide(
    State(state): State<AppState>,
    User(user): User,
    Path((id, n)): Path<(String, String)>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<axum::Json<qiao_store::OrgRecord>> {
    let not_found =
        |raw: &str| ApiError::new(Code::NotFound, format!("`{raw}` is not a record id"));
    let id: i64 = id.parse().map_err(|_| not_found(&id))?;
    let n: usize = n.parse().map_err(|_| {
        ApiError::new(
            Code::NotFound,
            format!("`{n}` is not a certificate number; certificates are numbered from 0"),
        )
    })?;
    if !may_verify(&user) {
        return Err(certificates::forbidden().into());
    }
    let d: Decision = from_value(body)?;
    Ok(axum::Json(
        certificates::decide(&state.store, &user, id, n, &d).await?,
    ))
}

/// `?kind=` of the pending list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingQuery {
    kind: Option<String>,
}

/// `GET /api/v1/certificates/pending`
pub async fn pending(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<PendingQuery>,
) -> ApiResult<axum::Json<Vec<PendingCertificate>>> {
    if !may_verify(&user) {
        return Err(certificates::forbidden().into());
    }
    let kind = super::parse_param("kind", q.kind.as_deref(), parse_kind, KIND_NAMES)?;
    Ok(axum::Json(certificates::pending(&state.store, kind).await?))
}

/// `?kind=&format=&name=` of a list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    kind: Option<String>,
    format: Option<String>,
    name: Option<String>,
}

/// `POST /api/v1/certificate-lists`
pub async fn apply_list(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<ListReport>> {
    if !may_verify(&user) {
        return Err(certificates::forbidden().into());
    }
    let kind = super::parse_param("kind", q.kind.as_deref(), parse_kind, KIND_NAMES)?.ok_or_else(
        || {
            ApiError::from(qiao_domain::Invalid::field(
                "kind",
                qiao_domain::Rule::Required,
            ))
        },
    )?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = match q.format.as_deref().unwrap_or(
        match content_type.split(';').next().unwrap_or("").trim() {
            "text/csv" => "csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
            _ => "",
        },
    ) {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        other => {
            return Err(qiao_domain::Invalid::field(
                "format",
                qiao_domain::Rule::NotOneOf {
                    found: other.to_string(),
                    allowed: vec!["csv".into(), "xlsx".into()],
                },
            )
            .into());
        }
    };
    let list = qiao_io::read_official_list(format, &body)
        .map_err(|e| ApiError::new(Code::ValidationFailed, e.to_string()))?;
    let name = q
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("名单");
    let name: String = name.chars().take(100).collect();
    Ok(axum::Json(
        certificates::apply_list(&state.store, &user, kind, &name, list).await?,
    ))
}
