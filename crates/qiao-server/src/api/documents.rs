//! `/api/v1/documents`: imported policy and news documents. Admins and commission staff post a
//! file's raw bytes (`?name=file.html`); anyone reads them: metadata, the cleaned text, the
//! figures and the lines removed as boilerplate with their reasons, one bounded part at a time
//! (`?part=N`: 50 KB of text, 200 figures, 200 removed lines).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use qiao_domain::{Account, Invalid, Rule};
use qiao_store::{DocumentFilter, DocumentRecord, DocumentState, NewDocument, Paged};
use serde::{Deserialize, Serialize};

use super::{Paging, parse_param};
use crate::auth::{User, Viewer};
use crate::error::{ApiError, ApiResult, Code};
use crate::json::{Id, Query};
use crate::state::AppState;
use qiao_app::document_import::{
    ImportDocError, MAX_NAME_CHARS, NameProblem, import, may_import, stored_file_name,
};
use qiao_app::document_reading::{self, readable};

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
    /// `draft` or `published` (staff and admins; others see published documents only).
    state: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `?part=N` of one document.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartQuery {
    /// 1-based part (default 1).
    part: Option<u64>,
}

/// A stored document as the API shows it: one part of it (see [`qiao_app::document_reading::part`]),
/// so a reply is bounded however large the document: `text` is at most 50 KB of the text
/// (`text_range` says which bytes), `figures` and `removed` at most 200 items each, starting
/// at index `figures_from` and `removed_from`. `part` of `parts`; the totals say how much
/// there is in all.
#[derive(Debug, Serialize)]
pub struct DocumentView {
    id: i64,
    created_at: DateTime<Utc>,
    part: usize,
    parts: usize,
    text_range: [usize; 2],
    text_bytes: usize,
    figures_from: usize,
    figures_total: usize,
    removed_from: usize,
    removed_total: usize,
    #[serde(flatten)]
    document: NewDocument,
}

/// How many items a JSON array holds.
fn items(v: &serde_json::Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

/// Part `number` of a stored document.
fn part_of(r: &DocumentRecord, number: usize) -> Option<document_reading::Part> {
    let d = &r.document;
    document_reading::part(&d.text, items(&d.figures), items(&d.removed), number)
}

impl DocumentView {
    /// Part `number` of `r`, or `None` past its last part.
    fn part(r: DocumentRecord, number: usize) -> Option<DocumentView> {
        let part = part_of(&r, number)?;
        let mut d = r.document;
        let (figures_total, removed_total) = (items(&d.figures), items(&d.removed));
        let slice = |v: &mut serde_json::Value, range: std::ops::Range<usize>| {
            if let serde_json::Value::Array(items) = v {
                items.truncate(range.end);
                items.drain(..range.start);
            }
        };
        slice(&mut d.figures, part.figures.clone());
        slice(&mut d.removed, part.removed.clone());
        let text_bytes = d.text.len();
        d.text = d.text[part.text.clone()].to_string();
        Some(DocumentView {
            id: r.id,
            created_at: r.created_at,
            part: part.number,
            parts: part.count,
            text_range: [part.text.start, part.text.end],
            text_bytes,
            figures_from: part.figures.start,
            figures_total,
            removed_from: part.removed.start,
            removed_total,
            document: d,
        })
    }
}

impl From<DocumentRecord> for DocumentView {
    /// The first part.
    fn from(r: DocumentRecord) -> Self {
        DocumentView::part(r, 1).expect("every document has a first part")
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
    /// `published`, or `draft` (seen by staff and admins only).
    state: DocumentState,
    /// How many lines still look like spam (drafts flagged for review).
    review: usize,
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
            state: d.state,
            review: d.review.len(),
        }
    }
}

fn require_staff(user: &Account) -> ApiResult<()> {
    if may_import(user) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only admins and commission staff import, publish or delete documents",
        ))
    }
}

/// The file name to store: the last part of `?name=`, which must be given.
fn file_name(q: &UploadQuery) -> ApiResult<String> {
    match stored_file_name(q.name.as_deref().unwrap_or("")) {
        Ok(name) => Ok(name),
        Err(NameProblem::Missing) => Err(Invalid::field("name", Rule::Required).into()),
        Err(NameProblem::Unprintable) => {
            // The name as `stored_file_name` read it: control characters first, then length.
            let raw = q.name.as_deref().unwrap_or("").trim();
            let name = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
            let rule = match name.chars().enumerate().find(|(_, c)| c.is_control()) {
                Some((at, ch)) => Rule::ControlCharacter {
                    code_point: u32::from(ch),
                    at: at + 1,
                },
                None => Rule::TooLong {
                    max: MAX_NAME_CHARS,
                    found: name.chars().count(),
                },
            };
            Err(Invalid::field("name", rule).into())
        }
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
        return Err(Invalid::field("body", Rule::Required).into());
    }
    match import(&state.store.acting_as(user.id), &name, body).await {
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
        Err(e @ ImportDocError::Reading { .. }) => Err(ApiError::internal(&e)),
    }
}

/// `GET /api/v1/documents`: newest first; drafts only for staff and admins.
pub async fn list(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
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
    let wanted = parse_param(
        "state",
        q.state.as_deref(),
        DocumentState::from_code,
        "draft, published",
    )?;
    let filter = DocumentFilter {
        script,
        state: if viewer.as_ref().is_some_and(may_import) {
            wanted
        } else {
            Some(DocumentState::Published)
        },
    };
    let found = state.store.list_documents(&filter, page).await?;
    Ok(axum::Json(Paged {
        items: found.items.into_iter().map(DocumentSummary::from).collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

/// `GET /api/v1/documents/{id}?part=N`: public once published (a draft is a 404 but for staff
/// and admins); part 1 by default. A part past the last is a 422 naming `part` and how many
/// there are.
pub async fn get(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Id(id): Id,
    Query(q): Query<PartQuery>,
) -> ApiResult<axum::Json<DocumentView>> {
    let mut record = readable(&state.store, viewer.as_ref(), id).await?;
    if !viewer.as_ref().is_some_and(may_import) {
        // The reviewer's notes are the reviewers'.
        record.document.review.clear();
    }
    let number = q.part.unwrap_or(1);
    let count = part_of(&record, 1).map_or(1, |p| p.count);
    usize::try_from(number)
        .ok()
        .filter(|n| (1..=count).contains(n))
        .and_then(|n| DocumentView::part(record, n))
        .map(axum::Json)
        .ok_or_else(|| {
            Invalid::field(
                "part",
                Rule::OutOfRange {
                    min: 1,
                    max: count as i64,
                    found: number as f64,
                },
            )
            .into()
        })
}

/// `POST /api/v1/documents/{id}/publish` and `/unpublish` (staff and admins): the document's
/// summary in its new state. Publishing makes it public and searchable; unpublishing takes it
/// back to a draft.
pub async fn set_state(
    target: DocumentState,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<DocumentSummary>> {
    require_staff(&user)?;
    let record = state
        .store
        .acting_as(user.id)
        .set_document_state(id, target)
        .await?;
    Ok(axum::Json(DocumentSummary::from(record)))
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
