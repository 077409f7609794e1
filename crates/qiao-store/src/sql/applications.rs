//! Applications to challenges (揭榜) and their review history.
//!
//! The rules (when an organisation may apply, which status may follow which) are the domain's
//! (`qiao_domain::application`); who may read or review is the operations'. This file stores
//! what they return, and keeps three promises the rules cannot keep alone:
//!
//! - one application per organisation and challenge that holds its place (pending or awarded,
//!   the domain's `ApplicationStatus::holds_place`): the check runs inside the write
//!   transaction (writers hold the write lock), so two quick submissions cannot both pass;
//! - a write names the version it was computed from and is refused when the application changed
//!   in between, so two reviewers cannot silently undo each other;
//! - an award, the deal it opens and the challenge's new status are one transaction: a crash
//!   never leaves an awarded application without its deal, nor a deal without its award.

use async_trait::async_trait;
use qiao_domain::{Application, ApplicationEvent, ApplicationStatus, Deal, DealEvent, Listing};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::DealStore;
use super::base::{Arg, SqlStore, Tx, Where, expect_version, from_json, json, now, parse_ts, ts};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{ApplicationFilter, Page, Paged};
use crate::records::{
    ApplicationChange, ApplicationEventRecord, ApplicationRecord, DealRecord, Op,
};

/// Submitting, reviewing and finding applications.
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// Stores a new application with the first event of its history; a conflict when the
    /// organisation already has an application to the challenge that holds its place (pending
    /// or awarded).
    async fn create_application(
        &self,
        application: &Application,
        event: &ApplicationEvent,
    ) -> Result<ApplicationRecord>;
    /// One application.
    async fn get_application(&self, id: i64) -> Result<ApplicationRecord>;
    /// Writes every change and, if given, the challenge listing's new fields, in one
    /// transaction; a conflict (and nothing written) if any application is no longer at the
    /// version its change names.
    async fn update_applications(
        &self,
        changes: &[ApplicationChange],
        challenge: Option<(i64, &Listing)>,
    ) -> Result<Vec<ApplicationRecord>>;
    /// Awards: opens `deal` (with `deal_event`), writes `change` with the new deal's id in the
    /// application's `deal_id`, and the challenge's new fields if given, in one transaction.
    async fn award_application(
        &self,
        change: &ApplicationChange,
        deal: &Deal,
        deal_event: &DealEvent,
        challenge: Option<(i64, &Listing)>,
    ) -> Result<(ApplicationRecord, DealRecord)>;
    /// An application's history, oldest first.
    async fn application_events(&self, id: i64) -> Result<Vec<ApplicationEventRecord>>;
    /// Applications matching `filter`, newest first.
    async fn applications(
        &self,
        filter: &ApplicationFilter,
        page: Page,
    ) -> Result<Paged<ApplicationRecord>>;
}

pub(crate) const APPLICATION_COLUMNS: &str =
    "id, version, created_by, body, created_at, updated_at";

pub(crate) fn application_from_row(row: &AnyRow) -> Result<ApplicationRecord> {
    Ok(ApplicationRecord {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        application: from_json("application", &row.try_get::<String, _>("body")?)?,
    })
}

fn event_from_row(row: &AnyRow) -> Result<ApplicationEventRecord> {
    Ok(ApplicationEventRecord {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        event: from_json("application event", &row.try_get::<String, _>("body")?)?,
    })
}

/// A proposal checked as the domain requires; the store never keeps one that is not.
fn checked(application: &Application) -> Result<Application> {
    let mut a = application.clone();
    a.proposal.validate()?;
    Ok(a)
}

fn application_where(f: &ApplicationFilter) -> Where {
    let mut w = Where::default();
    if let Some(l) = f.listing_id {
        w.and("listing_id = ?", [Arg::Int(l)]);
    }
    if let Some(o) = f.applicant_org_id {
        w.and("applicant_org_id = ?", [Arg::Int(o)]);
    }
    if let Some(s) = &f.status {
        w.and("status = ?", [Arg::Text(s.clone())]);
    }
    w
}

impl SqlStore {
    /// Inserts an application row (keeping the record's id, version and times when restoring);
    /// returns its id.
    async fn insert_application(
        &self,
        tx: &mut Tx,
        record: Option<&ApplicationRecord>,
        a: &Application,
    ) -> Result<i64> {
        const COLUMNS: &str = "listing_id, applicant_org_id, owner_org_id, status, version, created_by, body, created_at, updated_at";
        const MARKS: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9";
        let t = ts(now());
        let (version, created_by, created_at, updated_at) = match record {
            Some(r) => (r.version, r.created_by, ts(r.created_at), ts(r.updated_at)),
            None => (1, self.actor, t.clone(), t),
        };
        // A restore keeps the id; its placeholder comes last, as SQLite numbers parameters by
        // first appearance.
        let sql = match record {
            Some(_) => format!(
                "INSERT INTO applications ({COLUMNS}, id) VALUES ({MARKS}, $10) RETURNING id"
            ),
            None => format!("INSERT INTO applications ({COLUMNS}) VALUES ({MARKS}) RETURNING id"),
        };
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(a.listing_id)
            .bind(a.applicant_org_id)
            .bind(a.owner_org_id)
            .bind(a.status.as_str())
            .bind(version)
            .bind(created_by)
            .bind(json(a))
            .bind(created_at)
            .bind(updated_at);
        if let Some(r) = record {
            q = q.bind(r.id);
        }
        q.fetch_one(&mut **tx).await.map_err(|e| {
            conflict_on_unique(e, || "an application with this id already exists".into())
        })
    }

