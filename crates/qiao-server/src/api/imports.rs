//! `POST /api/v1/imports`: bulk import of organisations and listings from a JSONL, CSV or XLSX
//! body, for admins and commission staff. All or nothing: a body with any bad row stores
//! nothing and the reply names every bad row by line.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use qiao_domain::{FieldError, Role};
use qiao_io::Format;
use qiao_store::ImportReport;
use serde::Deserialize;

use crate::auth::User;
use crate::error::{ApiError, ApiResult, Code};
use crate::json::Query;
use crate::state::AppState;

/// Largest import body, in bytes.
pub const MAX_IMPORT: usize = 256 * 1024 * 1024;

/// `?format=jsonl|csv|xlsx`; without it the Content-Type decides.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    format: Option<String>,
}

fn format_of(q: &ImportQuery, headers: &HeaderMap) -> ApiResult<Format> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name =
        q.format
            .as_deref()
            .unwrap_or(match content_type.split(';').next().unwrap_or("").trim() {
                "application/x-ndjson" | "application/jsonl" | "application/json" => "jsonl",
                "text/csv" => "csv",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
                _ => "",
            });
    match name {
        "jsonl" => Ok(Format::Jsonl),
        "csv" => Ok(Format::Csv),
        "xlsx" => Ok(Format::Xlsx),
        other => Err(qiao_domain::Invalid::field(
            "format",
            qiao_domain::Rule::NotOneOf {
                found: other.to_string(),
                allowed: vec!["jsonl".into(), "csv".into(), "xlsx".into()],
            },
        )
        .into()),
    }
}

fn row_errors(errors: Vec<qiao_io::RowError>) -> ApiError {
    let rows = errors.len();
    // One entry per problem, its field naming the line and the column: `line 3: column 名称
    // (name)`, or `line 3` alone for a line as a whole.
    let fields: Vec<FieldError> = errors
        .into_iter()
        .flat_map(|row| {
            row.errors.into_iter().map(move |e| {
                let field = if e.field.is_empty() {
                    format!("line {}", row.line)
                } else {
                    format!("line {}: {}", row.line, e.field)
                };
                FieldError::new(field, e.rule)
            })
        })
        .collect();
    ApiError {
        code: Code::ValidationFailed,
        message: format!("{rows} bad rows; nothing was imported"),
        fields,
    }
}

/// `POST /api/v1/imports`
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<ImportReport>> {
    if !matches!(user.role, Role::Admin | Role::CommissionStaff) {
        return Err(ApiError::forbidden(
            "only admins and commission staff import in bulk",
        ));
    }
    let format = format_of(&q, &headers)?;
    let parsed = qiao_io::read_bytes(format, &body)
        .map_err(|e| ApiError::new(Code::MalformedRequest, e.to_string()))?;
    if !parsed.errors.is_empty() {
        return Err(row_errors(parsed.errors));
    }
    let outcome = qiao_app::bulk_import::import_records(
        &state.store.acting_as(user.id),
        parsed.records,
        Some(&user),
    )
    .await?;
    if !outcome.errors.is_empty() {
        return Err(row_errors(outcome.errors));
    }
    Ok(axum::Json(outcome.report))
}
