//! 揭榜: applying to a challenge and reviewing the applications, shared by the API and the
//! pages.
//!
//! Who may do what:
//! - an organisation's member applies for it, to an open challenge inside its window, never to
//!   its own (the domain's `may_apply`), and withdraws its own pending application;
//! - the challenge's reviewers see, score, shortlist, decline, award, close the review and
//!   reopen it for a new round:
//!   members of the owning organisation and admins, and commission staff when the challenge is
//!   the government's (published by a government organisation, or by no organisation);
//! - applications are confidential between the applicant, the owner and staff: anyone else
//!   reading one by id gets the 404 of an application that does not exist ([`load`]), and
//!   listing a challenge's applications is refused.
//!
//! An award opens a deal with the applicant as seller and the owner as buyer (the deals'
//! `sides` rule), the challenge and the application as its origin, and sets the challenge to
//! 已揭榜, all in one transaction with the award (`Store::award_application`).

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use qiao_domain::application::{self, ApplicationAction, Criterion};
use qiao_domain::listing::Status;
use qiao_domain::notification::{NotificationKind, Target, TargetKind};
use qiao_domain::{
    Account, Application, ApplicationError, ApplicationStatus, Kind, Listing, OrgKind, Proposal,
};
use qiao_store::{
    ApplicationChange, ApplicationEventRecord, ApplicationFilter, ApplicationRecord, DealRecord,
    ListingRecord, Page, Paged, Store, StoreError,
};

use crate::error::{AppError, AppResult};
use crate::{disclosure, notifications};

/// The most applications one challenge's review lists (a review reads them all).
pub const MAX_PER_CHALLENGE: u32 = 500;

/// An application as its page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApplicationView {
    /// The application.
    pub record: ApplicationRecord,
    /// Its history, oldest first.
    pub events: Vec<ApplicationEventRecord>,
    /// The challenge's criteria.
    pub criteria: Vec<Criterion>,
    /// Whether the viewer reviews it.
    pub may_review: bool,
    /// Whether the viewer may withdraw it.
    pub may_withdraw: bool,
}

/// A challenge's applications, for its review.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Review {
    /// The challenge.
    pub challenge: ListingRecord,
    /// Its criteria.
    pub criteria: Vec<Criterion>,
    /// Its applications, newest first.
    pub applications: Vec<ApplicationRecord>,
}

/// The challenge of a listing record, or a 404 naming it as a challenge.
fn challenge_of(record: &ListingRecord) -> AppResult<&qiao_domain::listing::Challenge> {
    match &record.listing {
        Listing::Challenge(c) => Ok(c),
        _ => Err(AppError::not_found("challenge", record.id)),
    }
}

/// The challenge's criteria.
pub fn criteria_of(record: &ListingRecord) -> AppResult<Vec<Criterion>> {
    Ok(application::criteria(challenge_of(record)?))
}

/// Whether `user` reviews the applications of a challenge owned by `owner_org_id`: its
/// members and admins, and staff for a government's challenge.
pub async fn may_review(
    store: &Arc<dyn Store>,
    user: &Account,
    owner_org_id: Option<i64>,
) -> AppResult<bool> {
    if user.may_change(owner_org_id) {
        return Ok(true);
    }
    if !user.is_staff() {
        return Ok(false);
    }
    Ok(match owner_org_id {
        None => true,
        Some(id) => match store.get_org(id).await {
            Ok(o) => o.org.kind == OrgKind::Government,
            Err(StoreError::NotFound { .. }) => true,
            Err(e) => return Err(e.into()),
        },
    })
}

/// Whether `user` may read `app`: its applicant's members, the owner's, staff and admins.
pub fn may_read(user: &Account, app: &Application) -> bool {
    user.is_staff()
        || user
            .org_id
            .is_some_and(|o| o == app.applicant_org_id || Some(o) == app.owner_org_id)
}

