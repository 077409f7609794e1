//! Records' files in the browser (issue #26): the upload forms on a listing's page (`POST
//! /{kind}s/{id}/files`, in its private part), a contract's (`POST /contracts/{id}/files`) and
//! an organisation's, for its certificate documents (`POST /orgs/{id}/certificate-files`);
//! multipart with `_csrf` before the files, read by [`crate::upload`] and checked as the API
//! checks them. Each page lists the files to whoever may see them ([`files_box`],
//! `_files.html`), downloaded through `/files/{id}` (`thread_pages::file`); those who may change
//! the record also get a delete button (`POST /files/{id}/delete`, [`delete`]).

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
    /// Where its delete button posts (`/files/{id}/delete`); `None` for those who may not
    /// delete it.
    pub delete: Option<String>,
}

/// A record's files as its page shows them, with the upload form for those who may add one.
pub struct FilesBox {
    /// The files.
    pub files: Vec<FileLink>,
    /// Where the upload form posts; `None` for readers who may not add files.
    pub action: Option<String>,
}

/// The box of `owner`'s files for `user`: `None` when they may not see them.
pub async fn files_box(
    state: &AppState,
    user: Option<&qiao_domain::Account>,
    owner: Owner,
    action: String,
) -> Result<Option<FilesBox>, AppError> {
    let Some(user) = user else {
        return Ok(None);
    };
    let access = attachments::access(&state.store, user, owner).await?;
    if !access.read {
        return Ok(None);
    }
    Ok(Some(FilesBox {
        files: links(state.store.attachments(owner).await?, access.write),
        action: access.write.then_some(action),
    }))
}

/// `files` as links; with delete buttons when `deletable` (the reader may change the record).
fn links(files: Vec<qiao_domain::attachment::Attachment>, deletable: bool) -> Vec<FileLink> {
    files
        .into_iter()
        .map(|a| FileLink {
            href: format!("/files/{}", a.id),
            delete: deletable.then(|| format!("/files/{}/delete", a.id)),
            name: a.file_name,
            size: if a.size >= 1 << 20 {
                format!("{:.1} MB", a.size as f64 / f64::from(1 << 20))
            } else {
                format!("{} KB", (a.size + 1023) / 1024)
            },
        })
        .collect()
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
    let access = attachments::access(&state.store, user, owner).await?;
    match attachments::list(&state.store, user, owner).await {
        Ok(files) => Ok(links(files, access.write)),
        Err(AppError::NotFound(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// `POST /files/{id}/delete`: deletes a file of a record the user may change, then goes back
/// to that record's files. A message's files stay with it (the operation refuses them).
pub async fn delete(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<super::form::FormData>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    v.check_csrf(form.csrf())?;
    let id = id
        .parse::<i64>()
        .map_err(|_| v.error(ApiError::not_found("attachment", &id)))?;
    let file = attachments::delete(&state.store, &user, id)
        .await
        .map_err(|e| v.error(e))?;
    let id = file.owner.id;
    let back = match file.owner.kind {
        OwnerKind::Listing => {
            let record = state.store.get_listing(id).await.map_err(|e| v.error(e))?;
            format!("/{}/{id}#files", record.listing.kind().plural())
        }
        OwnerKind::Contract => format!("/contracts/{id}#files"),
        OwnerKind::Application => format!("/applications/{id}#files"),
        OwnerKind::Certificate => format!("/orgs/{id}#files"),
        // Refused above; a thread's page is where its files are.
        OwnerKind::Message => String::from("/workspace"),
    };
    Ok(see_other(&back))
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
    store_files(
        &state,
        &v,
        &user,
        owner,
        form,
        &format!("/{}/{id}#files", kind.plural()),
    )
    .await
}

/// `POST /contracts/{id}/files`
pub async fn upload_contract(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    mp: Multipart,
) -> PageResult<Response> {
    upload_to(state, v, OwnerKind::Contract, id, mp, "/contracts").await
}

/// `POST /applications/{id}/files`
pub async fn upload_application(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    mp: Multipart,
) -> PageResult<Response> {
    upload_to(state, v, OwnerKind::Application, id, mp, "/applications").await
}

/// `POST /orgs/{id}/certificate-files`
pub async fn upload_certificate(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    mp: Multipart,
) -> PageResult<Response> {
    upload_to(state, v, OwnerKind::Certificate, id, mp, "/orgs").await
}

async fn upload_to(
    state: AppState,
    v: Visitor,
    kind: OwnerKind,
    id: String,
    mp: Multipart,
    base: &str,
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
    store_files(
        &state,
        &v,
        &user,
        Owner { kind, id },
        form,
        &format!("{base}/{id}#files"),
    )
    .await
}

/// Checks and stores the files of `form` on `owner`, then sends the browser to `back`.
async fn store_files(
    state: &AppState,
    v: &Visitor,
    user: &qiao_domain::Account,
    owner: Owner,
    form: crate::upload::MessageForm,
    back: &str,
) -> PageResult<Response> {
    let access = attachments::access(&state.store, user, owner)
        .await
        .map_err(|e| v.error(e))?;
    if !access.read {
        return Err(v.error(ApiError::not_found(owner.kind.as_str(), owner.id)));
    }
    if !access.write {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "只有可以修改该记录的人才能为它添加附件。",
            "Only those who may change the record add files to it.",
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
        attachments::upload(&state.store, user, owner, f)
            .await
            .map_err(|e| v.error(e))?;
    }
    Ok(see_other(back))
}
