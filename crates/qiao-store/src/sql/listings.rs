//! Listings (achievements, demands, talents…) and batch imports. Each is kept as its typed JSON
//! body beside the columns that list pages filter and sort on; its kind never changes.
//!
//! An import writes organisations too (listings name their owner by credit code), so this file
//! reaches down into [`organisations`](super::organisations) for their inserts, never the reverse.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qiao_domain::{Listing, Organisation};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, date, from_json, json, now, parse_ts, ts};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{Drafts, ImportListing, ImportReport, ListingFilter, Page, Paged};
use crate::records::{ListingRecord, Op};

/// Listings and the batch import that writes them with their owners.
#[async_trait]
pub trait ListingStore: Send + Sync {
    /// Stores a new, validated listing.
    async fn create_listing(
        &self,
        owner_org_id: Option<i64>,
        listing: &Listing,
    ) -> Result<ListingRecord>;
    /// One listing.
    async fn get_listing(&self, id: i64) -> Result<ListingRecord>;
    /// The listings among `ids` that exist, in id order (missing ids are skipped).
    async fn get_listings(&self, ids: &[i64]) -> Result<Vec<ListingRecord>>;
    /// Replaces a listing's fields; its kind cannot change.
    async fn update_listing(&self, id: i64, listing: &Listing) -> Result<ListingRecord>;
    /// Deletes a listing.
    async fn delete_listing(&self, id: i64) -> Result<()>;
    /// Listings matching `filter`, newest first.
    async fn list_listings(
        &self,
        filter: &ListingFilter,
        page: Page,
    ) -> Result<Paged<ListingRecord>>;
    /// The values public (not draft) listings of `kind` hold in `facet`, most used first, at
    /// most `limit` of them with how many listings hold each: the choices a board offers.
    async fn facet_values(
        &self,
        kind: qiao_domain::Kind,
        facet: Facet,
        limit: u32,
    ) -> Result<Vec<(String, i64)>>;
    /// One page of [`list_listings`](ListingStore::list_listings) without counting every
    /// match, for callers that know the total already (a count cached at a change-feed
    /// position).
    async fn list_listing_items(
        &self,
        filter: &ListingFilter,
        page: Page,
    ) -> Result<Vec<ListingRecord>>;

    /// Writes a whole batch in one transaction: organisations are created or updated by credit
    /// code, then listings created or updated by id. Nothing is stored if any item fails.
    async fn import(
        &self,
        orgs: &[Organisation],
        listings: &[ImportListing],
    ) -> Result<ImportReport>;
}

/// A column of listings a board offers as a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    /// The district (所在区).
    District,
    /// The field or discipline (领域).
    Discipline,
}

impl Facet {
    fn column(self) -> &'static str {
        match self {
            Facet::District => "district",
            Facet::Discipline => "discipline",
        }
    }
}

pub(crate) const LISTING_COLUMNS: &str = "id, owner_org_id, body, created_at, updated_at";

pub(crate) fn listing_from_row(row: &AnyRow) -> Result<ListingRecord> {
    Ok(ListingRecord {
        id: row.try_get("id")?,
        owner_org_id: row.try_get("owner_org_id")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        listing: from_json("listing", &row.try_get::<String, _>("body")?)?,
    })
}

/// A challenge's reward and window as the board's filter columns (`None` for other kinds).
fn challenge_terms(listing: &Listing) -> (Option<i64>, Option<String>, Option<String>) {
    match listing {
        Listing::Challenge(c) => (
            Some(c.reward_yuan),
            Some(date(c.apply_from)),
            Some(date(c.apply_until)),
        ),
        _ => (None, None, None),
    }
}

