//! Reading the change feed: the numbered rows every write appends (see
//! [`SqlStore::record_change`]), for followers such as the search index, and the same rows with
//! their authors and changed fields as the audit log.
//!
//! The audit log's view of each record ([`SqlStore::snapshot`]) lives here too: the one place
//! that reads every aggregate's table, to give the diff of a change (`diff.rs`) the record
//! before and after the write. The audit log is for admins only, so a listing's confidential
//! fields and contact details are part of it; secrets (password hashes) are redacted by the
//! diff, and a document's text is left out (it is the imported file itself, megabytes long,
//! and never edited: the log names the file and its metadata).

use async_trait::async_trait;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, bind_all, from_json, parse_ts, ts};
use crate::error::{Result, StoreError};
use crate::query::{AuditFilter, Page, Paged};
use crate::records::{AuditEntry, Change, Op};

/// The change feed and the audit log read from it.
#[async_trait]
pub trait FeedStore: Send + Sync {
    /// Change-feed entries after `seq`, oldest first, at most `limit`.
    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>>;
    /// The newest change-feed number (0 when empty).
    async fn last_seq(&self) -> Result<i64>;
    /// The audit log: the changes `filter` admits, with who made them and the fields they
    /// changed, newest first.
    async fn audit_log(&self, filter: &AuditFilter, page: Page) -> Result<Paged<AuditEntry>>;
    /// At most `limit` entries of the audit log, newest first, without counting them: walk
    /// the whole log by passing the last entry's `seq` as the next `filter.before_seq`.
    async fn audit_entries(&self, filter: &AuditFilter, limit: u32) -> Result<Vec<AuditEntry>>;
}

const AUDIT_COLUMNS: &str =
    "c.seq, c.entity, c.entity_id, c.op, c.at, c.actor_id, c.diff, a.username";
const AUDIT_FROM: &str = "changes c LEFT JOIN accounts a ON a.id = c.actor_id";

fn audit_where(f: &AuditFilter) -> Where {
    let mut w = Where::default();
    if let Some(actor) = &f.actor {
        // By id, so the `(actor_id, seq)` index answers it; an unknown name matches nothing.
        w.and(
            "c.actor_id = (SELECT id FROM accounts WHERE username = ?)",
            [Arg::Text(actor.clone())],
        );
    }
    if let Some(entity) = &f.entity {
        w.and("c.entity = ?", [Arg::Text(entity.clone())]);
    }
    if let Some(id) = f.entity_id {
        w.and("c.entity_id = ?", [Arg::Int(id)]);
    }
    // `at` is fixed-width UTC text, so text order is time order.
    if let Some(from) = f.from {
        w.and("c.at >= ?", [Arg::Text(ts(from))]);
    }
    if let Some(until) = f.until {
        w.and("c.at < ?", [Arg::Text(ts(until))]);
    }
    if let Some(seq) = f.before_seq {
        w.and("c.seq < ?", [Arg::Int(seq)]);
    }
    w
}

fn audit_from_row(r: &AnyRow) -> Result<AuditEntry> {
    let op: String = r.try_get("op")?;
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        op: Op::parse(&op).ok_or_else(|| StoreError::Corrupt(format!("op `{op}`")))?,
        at: parse_ts(&r.try_get::<String, _>("at")?)?,
        actor_id: r.try_get("actor_id")?,
        actor: r.try_get("username")?,
        changes: r
            .try_get::<Option<String>, _>("diff")?
            .map(|d| from_json("change diff", &d))
            .transpose()?,
    })
}

/// A row's columns as a JSON object: each named column as text or integer, and `body` (a
/// record's JSON) merged in.
fn object(row: &AnyRow, texts: &[&str], ints: &[&str]) -> Result<Value> {
    let mut map = Map::new();
    if texts.contains(&"body") {
        let body: String = row.try_get("body")?;
        if let Value::Object(fields) = from_json::<Value>("record", &body)? {
            map.extend(fields);
        }
    }
    for &col in texts.iter().filter(|c| **c != "body") {
        let v: Option<String> = row.try_get(col)?;
        map.insert(col.into(), v.map_or(Value::Null, Value::String));
    }
    for &col in ints {
        let v: Option<i64> = row.try_get(col)?;
        map.insert(col.into(), v.map_or(Value::Null, Value::from));
    }
    Ok(Value::Object(map))
}

