//! Notifications (issue #26): who hears of what, the inbox, each account's choices, followed
//! challenges, and the periodic check for what time brings (certificates about to expire,
//! followed challenges about to close).
//!
//! Every event is notified by qiao-app right after the operation that wrote it commits
//! (`contact_requests::request`, `threads::post`, `applications::act`, `deals::act`…), never by
//! an HTTP handler, so the API, the pages and the command line notify alike. A failure to
//! notify is logged and does not undo or fail the operation: the event stands, and a lost
//! notice is the smaller harm.
//!
//! [`notify`] takes an [`Event`] (what happened, the record it points at, its title in both
//! languages, and the recipients: organisations, whose active accounts all hear, and single
//! accounts), applies each recipient's preferences at that moment and hands the store the
//! inbox rows and e-mails to write in one transaction. The e-mails are sent later by
//! [`crate::mail`], off the request path.
//!
//! Adding a kind (as instrument bookings were: `bookings::book` and `bookings::act`): a variant of
//! `qiao_domain::notification::NotificationKind` (its name and labels), then one [`notify`]
//! call with an [`Event`] where the booking operation succeeds. The settings page, the API's
//! preferences and e-mail follow from `NotificationKind::ALL`.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use qiao_domain::notification::{
    MAX_PAGE, NewNotification, Notification, NotificationKind, Preference, Target, TargetKind,
};
use qiao_domain::{Account, Kind, Listing, Status};
use qiao_store::{Delivery, Mail, OrgFilter, Page, Store, StoreError};
use serde::Serialize;

use crate::disclosure;
use crate::error::{AppError, AppResult};

/// Something that happened, for the accounts it concerns.
#[derive(Debug, Clone)]
pub struct Event {
    /// What happened.
    pub kind: NotificationKind,
    /// The record to link to.
    pub target: Target,
    /// What happened, in Chinese.
    pub title: String,
    /// What happened, in English.
    pub title_en: String,
    /// Organisations whose active accounts hear of it.
    pub orgs: Vec<i64>,
    /// Single accounts who hear of it.
    pub accounts: Vec<i64>,
    /// The account who did it, who is not told of their own act.
    pub actor: Option<i64>,
    /// For events a periodic check finds: the key of the event; each recipient's id is appended
    /// to it, and a key already written is never delivered again.
    pub once: Option<String>,
}

/// The e-mail of a notification: the title as subject, both languages and the link in the body.
pub fn mail_for(to: &str, n: &NewNotification) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("桥 Qiao · {}", n.title),
        body: format!(
            "{}\n{}\n\n查看 · View: {}\n\n在“账户设置”(/account) 中可选择接收哪些通知。\nChoose which notifications you receive under /account.\n",
            n.title,
            n.title_en,
            n.target.path()
        ),
    }
}

/// Delivers `event` to its recipients as their preferences say; returns how many were written.
/// Errors are returned for the periodic check; operations call [`notify`], which logs them.
pub async fn deliver(store: &Arc<dyn Store>, event: &Event) -> Result<usize, StoreError> {
    let mut orgs = event.orgs.clone();
    orgs.sort_unstable();
    orgs.dedup();
    let recipients = store.recipients(event.kind, &orgs, &event.accounts).await?;
    let deliveries: Vec<Delivery> = recipients
        .into_iter()
        .filter(|r| Some(r.account_id) != event.actor && (r.in_app || r.email))
        .map(|r| {
            let notification = NewNotification {
                account_id: r.account_id,
                kind: event.kind,
                target: event.target,
                title: event.title.clone(),
                title_en: event.title_en.clone(),
                once_key: event.once.as_ref().map(|k| format!("{k}:{}", r.account_id)),
            };
            let mail = match (&r.address, r.email) {
                (Some(to), true) => Some(mail_for(to, &notification)),
                _ => None,
            };
            Delivery {
                notification,
                in_app: r.in_app,
                mail,
            }
        })
        .collect();
    store.deliver(&deliveries).await
}

/// Delivers `event`, logging a failure instead of returning it (see the module's notes).
pub async fn notify(store: &Arc<dyn Store>, event: Event) {
    if let Err(e) = deliver(store, &event).await {
        tracing::warn!(
            kind = event.kind.as_str(),
            target = event.target.kind.as_str(),
            target_id = event.target.id,
            error = %e,
            "notification not written"
        );
    }
}

