//! A listing's files in the browser (issue #26): `POST /{kind}s/{id}/files`, the upload form in
//! the private part of a listing's page (its owner's members and admins), multipart with
//! `_csrf` before the files, read by [`crate::upload`] and checked as the API checks them. The
//! files are listed in the same private part, for those the listing discloses itself to, and
//! downloaded through `/files/{id}` (`thread_pages::file`).

use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use qiao_app::AppError;
use qiao_app::attachments;
use qiao_domain::Kind;
use qiao_domain::attachment::{Owner, OwnerKind};

use super::{PageResult, Visitor, form_message, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::upload::{check_files, read_message_form};

/// One file as a listing's page lists it: link, name, size.
pub struct FileLink {
    /// `/files/{id}`.
    pub href: String,
    /// The name it was uploaded with.
    pub name: String,
    /// Its size, as people read it.
    pub size: String,
}

/// The files of listing `id` that `user` may see (none for anyone else).
pub async fn listing_files(
    state: &AppState,
    user: Option<&qiao_domain::Account>,
    id: i64,
) -> Result<Vec<FileLink>, AppError> {
    let Some(user) = user else {
        return Ok(Vec::new());
    };
    let owner = Owner {
        kind: OwnerKind::Listing,
        id,
    };
    match attachments::list(&state.store, user, owner).await {
        Ok(files) => Ok(files
            .into_iter()
            .map(|a| FileLink {
                href: format!("/files/{}", a.id),
                name: a.file_name,
                size: if a.size >= 1 << 20 {
                    format!("{:.1} MB", a.size as f64 / f64::from(1 << 20))
                } else {
                    format!("{} KB", (a.size + 1023) / 1024)
                },
            })
            .collect()),
        Err(AppError::NotFound(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// `POST /{kind}s/{id}/files`
pub async fn upload(
    kind: Kind,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    mp: Multipart,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id
        .parse::<i64>()
        .map_err(|_| v.error(ApiError::not_found(kind.as_str(), &id)))?;
    let form = read_message_form(mp)
        .await
        .map_err(|e| super::document_pages::multipart_error(&v, &e))?;
    if form.file_before_token {
        return Err(super::document_pages::no_token(&v));
    }
    v.check_csrf(form.csrf.as_deref())?;
    // The listing must be one this page shows (its kind, not a hidden draft).
    qiao_app::disclosure::load(&state.store, kind, id, Some(&user))
        .await
        .map_err(|e| v.error(e))?;
    let owner = Owner {
        kind: OwnerKind::Listing,
        id,
    };
    let access = attachments::access(&state.store, &user, owner)
        .await
        .map_err(|e| v.error(e))?;
    if !access.write {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "只有发布机构可以为条目添加附件。",
            "Only the listing's organisation adds files to it.",
        ))));
    }
    if form.files.is_empty() {
        return Err(v.error(ApiError::new(
            Code::ValidationFailed,
            v.ctx
                .l
                .t("请选择要上传的文件。", "Choose a file to upload."),
        )));
    }
    let files = check_files(form.files).await.map_err(|e| {
        let l = v.ctx.l;
        let e = ApiError::from(e);
        v.error(ApiError::new(Code::ValidationFailed, form_message(l, e)))
    })?;
    for f in files {
        attachments::upload(&state.store, &user, owner, f)
            .await
            .map_err(|e| v.error(e))?;
    }
    Ok(see_other(&format!("/{}/{id}#files", kind.plural())))
}