impl SqlStore {
    /// The record `entity` `id` as the audit log compares it, read inside `tx`; `None` if it
    /// does not exist (or for a sort of record the log keeps no fields of).
    pub(crate) async fn snapshot(
        &self,
        tx: &mut Tx,
        entity: &str,
        id: i64,
    ) -> Result<Option<Value>> {
        if entity == "setting" {
            // Settings are kept by key; the feed names each by a fixed id.
            let Some(key) = super::deals::setting_key(id) else {
                return Ok(None);
            };
            let body: Option<String> =
                sqlx::query_scalar("SELECT body FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut **tx)
                    .await?;
            return body.map(|b| from_json("setting", &b)).transpose();
        }
        let (table, texts, ints): (&str, &[&str], &[&str]) = match entity {
            "listing" => ("listings", &["body"], &["owner_org_id"]),
            "organisation" => ("organisations", &["body"], &[]),
            "policy" => ("policies", &["body"], &[]),
            "target" => ("targets", &["body"], &[]),
            "deal" => ("deals", &["body"], &[]),
            "application" => ("applications", &["body"], &[]),
            "slot" => (
                "instrument_slots",
                &["starts_at", "ends_at", "status"],
                &["listing_id", "price_fen"],
            ),
            "booking" => ("bookings", &["status", "body"], &["slot_id", "voucher_fen"]),
            "voucher" => (
                "vouchers",
                &["number", "body"],
                &["org_id", "granted_fen", "reserved_fen", "spent_fen"],
            ),
            "valuation" => (
                "valuations",
                &["subject_kind", "note", "inputs"],
                &["subject_id", "version"],
            ),
            "contract" => (
                "contracts",
                &["body", "state", "number", "registered_on"],
                &[],
            ),
            // The hash goes to the diff only to be seen changing; it is redacted there.
            "account" => (
                "accounts",
                &[
                    "username",
                    "display_name",
                    "role",
                    "disabled_at",
                    "password_hash",
                ],
                &["org_id"],
            ),
            // Who wrote in which thread; the text stays in the thread, between its parties.
            "message" => (
                "messages",
                &["subject_kind", "author_name"],
                &["subject_id", "author_id", "author_org_id"],
            ),
            // The description only: the bytes are the file itself.
            "attachment" => (
                "attachments",
                &["owner_kind", "file_name", "file_type", "sha256"],
                &["owner_id", "size", "uploaded_by"],
            ),
            "contact_request" => (
                "contact_requests",
                &["status", "body"],
                &[
                    "listing_id",
                    "owner_org_id",
                    "requester_id",
                    "requester_org_id",
                ],
            ),
            "document" => (
                "documents",
                &[
                    "sha256",
                    "file_name",
                    "title",
                    "published",
                    "source",
                    "doc_number",
                    "script",
                    "encoding",
                    "state",
                ],
                &["imported_by"],
            ),
            _ => return Ok(None),
        };
        let columns: Vec<&str> = texts.iter().chain(ints).copied().collect();
        let sql = format!("SELECT {} FROM {table} WHERE id = $1", columns.join(", "));
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(|r| object(&r, texts, ints)).transpose()
    }
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

    async fn audit_log(&self, filter: &AuditFilter, page: Page) -> Result<Paged<AuditEntry>> {
        let w = audit_where(filter);
        let count_sql = format!("SELECT COUNT(*) FROM changes c{}", w.sql());
        let total: i64 = bind_all(sqlx::query(AssertSqlSafe(count_sql)), w.args())
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let n = w.next();
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM {AUDIT_FROM}{} ORDER BY c.seq DESC LIMIT ${n} OFFSET ${}",
            w.sql(),
            n + 1
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), w.args())
            .bind(i64::from(page.size))
            .bind(page.offset())
            .fetch_all(&self.pool)
            .await?;
        Ok(Paged {
            items: rows.iter().map(audit_from_row).collect::<Result<_>>()?,
            total,
            page: page.number,
            per_page: page.size,
        })
    }

    async fn audit_entries(&self, filter: &AuditFilter, limit: u32) -> Result<Vec<AuditEntry>> {
        let w = audit_where(filter);
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM {AUDIT_FROM}{} ORDER BY c.seq DESC LIMIT ${}",
            w.sql(),
            w.next()
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), w.args())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_from_row).collect()
    }
}