/// An organisation-and-accounts event, with `title`/`title_en` and no once-key.
pub fn event(
    kind: NotificationKind,
    target: Target,
    title: String,
    title_en: String,
    orgs: Vec<i64>,
    accounts: Vec<i64>,
    actor: Option<i64>,
) -> Event {
    Event {
        kind,
        target,
        title,
        title_en,
        orgs,
        accounts,
        actor,
        once: None,
    }
}

/// One page of an account's inbox, newest first, with the count of unread ones.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Inbox {
    /// How many of the account's notifications are unread.
    pub unread: i64,
    /// This page's notifications, newest first.
    pub items: Vec<InboxItem>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next_before: Option<i64>,
}

/// A notification with the page it links to.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InboxItem {
    /// The notification.
    #[serde(flatten)]
    pub notification: Notification,
    /// The page of the record it points at.
    pub link: String,
}

/// A page of `user`'s inbox: `limit` (at most 50) notifications older than `before`.
pub async fn inbox(
    store: &Arc<dyn Store>,
    user: &Account,
    before: Option<i64>,
    limit: u32,
) -> AppResult<Inbox> {
    let limit = limit.clamp(1, MAX_PAGE);
    let list = store.notifications(user.id, before, limit).await?;
    let next_before = (list.len() == limit as usize)
        .then(|| list.last().map(|n| n.id))
        .flatten();
    Ok(Inbox {
        unread: store.unread_count(user.id).await?,
        items: list
            .into_iter()
            .map(|n| InboxItem {
                link: n.target.path(),
                notification: n,
            })
            .collect(),
        next_before,
    })
}