/// The conditions of a listing query.
fn listing_where(f: &ListingFilter) -> Where {
    let mut w = Where::default();
    if let Some(k) = f.kind {
        w.and("kind = ?", [Arg::Text(k.as_str().into())]);
    }
    if let Some(s) = f.status {
        w.and("status = ?", [Arg::Text(s.as_str().into())]);
    }
    if let Some(d) = &f.district {
        w.and("district = ?", [Arg::Text(d.clone())]);
    }
    if let Some(d) = &f.discipline {
        w.and("discipline = ?", [Arg::Text(d.clone())]);
    }
    if let Some(o) = f.owner_org_id {
        w.and("owner_org_id = ?", [Arg::Int(o)]);
    }
    if let Some(day) = f.active_on {
        w.and(
            "status = 'open' AND (expires_on IS NULL OR expires_on >= ?)",
            [Arg::Text(date(day))],
        );
    }
    if let Some(min) = f.reward_min {
        w.and("reward_yuan >= ?", [Arg::Int(min)]);
    }
    if let Some(max) = f.reward_max {
        w.and("reward_yuan <= ?", [Arg::Int(max)]);
    }
    if let Some(day) = f.window_open_on {
        // ISO dates compare as text.
        // Taking applications: open, and the day inside the window.
        w.and(
            "status = 'open' AND apply_from <= ? AND apply_until >= ?",
            [Arg::Text(date(day)), Arg::Text(date(day))],
        );
    }
    if let Some(day) = f.window_closes_by {
        w.and("apply_until <= ?", [Arg::Text(date(day))]);
    }
    match f.drafts {
        Drafts::All => {}
        Drafts::Hidden => w.and("status <> 'draft'", []),
        Drafts::OfOrg(org) => w.and("(status <> 'draft' OR owner_org_id = ?)", [Arg::Int(org)]),
    }
    w
}

impl SqlStore {
    /// Inserts a listing and its change in `tx`; an explicit `id` (restores, imports) is kept.
    pub(crate) async fn insert_listing(
        &self,
        tx: &mut Tx,
        id: Option<i64>,
        owner: Option<i64>,
        listing: &Listing,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) -> Result<i64> {
        let terms = challenge_terms(listing);
        // COALESCE keeps explicit ids (restores, imports that carry ids) and numbers new rows
        // after the largest id on both engines without touching their sequences.
        let row = sqlx::query(
            "INSERT INTO listings (id, kind, owner_org_id, title, status, district, discipline, expires_on, body, created_at, updated_at, reward_yuan, apply_from, apply_until) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM listings)), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(id)
        .bind(listing.kind().as_str())
        .bind(owner)
        .bind(listing.title().to_string())
        .bind(listing.status().as_str())
        .bind(listing.district().map(str::to_string))
        .bind(listing.discipline().map(str::to_string))
        .bind(listing.expires_on().map(date))
        .bind(json(listing))
        .bind(ts(created))
        .bind(ts(updated))
        .bind(terms.0)
        .bind(terms.1)
        .bind(terms.2)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("a listing with id {} already exists", id.unwrap_or_default())))?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "listing", id, Op::Insert, None)
            .await?;
        Ok(id)
    }

    pub(crate) async fn write_listing(
        &self,
        tx: &mut Tx,
        id: i64,
        listing: &Listing,
    ) -> Result<()> {
        let current: Option<String> = sqlx::query_scalar("SELECT kind FROM listings WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(kind) = current else {
            return Err(StoreError::not_found("listing", id));
        };
        if kind != listing.kind().as_str() {
            return Err(StoreError::Conflict(format!(
                "listing {id} is a {kind}; it cannot become a {}",
                listing.kind().as_str()
            )));
        }
        let before = self.snapshot(tx, "listing", id).await?;
        let terms = challenge_terms(listing);
        sqlx::query(
            "UPDATE listings SET title = $1, status = $2, district = $3, discipline = $4, expires_on = $5, body = $6, updated_at = $7, \
             reward_yuan = $8, apply_from = $9, apply_until = $10 WHERE id = $11",
        )
        .bind(listing.title().to_string())
        .bind(listing.status().as_str())
        .bind(listing.district().map(str::to_string))
        .bind(listing.discipline().map(str::to_string))
        .bind(listing.expires_on().map(date))
        .bind(json(listing))
        .bind(ts(now()))
        .bind(terms.0)
        .bind(terms.1)
        .bind(terms.2)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        self.record_change(tx, "listing", id, Op::Update, before)
            .await
    }
}

