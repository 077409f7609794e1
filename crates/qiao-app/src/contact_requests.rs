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
use qiao_domain::notification::{NotificationKind, Target, TargetKind};
use qiao_domain::{Account, ContactRequest, ContactStatus, Decision, Kind, NewContactRequest};
use qiao_store::{ContactFilter, Paged, Store, StoreError};

use crate::error::{AppError, AppResult};
use crate::{disclosure, notifications};

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
    let listing = disclosure::load(store, kind, id, Some(user)).await?;
    new.validate()?;
    let created = store
        .acting_as(user.id)
        .create_contact_request(id, user, &new.message)
        .await?;
    let title = listing.listing.title();
    notifications::notify(
        store,
        notifications::event(
            NotificationKind::ContactRequest,
            target(created.id),
            format!("{}请求《{title}》的联系方式", user.display_name),
            format!(
                "{} asks for the contact details of “{title}”",
                user.display_name
            ),
            created.owner_org_id.into_iter().collect(),
            Vec::new(),
            Some(user.id),
        ),
    )
    .await;
    Ok(created)
}

fn target(id: i64) -> Target {
    Target {
        kind: TargetKind::ContactRequest,
        id,
    }
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
    let decided = store
        .acting_as(user.id)
        .decide_contact_request(id, &decision)
        .await?;
    let title = match store.get_listing(decided.listing_id).await {
        Ok(l) => l.listing.title().to_string(),
        Err(_) => format!("#{}", decided.listing_id),
    };
    let (zh, en) = if decided.status == ContactStatus::Accepted {
        ("已接受", "accepted")
    } else {
        ("已婉拒", "declined")
    };
    notifications::notify(
        store,
        notifications::event(
            NotificationKind::ContactDecision,
            target(decided.id),
            format!("您对《{title}》的联系请求{zh}"),
            format!("Your contact request for “{title}” was {en}"),
            Vec::new(),
            vec![decided.requester_id],
            Some(user.id),
        ),
    )
    .await;
    Ok(decided)
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
