//! `/api/v1/documents`: imported policy and news documents. Admins and commission staff post a
//! file's raw bytes (`?name=file.html`); anyone reads them: metadata, the cleaned text, the
//! figures and the lines removed as boilerplate with their reasons.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use qiao_domain::{Account, Invalid};
use qiao_store::{DocumentFilter, DocumentRecord, NewDocument, Paged};
use serde::{Deserialize, Serialize};

use super::{Paging, parse_param};
use crate::auth::User;
use crate::documents::{
    ImportDocError, MAX_NAME_CHARS, NameProblem, import, may_import, stored_file_name,
};
use crate::error::{ApiError, ApiResult, Code};
use crate::json::{Id, Query};
use crate::state::AppState;

/// Largest document body, in bytes (`qiao_docs::MAX_BYTES`).
pub const MAX_DOCUMENT: usize = qiao_docs::MAX_BYTES as usize;

/// `?name=…` of an upload.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name; `.html`/`.htm` are read as HTML, anything else by its content.
    name: Option<String>,
}

/// Filters and paging of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `hans`, `hant`, `mixed` or `none`.
    script: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// A stored document as the API shows it.
#[derive(Debug, Serialize)]
pub struct DocumentView {
    id: i64,
    created_at: DateTime<Utc>,
    #[serde(flatten)]
    document: NewDocument,
}

impl From<DocumentRecord> for DocumentView {
    fn from(r: DocumentRecord) -> Self {
        DocumentView {
            id: r.id,
            created_at: r.created_at,
            document: r.document,
        }
    }
}

/// A document in a list: metadata and the number of figures, without the texts.
#[derive(Debug, Serialize)]
pub struct DocumentSummary {
    id: i64,
    file_name: String,
    title: Option<String>,
    published: Option<String>,
    source: Option<String>,
    doc_number: Option<String>,
    script: String,
    encoding: String,
    figures: usize,
    created_at: DateTime<Utc>,
}

impl From<DocumentRecord> for DocumentSummary {
    fn from(r: DocumentRecord) -> Self {
        let d = r.document;
        DocumentSummary {
            id: r.id,
            file_name: d.file_name,
            title: d.title,
            published: d.published,
            source: d.source,
            doc_number: d.doc_number,
            script: d.script,
            encoding: d.encoding,
            figures: d.figures.as_array().map_or(0, Vec::len),
            created_at: r.created_at,
        }
    }
}

fn require_staff(user: &Account) -> ApiResult<()> {
    if may_import(user) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only admins and commission staff import or delete documents",
        ))
    }
}

/// The file name to store: the last part of `?name=`, which must be given.
fn file_name(q: &UploadQuery) -> ApiResult<String> {
    match stored_file_name(q.name.as_deref().unwrap_or("")) {
        Ok(name) => Ok(name),
        Err(NameProblem::Missing) => Err(Invalid::field(
            "name",
            "give the file's name, e.g. ?name=notice.html (.html/.htm are read as HTML)",
        )
        .into()),
        Err(NameProblem::Unprintable) => Err(Invalid::field(
            "name",
            format!("at most {MAX_NAME_CHARS} printable characters"),
        )
        .into()),
    }
}

/// `POST /api/v1/documents?name=file.html` with the file's bytes as the body: 201 with the
/// stored document; 409 with `Location` naming the stored copy when the same bytes were
/// imported before.
pub async fn create(
    State(state): State<AppState>,
    User(user): User,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    require_staff(&user)?;
    let name = file_name(&q)?;
    if body.is_empty() {
        return Err(Invalid::field("body", "is empty; send the file's bytes as the body").into());
    }
    match import(&state.store.acting_as(user.id), &name, &body).await {
        Ok(imported) => {
            let location = format!("/api/v1/documents/{}", imported.record.id);
            let mut response = (
                StatusCode::CREATED,
                axum::Json(DocumentView::from(imported.record)),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            Ok(response)
        }
        Err(e @ ImportDocError::Duplicate { existing, .. }) => {
            let mut response = ApiError::new(Code::Conflict, e.to_string()).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/documents/{existing}")) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            Ok(response)
        }
        Err(ImportDocError::Store(e)) => Err(e.into()),
    }
}

/// `GET /api/v1/documents`: newest first.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Paged<DocumentSummary>>> {
    let page = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .page()?;
    let script = parse_param(
        "script",
        q.script.as_deref(),
        |s| {
            ["hans", "hant", "mixed", "none"]
                .contains(&s)
                .then(|| s.to_string())
        },
        "hans, hant, mixed, none",
    )?;
    let found = state
        .store
        .list_documents(&DocumentFilter { script }, page)
        .await?;
    Ok(axum::Json(Paged {
        items: found.items.into_iter().map(DocumentSummary::from).collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

/// `GET /api/v1/documents/{id}`: public.
pub async fn get(State(state): State<AppState>, Id(id): Id) -> ApiResult<axum::Json<DocumentView>> {
    Ok(axum::Json(state.store.get_document(id).await?.into()))
}

/// `DELETE /api/v1/documents/{id}`: 204.
pub async fn delete(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    require_staff(&user)?;
    state.store.acting_as(user.id).delete_document(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
