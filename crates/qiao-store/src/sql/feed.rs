//! Reading the change feed: the numbered rows every write appends (see
//! [`SqlStore::record_change`]), for followers such as the search index, and the same rows with
//! their authors as the audit log.

use async_trait::async_trait;
use sqlx::Row;

use super::base::{SqlStore, parse_ts};
use crate::error::{Result, StoreError};
use crate::query::{Page, Paged};
use crate::records::{AuditEntry, Change, Op};

/// The change feed and the audit log read from it.
#[async_trait]
pub trait FeedStore: Send + Sync {
    /// Change-feed entries after `seq`, oldest first, at most `limit`.
    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>>;
    /// The newest change-feed number (0 when empty).
    async fn last_seq(&self) -> Result<i64>;
    /// The audit log: every change with who made it, newest first.
    async fn audit_log(&self, page: Page) -> Result<Paged<AuditEntry>>;
}

#[async_trait]
impl FeedStore for SqlStore {
    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>> {
        let rows = sqlx::query("SELECT seq, entity, entity_id, op, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let op: String = r.try_get("op")?;
                Ok(Change {
                    seq: r.try_get("seq")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    op: Op::parse(&op)
                        .ok_or_else(|| StoreError::Corrupt(format!("change op `{op}`")))?,
                    at: parse_ts(&r.try_get::<String, _>("at")?)?,
                })
            })
            .collect()
    }

    async fn last_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn audit_log(&self, page: Page) -> Result<Paged<AuditEntry>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes")
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(
            "SELECT c.seq, c.entity, c.entity_id, c.op, c.at, c.actor_id, a.username \
             FROM changes c LEFT JOIN accounts a ON a.id = c.actor_id \
             ORDER BY c.seq DESC LIMIT $1 OFFSET $2",
        )
        .bind(i64::from(page.size))
        .bind(i64::from(page.number.saturating_sub(1)) * i64::from(page.size))
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                let op: String = r.try_get("op")?;
                Ok(AuditEntry {
                    seq: r.try_get("seq")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    op: Op::parse(&op).ok_or_else(|| StoreError::Corrupt(format!("op `{op}`")))?,
                    at: parse_ts(&r.try_get::<String, _>("at")?)?,
                    actor_id: r.try_get("actor_id")?,
                    actor: r.try_get("username")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Paged {
            items,
            total,
            page: page.number,
            per_page: page.size,
        })
    }
}
