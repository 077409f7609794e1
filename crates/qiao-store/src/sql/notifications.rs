//! Notifications (issue #26): the inbox rows, each account's choice of kinds, the challenges
//! accounts follow, and the e-mail outbox.
//!
//! The store decides nothing about who hears of what: qiao-app names the recipients, reads
//! their preferences ([`NotificationStore::recipients`]) and hands over finished
//! [`Delivery`]s, which [`NotificationStore::deliver`] writes in one transaction: the inbox rows,
//! the e-mails queued for the sender, and the once-keys of periodic events (a key already
//! written skips its delivery, so a second check or a restart never notifies twice).
//!
//! Notifications are private to their recipient and are no shared record: they write no
//! change-feed row (the feed is the audit log of records and what the search index follows),
//! and a backup leaves them out, like sessions. Every read and write names the account, so
//! another account's id reads as a row that does not exist.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qiao_domain::notification::{
    MAX_PAGE, NewNotification, Notification, NotificationKind, Preference, Target, TargetKind,
};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{SqlStore, now, parse_ts, ts};
use crate::error::{Result, StoreError};

/// An e-mail to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// The address it goes to.
    pub to: String,
    /// Its subject (UTF-8; the sender encodes it).
    pub subject: String,
    /// Its plain-text body.
    pub body: String,
}

/// One notification as the recipient's preferences shape it: in the inbox or not, by e-mail
/// or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The event and its recipient.
    pub notification: NewNotification,
    /// Whether it goes into the inbox.
    pub in_app: bool,
    /// The e-mail to queue, if any.
    pub mail: Option<Mail>,
}

/// A recipient of a kind, with their choices for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    /// The account.
    pub account_id: i64,
    /// Their e-mail address, if they gave one.
    pub address: Option<String>,
    /// Whether they take the kind in the inbox.
    pub in_app: bool,
    /// Whether they take it by e-mail.
    pub email: bool,
}

/// An e-mail waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedMail {
    /// Its id.
    pub id: i64,
    /// The mail.
    pub mail: Mail,
    /// How many sends failed so far.
    pub attempts: i64,
}

/// The most recipients one event reaches (an organisation's accounts, a deal's parties).
pub const MAX_RECIPIENTS: usize = 500;

/// The inbox, preferences, follows and the outbox.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// The active accounts among `accounts` and those acting for `orgs` (at most
    /// [`MAX_RECIPIENTS`]), with their address and their choices for `kind`.
    async fn recipients(
        &self,
        kind: NotificationKind,
        orgs: &[i64],
        accounts: &[i64],
    ) -> Result<Vec<Recipient>>;
    /// Writes `deliveries` in one transaction; returns how many were written (those whose
    /// once-key was written before are skipped).
    async fn deliver(&self, deliveries: &[Delivery]) -> Result<usize>;
    /// Up to `limit` (at most [`MAX_PAGE`]) notifications of `account_id` with ids below
    /// `before` (all when `None`), newest first.
    async fn notifications(
        &self,
        account_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Notification>>;
    /// How many notifications of `account_id` are unread.
    async fn unread_count(&self, account_id: i64) -> Result<i64>;
    /// Marks notification `id` of `account_id` read; not found when it is someone else's.
    async fn mark_read(&self, account_id: i64, id: i64) -> Result<Notification>;
    /// Marks every notification of `account_id` read; returns how many were unread.
    async fn mark_all_read(&self, account_id: i64) -> Result<u64>;
    /// The choices of `account_id` for every kind (defaults where none was stored).
    async fn preferences(&self, account_id: i64) -> Result<Vec<Preference>>;
    /// Stores the choices of `account_id` for the kinds in `prefs`.
    async fn set_preferences(&self, account_id: i64, prefs: &[Preference]) -> Result<()>;
    /// Makes `account_id` follow challenge `listing_id` (following twice is once).
    async fn follow_challenge(&self, account_id: i64, listing_id: i64) -> Result<()>;
    /// Stops following; not following is no error.
    async fn unfollow_challenge(&self, account_id: i64, listing_id: i64) -> Result<()>;
    /// Whether `account_id` follows `listing_id`.
    async fn follows_challenge(&self, account_id: i64, listing_id: i64) -> Result<bool>;
    /// Up to `limit` followed challenges with ids above `after`, in id order.
    async fn followed_challenges(&self, after: i64, limit: u32) -> Result<Vec<i64>>;
    /// The accounts following `listing_id` (at most [`MAX_RECIPIENTS`]).
    async fn challenge_followers(&self, listing_id: i64) -> Result<Vec<i64>>;
    /// Up to `limit` queued e-mails due at `at`, oldest first.
    async fn due_mail(&self, at: DateTime<Utc>, limit: u32) -> Result<Vec<QueuedMail>>;
    /// Records that e-mail `id` was sent.
    async fn mail_sent(&self, id: i64) -> Result<()>;
    /// Records a failed send of e-mail `id`: tried again at `retry_at`, or given up when
    /// `None`.
    async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// Deletes the e-mails sent or given up before `before` (mail still waiting is kept);
    /// returns how many went.
    async fn prune_mail(&self, before: DateTime<Utc>) -> Result<u64>;
}

