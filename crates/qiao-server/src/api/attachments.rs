//! Attachments (issue #26): `GET|POST /api/v1/listings/{id}/attachments`,
//! `GET|POST /api/v1/contracts/{id}/attachments`, `GET|POST
//! /api/v1/organisations/{id}/certificate-files`, and `GET|DELETE /api/v1/attachments/{id}`
//! (the file itself, or its deletion).
//!
//! An upload is the file's raw bytes as the body with its name in `?name=` (as
//! `POST /api/v1/documents` takes a document); the route's body limit stops reading past
//! `MAX_BYTES`, so no more than that is ever held. The type comes from the bytes, never from
//! `Content-Type` or the name. Who may do what is [`qiao_app::attachments`]'s rule.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qiao_app::attachments;
use qiao_domain::attachment::{Attachment, MAX_BYTES, Owner, OwnerKind};
use serde::Deserialize;

use crate::auth::User;
use crate::error::ApiResult;
use crate::json::{Id, Query};
use crate::state::AppState;

/// The body limit of an upload route: one file at its limit.
pub const MAX_UPLOAD: usize = MAX_BYTES;

/// `?name=` of an upload.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, with the extension of its type (`图纸.pdf`).
    name: Option<String>,
}

/// `GET /api/v1/{listings|contracts|organisations}/{id}/{attachments|certificate-files}`
pub async fn list(
    kind: OwnerKind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<axum::Json<Vec<Attachment>>> {
    let owner = Owner { kind, id };
    Ok(axum::Json(
        attachments::list(&state.store, &user, owner).await?,
    ))
}

/// `POST /api/v1/{listings|contracts|organisations}/{id}/{attachments|certificate-files}?name=`
pub async fn upload(
    kind: OwnerKind,
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let owner = Owner { kind, id };
    // Who may add files is checked before the bytes are sniffed.
    let access = attachments::access(&state.store, &user, owner).await?;
    if !access.read {
        return Err(qiao_app::AppError::not_found(kind.as_str(), id).into());
    }
    let file = attachments::check("file", q.name.as_deref().unwrap_or(""), body.to_vec()).await?;
    let stored = attachments::upload(&state.store, &user, owner, file).await?;
    Ok((StatusCode::CREATED, axum::Json(stored)))
}

/// `GET /api/v1/attachments/{id}`: the file, with headers that keep it from running.
pub async fn download(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<Response> {
    let (file, bytes) = attachments::fetch(&state.store, &user, id).await?;
    Ok(crate::download::attachment_download(&file, bytes))
}

/// `DELETE /api/v1/attachments/{id}`
pub async fn delete(
    State(state): State<AppState>,
    User(user): User,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    attachments::delete(&state.store, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
