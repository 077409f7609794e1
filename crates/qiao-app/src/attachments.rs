//! Attachments (issue #26): who may upload, list, fetch and delete the files of a record,
//! shared by the API (`/api/v1/attachments/…`) and the pages.
//!
//! A file is seen by exactly those who may see the record it belongs to, decided by that
//! record's own rule ([`access`]):
//! - a listing's files are private details, like its contact: the owner organisation, admins,
//!   those whose contact request (or a colleague's) the owner accepted
//!   ([`disclosure::discloses`]), and commission staff; only the owner (or an admin) uploads;
//! - a message's files: its thread's participants ([`threads::access`]); they come with the
//!   message and are never changed afterwards;
//! - a contract's files: its readers ([`contracts::load`]); its editors upload;
//! - an organisation's certificate documents: its members, commission staff and admins; its
//!   members (and admins) upload.
//!
//! Everyone else, and every id that does not exist, gets the same 404 ("attachment N does not
//! exist"), so neither guessing file ids nor guessing record ids tells anything. Ids are the
//! only handle on a file: names are never looked up, so guessing a file name fetches nothing.
//!
//! Reading an upload (type sniffing, the markup scan) runs on the blocking pool
//! (`qiao_search::cpu::run`), not on the async runtime; the store hashes it there too.

use std::sync::Arc;

use qiao_domain::attachment::{Attachment, NewAttachment, Owner, OwnerKind};
use qiao_domain::{Account, Invalid};
use qiao_store::{Store, StoreError};

use crate::error::{AppError, AppResult};
use crate::{applications, contracts, disclosure, threads};

/// What `user` may do with the files of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// List and download them.
    pub read: bool,
    /// Add and delete them.
    pub write: bool,
}

const NONE: Access = Access {
    read: false,
    write: false,
};

/// What `user` may do with the files of `owner`; nothing at all for a record that does not
/// exist or that they may not see.
pub async fn access(store: &Arc<dyn Store>, user: &Account, owner: Owner) -> AppResult<Access> {
    Ok(match owner.kind {
        OwnerKind::Listing => match store.get_listing(owner.id).await {
            Ok(record) => {
                let write = user.may_change(record.owner_org_id);
                let read = write
                    || user.is_staff()
                    || disclosure::discloses(store, Some(user), &record).await?;
                Access { read, write }
            }
            Err(StoreError::NotFound { .. }) => NONE,
            Err(e) => return Err(e.into()),
        },
        OwnerKind::Message => match store.get_message(owner.id).await {
            Ok(m) => match threads::access(store, user, m.subject).await {
                Ok(()) => Access {
                    read: true,
                    write: false,
                },
                Err(AppError::NotFound(_) | AppError::Conflict(_)) => NONE,
                Err(e) => return Err(e),
            },
            Err(StoreError::NotFound { .. }) => NONE,
            Err(e) => return Err(e.into()),
        },
        OwnerKind::Contract => match contracts::load(store, user, owner.id).await {
            Ok((_, a)) => Access {
                read: a.read,
                write: a.edit,
            },
            Err(AppError::NotFound(_)) => NONE,
            Err(e) => return Err(e),
        },
        OwnerKind::Application => match applications::load(store, user, owner.id).await {
            Ok(r) => Access {
                read: true,
                write: user.may_change(Some(r.application.applicant_org_id)),
            },
            Err(AppError::NotFound(_)) => NONE,
            Err(e) => return Err(e),
        },
        OwnerKind::Certificate => match store.get_org(owner.id).await {
            Ok(_) => {
                let write = user.may_change(Some(owner.id));
                Access {
                    read: write || user.is_staff(),
                    write,
                }
            }
            Err(StoreError::NotFound { .. }) => NONE,
            Err(e) => return Err(e.into()),
        },
    })
}

/// The 404 of a record whose files `user` may not see: it names the owner as asked, exactly
/// as for one that does not exist.
fn owner_not_found(owner: Owner) -> AppError {
    AppError::not_found(owner.kind.as_str(), owner.id)
}

/// The files of `owner`, if `user` may see them.
pub async fn list(
    store: &Arc<dyn Store>,
    user: &Account,
    owner: Owner,
) -> AppResult<Vec<Attachment>> {
    if !access(store, user, owner).await?.read {
        return Err(owner_not_found(owner));
    }
    Ok(store.attachments(owner).await?)
}

/// Checks an upload's name and bytes off the async runtime: see `NewAttachment::check`.
pub async fn check(field: &str, raw_name: &str, bytes: Vec<u8>) -> AppResult<NewAttachment> {
    let (field, name) = (field.to_string(), raw_name.to_string());
    qiao_search::cpu::run(move || NewAttachment::check(&field, &name, bytes))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::from)
}

/// Stores a checked file on `owner` as `user`, who must be allowed to add files to it.
/// Files of messages come only with their message ([`threads::post`]).
pub async fn upload(
    store: &Arc<dyn Store>,
    user: &Account,
    owner: Owner,
    file: NewAttachment,
) -> AppResult<Attachment> {
    let a = access(store, user, owner).await?;
    if !a.read {
        return Err(owner_not_found(owner));
    }
    if owner.kind == OwnerKind::Message {
        return Err(AppError::Invalid(Invalid::field(
            "owner",
            qiao_domain::Rule::NotOneOf {
                found: "message".into(),
                allowed: ["listing", "contract", "certificate"]
                    .map(String::from)
                    .to_vec(),
            },
        )));
    }
    if !a.write {
        return Err(AppError::forbidden(format!(
            "only those who may change this {} add files to it",
            owner.kind.as_str()
        )));
    }
    Ok(store
        .acting_as(user.id)
        .add_attachment(owner, &file)
        .await?)
}

/// File `id` and its bytes, if `user` may see the record it belongs to; the same 404 as a file
/// that does not exist otherwise.
pub async fn fetch(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
) -> AppResult<(Attachment, Vec<u8>)> {
    let file = load(store, user, id).await?;
    let bytes = store.attachment_bytes(id).await.map_err(|e| match e {
        StoreError::NotFound { .. } => AppError::not_found("attachment", id),
        other => other.into(),
    })?;
    Ok((file, bytes))
}

/// File `id`'s description, if `user` may see the record it belongs to.
pub async fn load(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<Attachment> {
    let file = match store.get_attachment(id).await {
        Ok(f) => f,
        Err(StoreError::NotFound { .. }) => return Err(AppError::not_found("attachment", id)),
        Err(e) => return Err(e.into()),
    };
    if !access(store, user, file.owner).await?.read {
        return Err(AppError::not_found("attachment", id));
    }
    Ok(file)
}

/// Deletes file `id`, as one who may change the record it belongs to. A message's files stay
/// with the message.
pub async fn delete(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<Attachment> {
    let file = load(store, user, id).await?;
    if file.owner.kind == OwnerKind::Message || !access(store, user, file.owner).await?.write {
        return Err(AppError::forbidden(
            "only those who may change the record delete its files; a message's files stay with it",
        ));
    }
    store.acting_as(user.id).delete_attachment(id).await?;
    Ok(file)
}
