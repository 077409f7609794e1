//! The people side of the store: self-service registration, browser sessions, contact requests
//! and the audit log. Same rules as the rest of [`SqlStore`](crate::SqlStore): one transaction
//! per call, and every change to a record lands in the change feed with the acting account.

use chrono::{DateTime, Utc};
use qiao_domain::{
    Account, ContactRequest, ContactStatus, Decision, DeclineReason, NewAccount, Organisation,
};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{Result, StoreError, conflict_on_unique};
use crate::records::{AuditEntry, ContactFilter, Op};
use crate::sql::{
    ACCOUNT_COLUMNS, Arg, SqlStore, Tx, Where, account_from_row, from_json, json, now, parse_ts, ts,
};
use crate::{Page, Paged};

/// What a contact request keeps in its `body` column.
#[derive(Serialize, Deserialize)]
struct ContactBody {
    message: String,
    #[serde(default)]
    reason: Option<DeclineReason>,
    #[serde(default)]
    note: Option<String>,
}

pub(crate) const CONTACT_COLUMNS: &str = "id, listing_id, owner_org_id, requester_id, requester_org_id, status, body, created_at, updated_at";

pub(crate) fn contact_from_row(row: &AnyRow) -> Result<ContactRequest> {
    let status: String = row.try_get("status")?;
    let body: ContactBody = from_json("contact request", &row.try_get::<String, _>("body")?)?;
    Ok(ContactRequest {
        id: row.try_get("id")?,
        listing_id: row.try_get("listing_id")?,
        owner_org_id: row.try_get("owner_org_id")?,
        requester_id: row.try_get("requester_id")?,
        requester_org_id: row.try_get("requester_org_id")?,
        status: ContactStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("contact status `{status}`")))?,
        message: body.message,
        reason: body.reason,
        note: body.note,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

impl SqlStore {
    pub(crate) async fn do_register(
        &self,
        org: &Organisation,
        account: &NewAccount,
        password_hash: &str,
    ) -> Result<(i64, i64)> {
        let mut tx = self.write_tx().await?;
        // The write lock is held from here to the commit, so every change numbered after this
        // one is this registration's.
        let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
            .fetch_one(&mut *tx)
            .await?;
        let t = now();
        let org_id = self.insert_org(&mut tx, None, org, t, t).await?;
        let mut account = account.clone();
        account.org_id = Some(org_id);
        let account_id = self
            .insert_account(&mut tx, &account, password_hash)
            .await?;
        // Someone registering acts for themselves: the audit log names the new account as
        // the author of both records (it cannot be known before the account exists). An
        // explicit actor (an admin registering on someone's behalf) is kept.
        if self.actor.is_none() {
            sqlx::query("UPDATE changes SET actor_id = $1 WHERE seq > $2")
                .bind(account_id)
                .bind(before)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok((org_id, account_id))
    }

    pub(crate) async fn do_create_session(
        &self,
        account_id: i64,
        token_hash: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // Expired sessions are swept by whoever logs in next; no timer to run.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(ts(now()))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(csrf)
        .bind(ts(now()))
        .bind(ts(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || "session already exists".into()))?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn do_session(&self, token_hash: &str) -> Result<Option<(Account, String)>> {
        let cols = ACCOUNT_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {cols}, s.csrf FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL"
        )))
        .bind(token_hash)
        .bind(ts(now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((account_from_row(&r)?, r.try_get("csrf")?)))
            .transpose()
    }

    pub(crate) async fn do_delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn do_create_contact(
        &self,
        listing_id: i64,
        requester: &Account,
        message: &str,
    ) -> Result<ContactRequest> {
        let mut tx = self.write_tx().await?;
        let owner: Option<Option<i64>> =
            sqlx::query_scalar("SELECT owner_org_id FROM listings WHERE id = $1")
                .bind(listing_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(owner) = owner else {
            return Err(StoreError::not_found("listing", listing_id));
        };
        if owner.is_some() && owner == requester.org_id {
            return Err(StoreError::Conflict(
                "this listing belongs to your own organisation; its contact details are already yours".into(),
            ));
        }
        // One open question per person and listing: a second request while one is pending or
        // accepted would only fill the owner's inbox.
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contact_requests WHERE listing_id = $1 AND requester_id = $2 AND status IN ('pending', 'accepted')",
        )
        .bind(listing_id)
        .bind(requester.id)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(StoreError::Conflict(
                "you have already asked about this listing; see your sent requests".into(),
            ));
        }
        let t = ts(now());
        let body = ContactBody {
            message: message.to_string(),
            reason: None,
            note: None,
        };
        let row = sqlx::query(
            "INSERT INTO contact_requests (listing_id, owner_org_id, requester_id, requester_org_id, status, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(listing_id)
        .bind(owner)
        .bind(requester.id)
        .bind(requester.org_id)
        .bind(ContactStatus::Pending.as_str())
        .bind(json(&body))
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        self.record_change(&mut tx, "contact_request", id, Op::Insert)
            .await?;
        tx.commit().await?;
        self.do_get_contact(id).await
    }

    pub(crate) async fn do_get_contact(&self, id: i64) -> Result<ContactRequest> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONTACT_COLUMNS} FROM contact_requests WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        contact_from_row(&row.ok_or_else(|| StoreError::not_found("contact request", id))?)
    }

    pub(crate) async fn do_decide_contact(
        &self,
        id: i64,
        decision: &Decision,
    ) -> Result<ContactRequest> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONTACT_COLUMNS} FROM contact_requests WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let current =
            contact_from_row(&row.ok_or_else(|| StoreError::not_found("contact request", id))?)?;
        if current.status != ContactStatus::Pending {
            return Err(StoreError::Conflict(format!(
                "contact request {id} was already {}",
                current.status.as_str()
            )));
        }
        let (reason, note) = match decision {
            Decision::Accept { note } => (None, note.clone()),
            Decision::Decline { reason, note } => (Some(*reason), note.clone()),
        };
        let body = ContactBody {
            message: current.message,
            reason,
            note,
        };
        sqlx::query(
            "UPDATE contact_requests SET status = $1, body = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(decision.status().as_str())
        .bind(json(&body))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.record_change(&mut tx, "contact_request", id, Op::Update)
            .await?;
        tx.commit().await?;
        self.do_get_contact(id).await
    }

    pub(crate) async fn do_contacts(
        &self,
        filter: &ContactFilter,
        page: Page,
    ) -> Result<Paged<ContactRequest>> {
        let mut w = Where::default();
        if let Some(r) = filter.requester_id {
            w.and("requester_id = ?", [Arg::Int(r)]);
        }
        if let Some(o) = filter.owner_org_id {
            w.and("owner_org_id = ?", [Arg::Int(o)]);
        }
        if let Some(l) = filter.listing_id {
            w.and("listing_id = ?", [Arg::Int(l)]);
        }
        if let Some(s) = filter.status {
            w.and("status = ?", [Arg::Text(s.as_str().into())]);
        }
        self.fetch_page(
            "contact_requests",
            CONTACT_COLUMNS,
            &w,
            "id DESC",
            page,
            contact_from_row,
        )
        .await
    }

    pub(crate) async fn do_contact_granted(&self, listing_id: i64, who: &Account) -> Result<bool> {
        // Accepted for the person, or for anyone of their organisation: colleagues share a
        // cooperation, and asking again would only repeat the owner's work.
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contact_requests WHERE listing_id = $1 AND status = 'accepted' \
             AND (requester_id = $2 OR (requester_org_id IS NOT NULL AND requester_org_id = $3))",
        )
        .bind(listing_id)
        .bind(who.id)
        .bind(who.org_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    pub(crate) async fn do_audit_log(&self, page: Page) -> Result<Paged<AuditEntry>> {
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

    /// Restores one backed-up contact request (inside the restore transaction).
    pub(crate) async fn restore_contact(&self, tx: &mut Tx, c: &ContactRequest) -> Result<()> {
        let body = ContactBody {
            message: c.message.clone(),
            reason: c.reason,
            note: c.note.clone(),
        };
        sqlx::query(
            "INSERT INTO contact_requests (id, listing_id, owner_org_id, requester_id, requester_org_id, status, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.id)
        .bind(c.listing_id)
        .bind(c.owner_org_id)
        .bind(c.requester_id)
        .bind(c.requester_org_id)
        .bind(c.status.as_str())
        .bind(json(&body))
        .bind(ts(c.created_at))
        .bind(ts(c.updated_at))
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("contact request {} appears twice", c.id)))?;
        self.record_change(tx, "contact_request", c.id, Op::Insert)
            .await
    }
}