/// Loads application `id` if `user` may read it; the 404 of a missing one otherwise, so ids
/// reveal nothing.
pub async fn load(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<ApplicationRecord> {
    match store.get_application(id).await {
        Ok(r) if may_read(user, &r.application) => Ok(r),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(AppError::not_found("application", id)),
        Err(e) => Err(e.into()),
    }
}

/// Application `id` with its history and what the viewer may do, for its page.
pub async fn view(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<ApplicationView> {
    let record = load(store, user, id).await?;
    let events = store.application_events(id).await?;
    let challenge = store.get_listing(record.application.listing_id).await;
    let criteria = match &challenge {
        Ok(c) => criteria_of(c).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let owner = match &challenge {
        Ok(c) => c.owner_org_id,
        Err(_) => record.application.owner_org_id,
    };
    let pending = record.application.status.is_pending();
    Ok(ApplicationView {
        may_review: pending && may_review(store, user, owner).await?,
        may_withdraw: pending && user.org_id == Some(record.application.applicant_org_id),
        record,
        events,
        criteria,
    })
}

/// Applies to challenge `listing_id` for `user`'s organisation on `today`.
pub async fn apply(
    store: &Arc<dyn Store>,
    user: &Account,
    listing_id: i64,
    proposal: Proposal,
    today: NaiveDate,
) -> AppResult<ApplicationRecord> {
    let record = disclosure::load(store, Kind::Challenge, listing_id, Some(user)).await?;
    let Some(org) = user.org_id else {
        return Err(AppError::forbidden(
            "an organisation applies to a challenge: sign in with an account of your organisation",
        ));
    };
    let challenge = challenge_of(&record)?;
    application::may_apply(challenge, record.owner_org_id, org, today)?;
    let (app, event) = Application::submit(
        listing_id,
        record.owner_org_id,
        org,
        proposal,
        user.id,
        Utc::now(),
    )?;
    let created = store
        .acting_as(user.id)
        .create_application(&app, &event)
        .await?;
    let title = record.listing.title();
    notifications::notify(
        store,
        notifications::event(
            NotificationKind::ApplicationReceived,
            target(created.id),
            format!("榜单《{title}》收到新的揭榜申请"),
            format!("A new application to “{title}”"),
            record.owner_org_id.into_iter().collect(),
            Vec::new(),
            Some(user.id),
        ),
    )
    .await;
    Ok(created)
}

fn target(id: i64) -> Target {
    Target {
        kind: TargetKind::Application,
        id,
    }
}

/// Tells the applicant's organisation that its application `record` to `challenge` is now
/// shortlisted, declined, not chosen or awarded (with the reason where there is one), and the
/// challenge's organisation that one was withdrawn; other statuses tell no one.
async fn notify_status(
    store: &Arc<dyn Store>,
    user: &Account,
    challenge: &ListingRecord,
    record: &ApplicationRecord,
) {
    let a = &record.application;
    let title = challenge.listing.title();
    let (kind, zh, en, orgs) = match a.status {
        ApplicationStatus::Withdrawn => (
            NotificationKind::ApplicationReceived,
            format!("榜单《{title}》的一份揭榜申请已撤回"),
            format!("An application to “{title}” was withdrawn"),
            challenge.owner_org_id.into_iter().collect(),
        ),
        ApplicationStatus::Shortlisted
        | ApplicationStatus::Declined
        | ApplicationStatus::NotChosen
        | ApplicationStatus::Awarded => {
            let (reason_zh, reason_en) = match &a.reason {
                Some(r) => (format!("（原因：{r}）"), format!(" (reason: {r})")),
                None => (String::new(), String::new()),
            };
            (
                NotificationKind::ApplicationStatus,
                format!(
                    "您对《{title}》的揭榜申请：{}{reason_zh}",
                    a.status.label_zh()
                ),
                format!(
                    "Your application to “{title}”: {}{reason_en}",
                    a.status.label_en()
                ),
                vec![a.applicant_org_id],
            )
        }
        _ => return,
    };
    notifications::notify(
        store,
        notifications::event(
            kind,
            target(record.id),
            zh,
            en,
            orgs,
            Vec::new(),
            Some(user.id),
        ),
    )
    .await;
}

/// The challenge and its applications, for its reviewers and staff (who read every
/// application); 403 for anyone else who may see the challenge.
pub async fn review(store: &Arc<dyn Store>, user: &Account, listing_id: i64) -> AppResult<Review> {
    let (review, _) = review_and_right(store, user, listing_id).await?;
    Ok(review)
}

/// [`review`], and whether `user` may also act on it ([`may_review`]: decide, close, reopen),
/// which staff who only read every application may not.
async fn review_and_right(
    store: &Arc<dyn Store>,
    user: &Account,
    listing_id: i64,
) -> AppResult<(Review, bool)> {
    let challenge = disclosure::load(store, Kind::Challenge, listing_id, Some(user)).await?;
    let may_act = may_review(store, user, challenge.owner_org_id).await?;
    if !user.is_staff() && !may_act {
        return Err(AppError::forbidden(
            "a challenge's applications are seen by its owner and staff only",
        ));
    }
    let applications = store
        .applications(
            &ApplicationFilter {
                listing_id: Some(listing_id),
                ..Default::default()
            },
            Page {
                number: 1,
                size: MAX_PER_CHALLENGE,
            },
        )
        .await?
        .items;
    Ok((
        Review {
            criteria: criteria_of(&challenge)?,
            challenge,
            applications,
        },
        may_act,
    ))
}

/// The applications of `user`'s organisation, newest first (我的揭榜).
pub async fn mine(
    store: &Arc<dyn Store>,
    user: &Account,
    page: Page,
) -> AppResult<Paged<ApplicationRecord>> {
    let Some(org) = user.org_id else {
        return Ok(Paged {
            items: Vec::new(),
            total: 0,
            page: page.number,
            per_page: page.size,
        });
    };
    Ok(store
        .applications(
            &ApplicationFilter {
                applicant_org_id: Some(org),
                ..Default::default()
            },
            page,
        )
        .await?)
}

fn refusal(e: ApplicationError) -> AppError {
    match e {
        ApplicationError::Invalid(invalid) => AppError::Invalid(invalid),
        other => AppError::Conflict(other.to_string()),
    }
}

/// The challenge with its status set, if it changes (a draft or closed one is left alone).
fn with_status(record: &ListingRecord, status: Status) -> Option<Listing> {
    let mut listing = record.listing.clone();
    match &mut listing {
        Listing::Challenge(c) if c.status != status && c.status != Status::Draft => {
            c.status = status;
            Some(listing)
        }
        _ => None,
    }
}

/// What an action did: the application, and the deal an award opened.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Acted {
    /// The application as stored now.
    pub application: ApplicationRecord,
    /// The deal the award opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealRecord>,
}

/// Applies `action` to application `id` as `user`, if it is still at `version`: the applicant
/// withdraws, the reviewers do the rest. An award opens its deal.
pub async fn act(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    version: i64,
    action: ApplicationAction,
) -> AppResult<Acted> {
    let current = load(store, user, id).await?;
    let challenge = store.get_listing(current.application.listing_id).await?;
    if action.by_applicant() {
        if user.org_id != Some(current.application.applicant_org_id) {
            return Err(AppError::forbidden(
                "only the applying organisation withdraws its application",
            ));
        }
    } else if !may_review(store, user, challenge.owner_org_id).await? {
        return Err(AppError::forbidden(
            "applications are reviewed by the challenge's owner (and staff for a government's challenge)",
        ));
    }
    let criteria = criteria_of(&challenge)?;
    let is_award = action == ApplicationAction::Award;
    let (next, event) = current
        .application
        .apply(action, &criteria, user.id, Utc::now())
        .map_err(refusal)?;
    let change = ApplicationChange {
        id,
        version,
        application: next,
        event,
    };
    let writer = store.acting_as(user.id);
    if is_award {
        let deal = crate::deals::from_award(store, &challenge, id, &current.application).await?;
        let deal_event = deal.opened(user.id, Utc::now(), Some(format!("揭榜申请 #{id} 获选")));
        let awarded = with_status(&challenge, Status::Awarded);
        let (application, deal) = writer
            .award_application(
                &change,
                &deal,
                &deal_event,
                awarded.as_ref().map(|l| (challenge.id, l)),
            )
            .await?;
        notify_status(store, user, &challenge, &application).await;
        crate::deals::notify_opened(store, user, &deal).await;
        return Ok(Acted {
            application,
            deal: Some(deal),
        });
    }
    let application = writer
        .update_applications(std::slice::from_ref(&change), None)
        .await?
        .remove(0);
    if application.application.status != current.application.status {
        notify_status(store, user, &challenge, &application).await;
    }
    Ok(Acted {
        application,
        deal: None,
    })
}

/// Closes the review of challenge `listing_id`: every application still pending is not chosen,
/// with `reason` (shown to each applicant), and the challenge becomes 已揭榜 if one was
/// awarded, 已关闭 otherwise; all in one transaction. Returns the applications changed.
pub async fn conclude(
    store: &Arc<dyn Store>,
    user: &Account,
    listing_id: i64,
    reason: String,
) -> AppResult<Vec<ApplicationRecord>> {
    let (
        Review {
            challenge,
            criteria,
            applications,
        },
        may_act,
    ) = review_and_right(store, user, listing_id).await?;
    if !may_act {
        return Err(AppError::forbidden(
            "a review is closed by the challenge's owner (and staff for a government's challenge)",
        ));
    }
    let at = Utc::now();
    let mut changes = Vec::new();
    for r in applications
        .iter()
        .filter(|r| r.application.status.is_pending())
    {
        let (next, event) = r
            .application
            .apply(
                ApplicationAction::Conclude {
                    reason: reason.clone(),
                },
                &criteria,
                user.id,
                at,
            )
            .map_err(refusal)?;
        changes.push(ApplicationChange {
            id: r.id,
            version: r.version,
            application: next,
            event,
        });
    }
    let any_awarded = applications
        .iter()
        .any(|r| r.application.status == qiao_domain::ApplicationStatus::Awarded);
    let status = if any_awarded {
        Status::Awarded
    } else {
        Status::Closed
    };
    let closed = with_status(&challenge, status);
    if changes.is_empty() && closed.is_none() {
        return Ok(Vec::new());
    }
    let changed = store
        .acting_as(user.id)
        .update_applications(&changes, closed.as_ref().map(|l| (challenge.id, l)))
        .await?;
    for record in &changed {
        notify_status(store, user, &challenge, record).await;
    }
    Ok(changed)
}

/// Reopens the review of challenge `listing_id` for a new round on `today` (the domain's
/// `reopen`): open again, taking applications from today until `apply_until`, with a new
/// `deadline` if given. Its reviewers do it; the organisations whose applications were
/// declined or not chosen are told they may send a new proposal. Applications already decided
/// stay as they are (an award and its deal stand).
pub async fn reopen(
    store: &Arc<dyn Store>,
    user: &Account,
    listing_id: i64,
    apply_until: NaiveDate,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<ListingRecord> {
    let (
        Review {
            challenge,
            applications,
            ..
        },
        may_act,
    ) = review_and_right(store, user, listing_id).await?;
    if !may_act {
        return Err(AppError::forbidden(
            "a review is reopened by the challenge's owner (and staff for a government's challenge)",
        ));
    }
    let next = application::reopen(challenge_of(&challenge)?, apply_until, deadline, today)?;
    store
        .acting_as(user.id)
        .update_applications(&[], Some((challenge.id, &Listing::Challenge(next))))
        .await?;
    let mut orgs: Vec<i64> = applications
        .iter()
        .filter(|r| {
            matches!(
                r.application.status,
                ApplicationStatus::Declined | ApplicationStatus::NotChosen
            )
        })
        .map(|r| r.application.applicant_org_id)
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    if !orgs.is_empty() {
        let title = challenge.listing.title();
        notifications::notify(
            store,
            notifications::event(
                NotificationKind::ApplicationStatus,
                Target {
                    kind: TargetKind::Challenge,
                    id: challenge.id,
                },
                format!("榜单《{title}》重新开放揭榜，截止 {apply_until}，欢迎提交新的方案"),
                format!("“{title}” takes applications again until {apply_until}: you may send a new proposal"),
                orgs,
                Vec::new(),
                Some(user.id),
            ),
        )
        .await;
    }
    Ok(store.get_listing(listing_id).await?)
}

/// How many days before its window closes a challenge counts as closing soon on the board.
pub const CLOSING_DAYS: i64 = 14;

/// The board's window filter (`open`: taking applications today; `closing`: taking them and
/// closing within [`CLOSING_DAYS`]) as the store's `(window_open_on, window_closes_by)`;
/// `None` for an unknown code.
pub fn window_filter(
    code: &str,
    today: NaiveDate,
) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    match code {
        "open" => Some((Some(today), None)),
        "closing" => Some((
            Some(today),
            Some(today + chrono::Duration::days(CLOSING_DAYS)),
        )),
        _ => None,
    }
}