    async fn insert_application_event(
        &self,
        tx: &mut Tx,
        id: i64,
        event: &ApplicationEvent,
    ) -> Result<()> {
        sqlx::query("INSERT INTO application_events (application_id, body) VALUES ($1, $2)")
            .bind(id)
            .bind(json(event))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Writes one change inside `tx`, checking its version first.
    async fn write_application(&self, tx: &mut Tx, change: &ApplicationChange) -> Result<()> {
        let a = checked(&change.application)?;
        let id = change.id;
        expect_version(tx, "applications", "application", id, change.version).await?;
        let before = self.snapshot(tx, "application", id).await?;
        sqlx::query(
            "UPDATE applications SET status = $1, version = version + 1, body = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(a.status.as_str())
        .bind(json(&a))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        self.insert_application_event(tx, id, &change.event).await?;
        self.record_change(tx, "application", id, Op::Update, before)
            .await
    }

    /// Restores one backed-up application with its history (inside the restore transaction).
    pub(crate) async fn restore_application(
        &self,
        tx: &mut Tx,
        record: &ApplicationRecord,
        events: &[ApplicationEventRecord],
    ) -> Result<()> {
        self.insert_application(tx, Some(record), &record.application)
            .await?;
        for e in events {
            sqlx::query(
                "INSERT INTO application_events (id, application_id, body) VALUES ($1, $2, $3)",
            )
            .bind(e.id)
            .bind(record.id)
            .bind(json(&e.event))
            .execute(&mut **tx)
            .await
            .map_err(|err| {
                conflict_on_unique(err, || format!("application event {} appears twice", e.id))
            })?;
        }
        self.record_change(tx, "application", record.id, Op::Insert, None)
            .await
    }

    /// Every application event, for backups.
    pub(crate) async fn all_application_events(
        &self,
        tx: &mut Tx,
    ) -> Result<Vec<ApplicationEventRecord>> {
        let rows =
            sqlx::query("SELECT id, application_id, body FROM application_events ORDER BY id")
                .fetch_all(&mut **tx)
                .await?;
        rows.iter().map(event_from_row).collect()
    }
}

#[async_trait]
impl ApplicationStore for SqlStore {
    async fn create_application(
        &self,
        application: &Application,
        event: &ApplicationEvent,
    ) -> Result<ApplicationRecord> {
        let a = checked(application)?;
        let mut tx = self.write_tx().await?;
        // The statuses are the domain's codes, never user input.
        let holding: Vec<String> = ApplicationStatus::ALL
            .iter()
            .filter(|s| s.holds_place())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let live: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT id FROM applications WHERE listing_id = $1 AND applicant_org_id = $2 AND status IN ({}) LIMIT 1",
            holding.join(", ")
        )))
        .bind(a.listing_id)
        .bind(a.applicant_org_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(existing) = live {
            return Err(StoreError::Conflict(format!(
                "your organisation already has an application to this challenge that is pending or awarded (application {existing}); withdraw a pending one before applying again"
            )));
        }
        let id = self.insert_application(&mut tx, None, &a).await?;
        self.insert_application_event(&mut tx, id, event).await?;
        self.record_change(&mut tx, "application", id, Op::Insert, None)
            .await?;
        tx.commit().await?;
        self.get_application(id).await
    }

    async fn get_application(&self, id: i64) -> Result<ApplicationRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        application_from_row(&row.ok_or_else(|| StoreError::not_found("application", id))?)
    }

    async fn update_applications(
        &self,
        changes: &[ApplicationChange],
        challenge: Option<(i64, &Listing)>,
    ) -> Result<Vec<ApplicationRecord>> {
        let mut tx = self.write_tx().await?;
        for c in changes {
            self.write_application(&mut tx, c).await?;
        }
        if let Some((id, listing)) = challenge {
            let mut listing = listing.clone();
            listing.validate()?;
            self.write_listing(&mut tx, id, &listing).await?;
        }
        tx.commit().await?;
        let mut out = Vec::with_capacity(changes.len());
        for c in changes {
            out.push(self.get_application(c.id).await?);
        }
        Ok(out)
    }

    async fn award_application(
        &self,
        change: &ApplicationChange,
        deal: &Deal,
        deal_event: &DealEvent,
        challenge: Option<(i64, &Listing)>,
    ) -> Result<(ApplicationRecord, DealRecord)> {
        let deal = super::deals::checked(deal)?;
        let mut tx = self.write_tx().await?;
        let deal_id = self.insert_deal(&mut tx, None, &deal).await?;
        self.insert_deal_event(&mut tx, deal_id, deal_event).await?;
        self.record_change(&mut tx, "deal", deal_id, Op::Insert, None)
            .await?;
        let mut change = change.clone();
        change.application.deal_id = Some(deal_id);
        self.write_application(&mut tx, &change).await?;
        if let Some((id, listing)) = challenge {
            let mut listing = listing.clone();
            listing.validate()?;
            self.write_listing(&mut tx, id, &listing).await?;
        }
        tx.commit().await?;
        Ok((
            self.get_application(change.id).await?,
            self.get_deal(deal_id).await?,
        ))
    }

    async fn application_events(&self, id: i64) -> Result<Vec<ApplicationEventRecord>> {
        let rows = sqlx::query(
            "SELECT id, application_id, body FROM application_events WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    async fn applications(
        &self,
        filter: &ApplicationFilter,
        page: Page,
    ) -> Result<Paged<ApplicationRecord>> {
        self.fetch_page(
            "applications",
            APPLICATION_COLUMNS,
            &application_where(filter),
            "id DESC",
            page,
            application_from_row,
        )
        .await
    }
}