const COLUMNS: &str =
    "id, account_id, kind, target_kind, target_id, title, title_en, created_at, read_at";

fn from_row(row: &AnyRow) -> Result<Notification> {
    let kind: String = row.try_get("kind")?;
    let target: String = row.try_get("target_kind")?;
    Ok(Notification {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        kind: NotificationKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("notification kind `{kind}`")))?,
        target: Target {
            kind: TargetKind::parse(&target)
                .ok_or_else(|| StoreError::Corrupt(format!("notification target `{target}`")))?,
            id: row.try_get("target_id")?,
        },
        title: row.try_get("title")?,
        title_en: row.try_get("title_en")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        read_at: row
            .try_get::<Option<String>, _>("read_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
    })
}

#[async_trait]
impl NotificationStore for SqlStore {
    async fn recipients(
        &self,
        kind: NotificationKind,
        orgs: &[i64],
        accounts: &[i64],
    ) -> Result<Vec<Recipient>> {
        let orgs = &orgs[..orgs.len().min(MAX_RECIPIENTS)];
        let accounts = &accounts[..accounts.len().min(MAX_RECIPIENTS)];
        if orgs.is_empty() && accounts.is_empty() {
            return Ok(Vec::new());
        }
        // -1 matches no id: an empty IN list is a syntax error. Numbered marks throughout (the
        // lists are short): SQLite's anonymous `?` would not mix with the `$1` before them.
        let marks = |from: usize, n: usize| {
            (from..from + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let org_marks = marks(2, orgs.len().max(1));
        let account_marks = marks(2 + orgs.len().max(1), accounts.len().max(1));
        let sql = format!(
            "SELECT a.id, a.email AS address, p.in_app, p.email FROM accounts a \
             LEFT JOIN notification_preferences p ON p.account_id = a.id AND p.kind = $1 \
             WHERE a.disabled_at IS NULL AND (a.org_id IN ({org_marks}) OR a.id IN ({account_marks})) \
             ORDER BY a.id LIMIT {MAX_RECIPIENTS}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(kind.as_str());
        for id in if orgs.is_empty() { &[-1][..] } else { orgs } {
            q = q.bind(*id);
        }
        for id in if accounts.is_empty() {
            &[-1][..]
        } else {
            accounts
        } {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Recipient {
                    account_id: r.try_get("id")?,
                    address: r.try_get("address")?,
                    in_app: r
                        .try_get::<Option<i64>, _>("in_app")?
                        .is_none_or(|v| v != 0),
                    email: r.try_get::<Option<i64>, _>("email")?.is_none_or(|v| v != 0),
                })
            })
            .collect()
    }

    async fn deliver(&self, deliveries: &[Delivery]) -> Result<usize> {
        if deliveries.is_empty() {
            return Ok(0);
        }
        let at = ts(now());
        let mut written = 0;
        let mut tx = self.write_tx().await?;
        for d in deliveries {
            let n = &d.notification;
            if let Some(key) = &n.once_key {
                let done = sqlx::query(
                    "INSERT INTO notification_keys (key, created_at) VALUES ($1, $2) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(key.clone())
                .bind(at.clone())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    continue;
                }
            }
            if d.in_app {
                sqlx::query(
                    "INSERT INTO notifications (account_id, kind, target_kind, target_id, title, title_en, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(n.account_id)
                .bind(n.kind.as_str())
                .bind(n.target.kind.as_str())
                .bind(n.target.id)
                .bind(n.title.clone())
                .bind(n.title_en.clone())
                .bind(at.clone())
                .execute(&mut *tx)
                .await?;
            }
            if let Some(m) = &d.mail {
                sqlx::query(
                    "INSERT INTO outbox (to_address, subject, body, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(m.to.clone())
                .bind(m.subject.clone())
                .bind(m.body.clone())
                .bind(at.clone())
                .bind(at.clone())
                .execute(&mut *tx)
                .await?;
            }
            written += 1;
        }
        tx.commit().await?;
        Ok(written)
    }

    async fn notifications(
        &self,
        account_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM notifications WHERE account_id = $1 AND id < $2 \
             ORDER BY id DESC LIMIT $3"
        )))
        .bind(account_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit.clamp(1, MAX_PAGE)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn unread_count(&self, account_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn mark_read(&self, account_id: i64, id: i64) -> Result<Notification> {
        // Reading twice keeps the first time; the account in the condition is the whole
        // permission check: another account's id updates nothing and reads as not found.
        sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND account_id = $3",
        )
        .bind(ts(now()))
        .bind(id)
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM notifications WHERE id = $1 AND account_id = $2"
        )))
        .bind(id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        from_row(&row.ok_or_else(|| StoreError::not_found("notification", id))?)
    }

