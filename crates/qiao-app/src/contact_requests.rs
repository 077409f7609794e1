//! Contact requests, the gate of tiered disclosure: a member asks the owner of a listing for
//! its contact details, the owner accepts or declines, and an accepted request discloses the
//! listing's private fields to the requester's organisation ([`crate::disclosure`]).
//!
//! The API (`/api/v1/contact-requests`) and the pages (a listing's contact form, the
//! workspace's boxes) both call these, so a browser and a script are held to the same checks.
//! Every write goes through `store.acting_as(user)`, so the audit log names who asked and who
//! decided.

use std::sync::Arc;

use qiao_domain::contact::may_request_contact;
use qiao_domain::{Account, ContactRequest, Decision, Kind, NewContactRequest};
use qiao_store::{ContactFilter, Paged, Store, StoreError};

use crate::disclosure;
use crate::error::{AppError, AppResult};

/// Asks the owner of listing `id` (of `kind`) for its contact details, as `user`.
pub async fn request(
    store: &Arc<dyn Store>,
    user: &Account,
    kind: Kind,
    id: i64,
    mut new: NewContactRequest,
) -> AppResult<ContactRequest> {
    if !may_request_contact(user) {
        return Err(AppError::forbidden(
            "only accounts acting for an organisation (or platform staff) request contact details",
        ));
    }
    // A draft the user may not see is a 404, exactly as reading it would be.
    disclosure::load(store, kind, id, Some(user)).await?;
    new.validate()?;
    Ok(store
        .acting_as(user.id)
        .create_contact_request(id, user, &new.message)
        .await?)
}

/// Loads a request `user` may read (its two sides and admins); others get a 404, so request ids
/// do not reveal who asked whom.
pub async fn load(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<ContactRequest> {
    match store.get_contact_request(id).await {
        Ok(r) if r.may_read(user) => Ok(r),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(AppError::not_found("contact request", id)),
        Err(e) => Err(e.into()),
    }
}

/// Accepts or declines request `id` as `user`, who must own the listing (or be an admin).
pub async fn decide(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    mut decision: Decision,
) -> AppResult<ContactRequest> {
    let current = load(store, user, id).await?;
    if !current.may_decide(user) {
        return Err(AppError::forbidden(
            "only the listing's organisation decides on its contact requests",
        ));
    }
    decision.validate()?;
    Ok(store
        .acting_as(user.id)
        .decide_contact_request(id, &decision)
        .await?)
}

/// The requests `user` sees in one box: `received` (addressed to their organisation) or `sent`.
pub async fn inbox(
    store: &Arc<dyn Store>,
    user: &Account,
    sent: bool,
    page: qiao_store::Page,
) -> AppResult<Paged<ContactRequest>> {
    let filter = if sent {
        ContactFilter {
            requester_id: Some(user.id),
            ..Default::default()
        }
    } else {
        match user.org_id {
            Some(org) => ContactFilter {
                owner_org_id: Some(org),
                ..Default::default()
            },
            None => {
                return Ok(Paged {
                    items: Vec::new(),
                    total: 0,
                    page: page.number,
                    per_page: page.size,
                });
            }
        }
    };
    Ok(store.contact_requests(&filter, page).await?)
}
