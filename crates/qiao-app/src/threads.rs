//! Message threads (issue #26): the conversation on an accepted contact request or a deal,
//! written once for the API (`/api/v1/threads/{kind}/{id}/messages`) and the pages (the request
//! page `/requests/{id}`, a deal's page).
//!
//! Who takes part is the subject's own rule, reused rather than restated: a contact request's
//! two sides and admins (`ContactRequest::may_read`, through [`contact_requests::load`]) once
//! the owner accepted it; a deal's readers (its parties' members, its managers, staff and
//! admins: [`deals::load`]). Anyone else gets the 404 of a subject that does not exist, so ids
//! reveal nothing. A participant may read and post; messages are never edited or deleted, so
//! the thread stays the record of what was agreed.
//!
//! Adding a subject (a 揭榜 application): a `SubjectKind` variant in qiao-domain and one arm in
//! [`access`] calling that record's own `load`.
//!
//! Once a request is accepted, both sides also see each other's contact details
//! ([`contact_details`]): the listing's contact person, phone and e-mail for the requester, and
//! the requester's name, organisation, phone and e-mail (as their account gives them) for
//! the owner.

use std::sync::Arc;

use qiao_domain::attachment::{Attachment, NewAttachment, OwnerKind};
use qiao_domain::notification::{NotificationKind, Target, TargetKind};
use qiao_domain::thread::{MAX_PAGE, Message, NewMessage, Subject, SubjectKind};
use qiao_domain::{Account, ContactRequest, ContactStatus};
use qiao_store::{Store, StoreError};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::{applications, contact_requests, deals, notifications};

/// A message with the files it carries.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MessageView {
    /// The message.
    #[serde(flatten)]
    pub message: Message,
    /// Its files (download each at `/api/v1/attachments/{id}`).
    pub attachments: Vec<Attachment>,
}

/// One page of a thread, newest first.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ThreadPage {
    /// The thread's subject.
    pub subject: Subject,
    /// How many messages the thread has.
    pub total: i64,
    /// The messages of this page, newest first.
    pub messages: Vec<MessageView>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next_before: Option<i64>,
}

/// Checks that `user` takes part in the thread of `subject`: a 404 for a subject they may not
/// read (or that does not exist), a conflict for a contact request not (yet) accepted.
pub async fn access(store: &Arc<dyn Store>, user: &Account, subject: Subject) -> AppResult<()> {
    match subject.kind {
        SubjectKind::ContactRequest => {
            let request = contact_requests::load(store, user, subject.id).await?;
            if request.status != ContactStatus::Accepted {
                return Err(AppError::Conflict(format!(
                    "contact request {} is {}; its thread opens once the owner accepts it",
                    request.id,
                    request.status.as_str()
                )));
            }
        }
        SubjectKind::Deal => {
            deals::load(store, user, subject.id).await?;
        }
        SubjectKind::Application => {
            applications::load(store, user, subject.id).await?;
        }
    }
    Ok(())
}

/// A page of `limit` (at most [`MAX_PAGE`]) messages older than `before`, with their files.
pub async fn page(
    store: &Arc<dyn Store>,
    user: &Account,
    subject: Subject,
    before: Option<i64>,
    limit: u32,
) -> AppResult<ThreadPage> {
    access(store, user, subject).await?;
    let limit = limit.clamp(1, MAX_PAGE);
    let messages = store.messages(subject, before, limit).await?;
    let total = store.message_count(subject).await?;
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let mut files = store.attachments_of(OwnerKind::Message, &ids).await?;
    let next_before = (messages.len() == limit as usize)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    let messages = messages
        .into_iter()
        .map(|message| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                files.drain(..).partition(|f| f.owner.id == message.id);
            files = rest;
            MessageView {
                message,
                attachments: mine,
            }
        })
        .collect();
    Ok(ThreadPage {
        subject,
        total,
        messages,
        next_before,
    })
}

/// Posts a message with `files` (each already checked by `NewAttachment::check`) as `user`.
pub async fn post(
    store: &Arc<dyn Store>,
    user: &Account,
    subject: Subject,
    mut new: NewMessage,
    files: Vec<NewAttachment>,
) -> AppResult<MessageView> {
    access(store, user, subject).await?;
    new.validate()?;
    let acting = store.acting_as(user.id);
    let message = acting
        .post_message(subject, user, &new.body, &files)
        .await?;
    let attachments = store
        .attachments_of(OwnerKind::Message, &[message.id])
        .await?;
    notify_parties(store, user, subject).await;
    Ok(MessageView {
        message,
        attachments,
    })
}

