//! Contact requests: tiered disclosure of a listing owner's contact details. A member asks, the
//! owning organisation accepts or declines, and only an accepted request (for the person or a
//! colleague of theirs) discloses the details.

use async_trait::async_trait;
use qiao_domain::{Account, ContactRequest, ContactStatus, Decision, DeclineReason};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, from_json, json, now, parse_ts, ts};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{Page, Paged};
use crate::records::{ContactFilter, Op};

/// Asking for, deciding and checking contact requests.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Asks a listing's owner for its contact details. Not found for a missing listing;
    /// conflict for one's own listing or while an earlier request is pending or accepted.
    async fn create_contact_request(
        &self,
        listing_id: i64,
        requester: &Account,
        message: &str,
    ) -> Result<ContactRequest>;
    /// One contact request.
    async fn get_contact_request(&self, id: i64) -> Result<ContactRequest>;
    /// Accepts or declines a pending request. Conflict if it was already decided.
    async fn decide_contact_request(&self, id: i64, decision: &Decision) -> Result<ContactRequest>;
    /// Contact requests matching `filter`, newest first.
    async fn contact_requests(
        &self,
        filter: &ContactFilter,
        page: Page,
    ) -> Result<Paged<ContactRequest>>;
    /// Whether the owner of `listing_id` accepted a request from `who` or their organisation.
    async fn contact_granted(&self, listing_id: i64, who: &Account) -> Result<bool>;
}

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
        self.record_change(tx, "contact_request", c.id, Op::Insert, None)
            .await
    }
}

#[async_trait]
impl ContactStore for SqlStore {
    async fn create_contact_request(
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
        self.record_change(&mut tx, "contact_request", id, Op::Insert, None)
            .await?;
        tx.commit().await?;
        self.get_contact_request(id).await
    }

    async fn get_contact_request(&self, id: i64) -> Result<ContactRequest> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONTACT_COLUMNS} FROM contact_requests WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        contact_from_row(&row.ok_or_else(|| StoreError::not_found("contact request", id))?)
    }

    async fn decide_contact_request(&self, id: i64, decision: &Decision) -> Result<ContactRequest> {
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
        let before = self.snapshot(&mut tx, "contact_request", id).await?;
        sqlx::query(
            "UPDATE contact_requests SET status = $1, body = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(decision.status().as_str())
        .bind(json(&body))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.record_change(&mut tx, "contact_request", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_contact_request(id).await
    }

    async fn contact_requests(
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

    async fn contact_granted(&self, listing_id: i64, who: &Account) -> Result<bool> {
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
}
