//! Message threads and contact details after acceptance (issue #26):
//! `GET|POST /api/v1/contact-requests/{id}/messages`, `GET|POST /api/v1/deals/{id}/messages`
//! and `GET /api/v1/contact-requests/{id}/contact-details`.
//!
//! A message is posted as JSON (`{"body": "…"}`) or, with files, as multipart/form-data (a
//! `body` field and up to five `file` fields). The rules (who takes part, paging, limits) are
//! [`qiao_app::threads`]'s, which the pages call too.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use qiao_app::threads::{self, ContactDetails, MessageView, ThreadPage};
use qiao_domain::thread::{MAX_PAGE, NewMessage, Subject, SubjectKind};
use serde::Deserialize;

use crate::auth::User;
use crate::error::{ApiError, ApiResult, Code};
use crate::json::{Id, Json, Query};
use crate::state::AppState;
use crate::upload::{check_files, read_message_form};

/// `?before=ID&limit=N` of a thread.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Only messages older than this id (the `next_before` of the previous page).
    before: Option<i64>,
    /// How many (1-50, default 20).
    limit: Option<u32>,
}

/// `GET /api/v1/{contact-requests|deals}/{id}/messages`
pub async fn list(
    kind: SubjectKind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<ThreadPage>> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(qiao_domain::Invalid::field(
            "limit",
            qiao_domain::Rule::OutOfRange {
                min: 1,
                max: i64::from(MAX_PAGE),
                found: f64::from(limit),
            },
        )
        .into());
    }
    let subject = Subject { kind, id };
    Ok(axum::Json(
        threads::page(&state.store, &user, subject, q.before, limit).await?,
    ))
}

/// `POST /api/v1/{contact-requests|deals}/{id}/messages`
pub async fn post(
    kind: SubjectKind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    req: Request,
) -> ApiResult<impl IntoResponse> {
    let subject = Subject { kind, id };
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (new, files) = if multipart {
        // Who takes part is checked before the files are read and sniffed.
        threads::access(&state.store, &user, subject).await?;
        let mp = Multipart::from_request(req, &state).await.map_err(|e| {
            ApiError::new(
                Code::MalformedRequest,
                format!("the form data is broken: {e}"),
            )
        })?;
        let form = read_message_form(mp).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    Code::PayloadTooLarge,
                    format!(
                        "a message's form may hold at most {} bytes",
                        crate::upload::MAX_MESSAGE_UPLOAD
                    ),
                )
            } else {
                ApiError::new(
                    Code::MalformedRequest,
                    format!("the form data is broken: {e}"),
                )
            }
        })?;
        let files = check_files(form.files).await?;
        (NewMessage { body: form.body }, files)
    } else {
        let Json(new) = Json::<NewMessage>::from_request(req, &state).await?;
        (new, Vec::new())
    };
    let posted: MessageView = threads::post(&state.store, &user, subject, new, files).await?;
    Ok((StatusCode::CREATED, axum::Json(posted)))
}

/// `GET /api/v1/contact-requests/{id}/contact-details`
pub async fn contact_details(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<ContactDetails>> {
    let request = qiao_app::contact_requests::load(&state.store, &user, id).await?;
    match threads::contact_details(&state.store, &request).await? {
        Some(d) => Ok(axum::Json(d)),
        None => Err(ApiError::new(
            Code::Conflict,
            format!(
                "contact request {id} is {}; contact details are shown once the owner accepts it",
                request.status.as_str()
            ),
        )),
    }
}