    async fn mark_all_read(&self, account_id: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
        )
        .bind(ts(now()))
        .bind(account_id)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    async fn preferences(&self, account_id: i64) -> Result<Vec<Preference>> {
        let rows = sqlx::query(
            "SELECT kind, in_app, email FROM notification_preferences WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let mut prefs: Vec<Preference> = NotificationKind::ALL
            .into_iter()
            .map(Preference::default_for)
            .collect();
        for r in rows {
            let kind: String = r.try_get("kind")?;
            // A kind this build no longer knows is ignored rather than refused.
            if let Some(p) = prefs.iter_mut().find(|p| p.kind.as_str() == kind) {
                p.in_app = r.try_get::<i64, _>("in_app")? != 0;
                p.email = r.try_get::<i64, _>("email")? != 0;
            }
        }
        Ok(prefs)
    }

    async fn set_preferences(&self, account_id: i64, prefs: &[Preference]) -> Result<()> {
        let mut tx = self.write_tx().await?;
        for p in prefs {
            sqlx::query(
                "INSERT INTO notification_preferences (account_id, kind, in_app, email) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account_id, kind) DO UPDATE SET in_app = excluded.in_app, email = excluded.email",
            )
            .bind(account_id)
            .bind(p.kind.as_str())
            .bind(i64::from(p.in_app))
            .bind(i64::from(p.email))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn follow_challenge(&self, account_id: i64, listing_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO challenge_follows (account_id, listing_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, listing_id) DO NOTHING",
        )
        .bind(account_id)
        .bind(listing_id)
        .bind(ts(now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn unfollow_challenge(&self, account_id: i64, listing_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM challenge_follows WHERE account_id = $1 AND listing_id = $2")
            .bind(account_id)
            .bind(listing_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn follows_challenge(&self, account_id: i64, listing_id: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM challenge_follows WHERE account_id = $1 AND listing_id = $2",
        )
        .bind(account_id)
        .bind(listing_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    async fn followed_challenges(&self, after: i64, limit: u32) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT listing_id FROM challenge_follows WHERE listing_id > $1 \
             ORDER BY listing_id LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await?)
    }

    async fn challenge_followers(&self, listing_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT account_id FROM challenge_follows WHERE listing_id = $1 \
             ORDER BY account_id LIMIT {MAX_RECIPIENTS}"
        )))
        .bind(listing_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn due_mail(&self, at: DateTime<Utc>, limit: u32) -> Result<Vec<QueuedMail>> {
        let rows = sqlx::query(
            "SELECT id, to_address, subject, body, attempts FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(ts(at))
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QueuedMail {
                    id: r.try_get("id")?,
                    mail: Mail {
                        to: r.try_get("to_address")?,
                        subject: r.try_get("subject")?,
                        body: r.try_get("body")?,
                    },
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    async fn mail_sent(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1 WHERE id = $2")
            .bind(ts(now()))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let error: String = error.chars().take(500).collect();
        let q = match retry_at {
            Some(at) => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 \
                 WHERE id = $3",
            )
            .bind(error)
            .bind(ts(at)),
            None => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1, failed_at = $2 \
                 WHERE id = $3",
            )
            .bind(error)
            .bind(ts(now())),
        };
        q.bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn prune_mail(&self, before: DateTime<Utc>) -> Result<u64> {
        let before = ts(before);
        Ok(
            sqlx::query("DELETE FROM outbox WHERE sent_at < $1 OR failed_at < $2")
                .bind(before.clone())
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}
