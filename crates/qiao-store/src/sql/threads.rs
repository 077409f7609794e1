//! Message threads: the messages of one subject (an accepted contact request, a deal), with
//! the files each carries (issue #26).
//!
//! A message and its files are written in one transaction, so a message never appears without
//! the files it was sent with. A thread is read a page at a time, newest first, below a given
//! id (keyset paging on the `(subject_kind, subject_id, id)` index): a page costs the same
//! however long the conversation, and a message posted while one reads does not shift the
//! pages already seen. Who may read or post is the subject's rule, applied by qiao-app.

use async_trait::async_trait;
use qiao_domain::Account;
use qiao_domain::attachment::{MAX_PER_MESSAGE, NewAttachment, Owner, OwnerKind};
use qiao_domain::thread::{MAX_PAGE, Message, Subject, SubjectKind};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{SqlStore, Tx, now, parse_ts, ts};
use crate::error::{Result, StoreError};
use crate::records::Op;

/// Posting to and reading threads.
#[async_trait]
pub trait ThreadStore: Send + Sync {
    /// Posts a message (validated by the caller) with its files (at most
    /// [`MAX_PER_MESSAGE`]), as `author`, in one transaction.
    async fn post_message(
        &self,
        subject: Subject,
        author: &Account,
        body: &str,
        files: &[NewAttachment],
    ) -> Result<Message>;
    /// One message.
    async fn get_message(&self, id: i64) -> Result<Message>;
    /// Up to `limit` (at most [`MAX_PAGE`]) messages of `subject` with ids below `before`
    /// (all when `None`), newest first.
    async fn messages(
        &self,
        subject: Subject,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>>;
    /// How many messages `subject` has.
    async fn message_count(&self, subject: Subject) -> Result<i64>;
}

pub(crate) const MESSAGE_COLUMNS: &str =
    "id, subject_kind, subject_id, author_id, author_name, author_org_id, body, created_at";

pub(crate) fn message_from_row(row: &AnyRow) -> Result<Message> {
    let kind: String = row.try_get("subject_kind")?;
    Ok(Message {
        id: row.try_get("id")?,
        subject: Subject {
            kind: SubjectKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("thread subject `{kind}`")))?,
            id: row.try_get("subject_id")?,
        },
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        author_org_id: row.try_get("author_org_id")?,
        body: row.try_get("body")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
    })
}

impl SqlStore {
    /// Writes a message row inside `tx` (a new post, or a restore keeping its id), with its
    /// change-feed row.
    pub(crate) async fn insert_message(&self, tx: &mut Tx, m: &Message) -> Result<i64> {
        let sql = if m.id > 0 {
            "INSERT INTO messages (subject_kind, subject_id, author_id, author_name, author_org_id, body, created_at, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        } else {
            "INSERT INTO messages (subject_kind, subject_id, author_id, author_name, author_org_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        };
        let mut q = sqlx::query_scalar(sql)
            .bind(m.subject.kind.as_str())
            .bind(m.subject.id)
            .bind(m.author_id)
            .bind(m.author_name.clone())
            .bind(m.author_org_id)
            .bind(m.body.clone())
            .bind(ts(m.created_at));
        if m.id > 0 {
            q = q.bind(m.id);
        }
        let id: i64 = q.fetch_one(&mut **tx).await?;
        self.record_change(tx, "message", id, Op::Insert, None)
            .await?;
        Ok(id)
    }
}

#[async_trait]
impl ThreadStore for SqlStore {
    async fn post_message(
        &self,
        subject: Subject,
        author: &Account,
        body: &str,
        files: &[NewAttachment],
    ) -> Result<Message> {
        if files.len() > MAX_PER_MESSAGE {
            return Err(StoreError::Invalid(qiao_domain::Invalid::field(
                "files",
                qiao_domain::Rule::TooMany {
                    max: MAX_PER_MESSAGE,
                    found: files.len(),
                },
            )));
        }
        let shas = super::attachments::hashes(files).await?;
        let mut tx = self.write_tx().await?;
        let message = Message {
            id: 0,
            subject,
            author_id: author.id,
            author_name: author.display_name.clone(),
            author_org_id: author.org_id,
            body: body.to_string(),
            created_at: now(),
        };
        let id = self.insert_message(&mut tx, &message).await?;
        for (f, sha) in files.iter().zip(shas) {
            self.attach(
                &mut tx,
                Owner {
                    kind: OwnerKind::Message,
                    id,
                },
                f,
                sha,
            )
            .await?;
        }
        tx.commit().await?;
        self.get_message(id).await
    }

    async fn get_message(&self, id: i64) -> Result<Message> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        message_from_row(&row.ok_or_else(|| StoreError::not_found("message", id))?)
    }

    async fn messages(
        &self,
        subject: Subject,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let limit = i64::from(limit.clamp(1, MAX_PAGE));
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE subject_kind = $1 AND subject_id = $2 \
             AND id < $3 ORDER BY id DESC LIMIT $4"
        )))
        .bind(subject.kind.as_str())
        .bind(subject.id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    async fn message_count(&self, subject: Subject) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE subject_kind = $1 AND subject_id = $2",
        )
        .bind(subject.kind.as_str())
        .bind(subject.id)
        .fetch_one(&self.pool)
        .await?)
    }
}