/// Marks notification `id` read for `user`; someone else's is a 404 like a missing one.
pub async fn mark_read(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<InboxItem> {
    match store.mark_read(user.id, id).await {
        Ok(n) => Ok(InboxItem {
            link: n.target.path(),
            notification: n,
        }),
        Err(StoreError::NotFound { .. }) => Err(AppError::not_found("notification", id)),
        Err(e) => Err(e.into()),
    }
}

/// Marks all of `user`'s notifications read; how many were unread.
pub async fn mark_all_read(store: &Arc<dyn Store>, user: &Account) -> AppResult<u64> {
    Ok(store.mark_all_read(user.id).await?)
}

/// `user`'s choices for every kind.
pub async fn preferences(store: &Arc<dyn Store>, user: &Account) -> AppResult<Vec<Preference>> {
    Ok(store.preferences(user.id).await?)
}

/// Stores `user`'s choices (kinds not named keep theirs); returns them all.
pub async fn set_preferences(
    store: &Arc<dyn Store>,
    user: &Account,
    prefs: &[Preference],
) -> AppResult<Vec<Preference>> {
    store.set_preferences(user.id, prefs).await?;
    preferences(store, user).await
}

/// Makes `user` follow (or, with `follow` false, stop following) challenge `id`: any challenge
/// they may see; another kind of listing is a 404, like a missing one.
pub async fn set_following(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    follow: bool,
) -> AppResult<bool> {
    disclosure::load(store, Kind::Challenge, id, Some(user)).await?;
    if follow {
        store.follow_challenge(user.id, id).await?;
    } else {
        store.unfollow_challenge(user.id, id).await?;
    }
    Ok(follow)
}

/// How many days before a certificate expires its organisation is told (once each).
pub const CERTIFICATE_DAYS: [i64; 2] = [90, 30];
/// How many days before a followed challenge stops taking applications its followers are
/// told (once each).
pub const DEADLINE_DAYS: [i64; 2] = [7, 1];

/// The smallest threshold of `thresholds` that `days` has reached, if any (`days` before the
/// date, 0 on the day itself; a date passed reaches none).
fn reached(days: i64, thresholds: &[i64]) -> Option<i64> {
    if days < 0 {
        return None;
    }
    thresholds.iter().copied().filter(|&t| days <= t).min()
}

/// The periodic check: notifies certificates within [`CERTIFICATE_DAYS`] of expiry and
/// followed challenges within [`DEADLINE_DAYS`] of their closing day, as of `today`. Each
/// event is keyed by record, date, threshold and recipient, so running it again (every hour,
/// after a restart) notifies nothing twice. Reads organisations and followed challenges a
/// bounded page at a time. Returns how many notifications it wrote.
pub async fn check_dates(store: &Arc<dyn Store>, today: NaiveDate) -> Result<usize, StoreError> {
    let mut written = 0;
    let mut number = 1;
    loop {
        let page = store
            .list_orgs(&OrgFilter::default(), Page { number, size: 100 })
            .await?;
        for org in &page.items {
            for cert in &org.org.certificates {
                let days = (cert.expires_on - today).num_days();
                let Some(threshold) = reached(days, &CERTIFICATE_DAYS) else {
                    continue;
                };
                let date = cert.expires_on;
                written += deliver(
                    store,
                    &Event {
                        once: Some(format!(
                            "certificate:{}:{}:{date}:{threshold}",
                            org.id,
                            cert.kind.label_en()
                        )),
                        ..event(
                            NotificationKind::CertificateExpiry,
                            Target {
                                kind: TargetKind::Organisation,
                                id: org.id,
                            },
                            format!(
                                "{}的{}证书将于 {} 年 {} 月 {} 日到期（还有 {days} 天）",
                                org.org.name,
                                cert.kind.label_zh(),
                                date.year(),
                                date.month(),
                                date.day()
                            ),
                            format!(
                                "The {} certificate of {} expires on {date} (in {days} days)",
                                cert.kind.label_en(),
                                org.org.name
                            ),
                            vec![org.id],
                            Vec::new(),
                            None,
                        )
                    },
                )
                .await?;
            }
        }
        if page.items.len() < 100 {
            break;
        }
        number += 1;
    }
    let mut after = 0;
    loop {
        let ids = store.followed_challenges(after, 100).await?;
        for &id in &ids {
            let record = match store.get_listing(id).await {
                Ok(r) => r,
                Err(StoreError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let Listing::Challenge(c) = &record.listing else {
                continue;
            };
            if c.status != Status::Open {
                continue;
            }
            let days = (c.apply_until - today).num_days();
            let Some(threshold) = reached(days, &DEADLINE_DAYS) else {
                continue;
            };
            let followers = store.challenge_followers(id).await?;
            let date = c.apply_until;
            written += deliver(
                store,
                &Event {
                    once: Some(format!("deadline:{id}:{date}:{threshold}")),
                    ..event(
                        NotificationKind::ChallengeDeadline,
                        Target {
                            kind: TargetKind::Challenge,
                            id,
                        },
                        format!(
                            "您关注的榜单《{}》将于 {} 月 {} 日截止申请（还有 {days} 天）",
                            c.title,
                            date.month(),
                            date.day()
                        ),
                        format!(
                            "Applications to “{}”, which you follow, close on {date} (in {days} days)",
                            c.title
                        ),
                        Vec::new(),
                        followers,
                        None,
                    )
                },
            )
            .await?;
        }
        match ids.last() {
            Some(&last) if ids.len() == 100 => after = last,
            _ => break,
        }
    }
    Ok(written)
}

/// Runs [`check_dates`] now and then every `every`, on the runtime (its work is a few bounded
/// queries per page, nothing CPU-heavy), logging failures; for `qiao serve`.
pub fn spawn_date_checks(store: Arc<dyn Store>, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match check_dates(&store, qiao_domain::today()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(written = n, "date notifications written"),
                Err(e) => tracing::warn!(error = %e, "date notifications failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_reached() {
        assert_eq!(reached(120, &CERTIFICATE_DAYS), None);
        assert_eq!(reached(90, &CERTIFICATE_DAYS), Some(90));
        assert_eq!(reached(31, &CERTIFICATE_DAYS), Some(90));
        assert_eq!(reached(30, &CERTIFICATE_DAYS), Some(30));
        assert_eq!(reached(0, &CERTIFICATE_DAYS), Some(30));
        assert_eq!(reached(-1, &CERTIFICATE_DAYS), None);
        assert_eq!(reached(7, &DEADLINE_DAYS), Some(7));
        assert_eq!(reached(1, &DEADLINE_DAYS), Some(1));
    }
}