/// Tells the thread's other parties of a new message by `author`: a contact request's two
/// sides, a deal's parties and managers, an application's applicant and challenge owner (staff,
/// who may read every deal and application, are not told of each).
async fn notify_parties(store: &Arc<dyn Store>, author: &Account, subject: Subject) {
    let parties = match subject.kind {
        SubjectKind::ContactRequest => store.get_contact_request(subject.id).await.map(|r| {
            (
                TargetKind::ContactRequest,
                r.owner_org_id.into_iter().collect(),
                vec![r.requester_id],
                ("联系请求", "contact request"),
            )
        }),
        SubjectKind::Deal => store.get_deal(subject.id).await.map(|d| {
            (
                TargetKind::Deal,
                [d.deal.seller_org_id, d.deal.buyer_org_id]
                    .into_iter()
                    .flatten()
                    .collect(),
                d.deal.managers.iter().map(|m| m.account_id).collect(),
                ("交易", "deal"),
            )
        }),
        SubjectKind::Application => store.get_application(subject.id).await.map(|a| {
            (
                TargetKind::Application,
                std::iter::once(a.application.applicant_org_id)
                    .chain(a.application.owner_org_id)
                    .collect(),
                Vec::new(),
                ("揭榜申请", "application"),
            )
        }),
    };
    let (kind, orgs, accounts, (what_zh, what_en)) = match parties {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "message notification: thread subject not read");
            return;
        }
    };
    let id = subject.id;
    notifications::notify(
        store,
        notifications::event(
            NotificationKind::Message,
            Target { kind, id },
            format!("{}在{what_zh} #{id} 中发来新消息", author.display_name),
            format!(
                "New message from {} on {what_en} #{id}",
                author.display_name
            ),
            orgs,
            accounts,
            Some(author.id),
        ),
    )
    .await;
}

/// How to reach one side of an accepted contact request.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ContactCard {
    /// The organisation's name.
    pub organisation: Option<String>,
    /// The organisation's id (its page is `/orgs/{id}`).
    pub organisation_id: Option<i64>,
    /// The contact person.
    pub person: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// Both sides of an accepted request.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContactDetails {
    /// The listing's owner: its contact person, phone and e-mail as the listing gives them.
    pub owner: ContactCard,
    /// Who asked: their name and organisation, and the phone and e-mail they gave on their
    /// account page (if any; the thread is the channel back otherwise).
    pub requester: ContactCard,
}

/// The contact details both sides of `request` see once it is accepted; `None` before.
/// `request` must have been loaded for `user` ([`contact_requests::load`]).
pub async fn contact_details(
    store: &Arc<dyn Store>,
    request: &ContactRequest,
) -> AppResult<Option<ContactDetails>> {
    if request.status != ContactStatus::Accepted {
        return Ok(None);
    }
    let org_name = |id: Option<i64>| {
        let store = store.clone();
        async move {
            match id {
                Some(id) => match store.get_org(id).await {
                    Ok(o) => Ok(Some(o.org.name)),
                    Err(StoreError::NotFound { .. }) => Ok(None),
                    Err(e) => Err(AppError::from(e)),
                },
                None => Ok(None),
            }
        }
    };
    let contact = match store.get_listing(request.listing_id).await {
        Ok(l) => l.listing.contact().cloned().unwrap_or_default(),
        Err(StoreError::NotFound { .. }) => Default::default(),
        Err(e) => return Err(e.into()),
    };
    let requester = match store.get_account(request.requester_id).await {
        Ok(a) => Some(a),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Some(ContactDetails {
        owner: ContactCard {
            organisation: org_name(request.owner_org_id).await?,
            organisation_id: request.owner_org_id,
            person: contact.name,
            phone: contact.phone,
            email: contact.email,
        },
        requester: ContactCard {
            organisation: org_name(request.requester_org_id).await?,
            organisation_id: request.requester_org_id,
            person: requester.as_ref().map(|a| a.display_name.clone()),
            phone: requester.as_ref().and_then(|a| a.phone.clone()),
            email: requester.and_then(|a| a.email),
        },
    }))
}