#[async_trait]
impl ListingStore for SqlStore {
    async fn create_listing(
        &self,
        owner_org_id: Option<i64>,
        listing: &Listing,
    ) -> Result<ListingRecord> {
        let mut tx = self.write_tx().await?;
        let t = now();
        let id = self
            .insert_listing(&mut tx, None, owner_org_id, listing, t, t)
            .await?;
        tx.commit().await?;
        self.get_listing(id).await
    }

    async fn get_listing(&self, id: i64) -> Result<ListingRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM listings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        listing_from_row(&row.ok_or_else(|| StoreError::not_found("listing", id))?)
    }

    async fn get_listings(&self, ids: &[i64]) -> Result<Vec<ListingRecord>> {
        self.fetch_by_ids("listings", LISTING_COLUMNS, ids, listing_from_row)
            .await
    }

    async fn update_listing(&self, id: i64, listing: &Listing) -> Result<ListingRecord> {
        let mut tx = self.write_tx().await?;
        self.write_listing(&mut tx, id, listing).await?;
        tx.commit().await?;
        self.get_listing(id).await
    }

    async fn delete_listing(&self, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "listing", id).await?;
        let done = sqlx::query("DELETE FROM listings WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("listing", id));
        }
        self.record_change(&mut tx, "listing", id, Op::Delete, before)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_listings(&self, f: &ListingFilter, page: Page) -> Result<Paged<ListingRecord>> {
        let w = listing_where(f);
        self.fetch_page(
            "listings",
            LISTING_COLUMNS,
            &w,
            "id DESC",
            page,
            listing_from_row,
        )
        .await
    }

    async fn facet_values(
        &self,
        kind: qiao_domain::Kind,
        facet: Facet,
        limit: u32,
    ) -> Result<Vec<(String, i64)>> {
        let c = facet.column();
        let sql = format!(
            "SELECT {c} AS v, COUNT(*) AS n FROM listings \
             WHERE kind = $1 AND status <> 'draft' AND {c} IS NOT NULL AND {c} <> '' \
             GROUP BY {c} ORDER BY n DESC, v LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(kind.as_str())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("v")?, r.try_get("n")?)))
            .collect()
    }

    async fn list_listing_items(
        &self,
        f: &ListingFilter,
        page: Page,
    ) -> Result<Vec<ListingRecord>> {
        let w = listing_where(f);
        self.fetch_items(
            "listings",
            LISTING_COLUMNS,
            &w,
            "id DESC",
            page,
            listing_from_row,
        )
        .await
    }

    async fn import(
        &self,
        orgs: &[Organisation],
        listings: &[ImportListing],
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut tx = self.write_tx().await?;
        let t = now();
        for org in orgs {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE credit_code = $1")
                    .bind(&org.credit_code)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(id) => {
                    self.write_org(&mut tx, id, org).await?;
                    report.organisations_updated += 1;
                }
                None => {
                    self.insert_org(&mut tx, None, org, t, t).await?;
                    report.organisations_created += 1;
                }
            }
        }
        let mut owners: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for item in listings {
            let owner = match &item.owner_credit_code {
                None => None,
                Some(code) => match owners.get(code) {
                    Some(&id) => Some(id),
                    None => {
                        let id: Option<i64> = sqlx::query_scalar(
                            "SELECT id FROM organisations WHERE credit_code = $1",
                        )
                        .bind(code)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let id = id.ok_or_else(|| {
                            StoreError::Conflict(format!(
                                "owner `{code}` is not a registered organisation; import the organisation first or in the same file"
                            ))
                        })?;
                        owners.insert(code.clone(), id);
                        Some(id)
                    }
                },
            };
            let exists = match item.id {
                Some(id) => sqlx::query_scalar::<_, i64>("SELECT id FROM listings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some(),
                None => false,
            };
            if exists {
                let id = item.id.expect("checked above");
                self.write_listing(&mut tx, id, &item.listing).await?;
                sqlx::query("UPDATE listings SET owner_org_id = $1 WHERE id = $2")
                    .bind(owner)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                report.listings_updated += 1;
            } else {
                self.insert_listing(&mut tx, item.id, owner, &item.listing, t, t)
                    .await?;
                report.listings_created += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }
}
