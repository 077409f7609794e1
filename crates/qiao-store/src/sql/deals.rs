//! Deals: the technology manager's records of a match carried toward a contract, their history
//! and the settings their forecast uses.
//!
//! The rules of a deal (which stage may follow which, who may act) live in the domain's
//! `Deal::apply`; this file stores what it returns. A write names the version it was computed
//! from and is refused when the deal changed in between, so two managers moving the same deal
//! cannot silently undo each other's step.

use async_trait::async_trait;
use qiao_domain::{Deal, DealEvent, StageProbabilities};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{
    Arg, SqlStore, Tx, Where, date, expect_version, from_json, json, now, parse_ts, ts,
};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{DealFilter, Page, Paged};
use crate::records::{DealEventRecord, DealRecord, Op};

/// The settings key of the stage probabilities.
const PROBABILITIES_KEY: &str = "deal_stage_probabilities";
/// The id the change feed names the stage probabilities by.
const PROBABILITIES_ID: i64 = 1;

/// The settings key the change feed's setting `id` stands for.
pub(crate) fn setting_key(id: i64) -> Option<&'static str> {
    match id {
        PROBABILITIES_ID => Some(PROBABILITIES_KEY),
        super::valuations::REFERENCE_ID => Some(super::valuations::REFERENCE_KEY),
        _ => None,
    }
}

/// Opening, changing and finding deals.
#[async_trait]
pub trait DealStore: Send + Sync {
    /// Stores a new deal with the first event of its history.
    async fn create_deal(&self, deal: &Deal, event: &DealEvent) -> Result<DealRecord>;
    /// One deal.
    async fn get_deal(&self, id: i64) -> Result<DealRecord>;
    /// Replaces deal `id` by `deal` and appends `events` (one action's, or the steps a
    /// contract's registration takes it through), if the deal is still at `version`; conflict
    /// otherwise (someone changed it since it was read).
    async fn update_deal(
        &self,
        id: i64,
        version: i64,
        deal: &Deal,
        events: &[DealEvent],
    ) -> Result<DealRecord>;
    /// A deal's history, oldest first.
    async fn deal_events(&self, id: i64) -> Result<Vec<DealEventRecord>>;
    /// Deals matching `filter`, the most recently changed first.
    async fn deals(&self, filter: &DealFilter, page: Page) -> Result<Paged<DealRecord>>;
    /// Every deal matching `filter` (for boards and forecasts: deals are made by people, so
    /// a district holds thousands at most), the most recently changed first.
    async fn all_deals(&self, filter: &DealFilter) -> Result<Vec<DealRecord>>;
    /// The probabilities the forecast weighs each stage by (the defaults until staff set them).
    async fn stage_probabilities(&self) -> Result<StageProbabilities>;
    /// Sets the stage probabilities.
    async fn set_stage_probabilities(&self, probabilities: &StageProbabilities) -> Result<()>;
}

pub(crate) const DEAL_COLUMNS: &str = "id, version, created_by, body, created_at, updated_at";

pub(crate) fn deal_from_row(row: &AnyRow) -> Result<DealRecord> {
    Ok(DealRecord {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        deal: from_json("deal", &row.try_get::<String, _>("body")?)?,
    })
}

fn event_from_row(row: &AnyRow) -> Result<DealEventRecord> {
    Ok(DealEventRecord {
        id: row.try_get("id")?,
        deal_id: row.try_get("deal_id")?,
        event: from_json("deal event", &row.try_get::<String, _>("body")?)?,
    })
}

/// A deal checked as the domain requires; the store never keeps one that is not.
pub(crate) fn checked(deal: &Deal) -> Result<Deal> {
    let mut deal = deal.clone();
    deal.validate()?;
    Ok(deal)
}

impl SqlStore {
    /// Inserts a deal row (keeping the record's id, version and times when restoring) and its
    /// managers; returns its id.
    pub(crate) async fn insert_deal(
        &self,
        tx: &mut Tx,
        record: Option<&DealRecord>,
        deal: &Deal,
    ) -> Result<i64> {
        const COLUMNS: &str = "title, stage, status, seller_org_id, buyer_org_id, district, field, next_due, close_year, version, created_by, body, created_at, updated_at";
        const MARKS: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14";
        let t = ts(now());
        let (version, created_by, created_at, updated_at) = match record {
            Some(r) => (r.version, r.created_by, ts(r.created_at), ts(r.updated_at)),
            None => (1, self.actor, t.clone(), t),
        };
        let sql = match record {
            Some(_) => {
                format!("INSERT INTO deals ({COLUMNS}, id) VALUES ({MARKS}, $15) RETURNING id")
            }
            None => format!("INSERT INTO deals ({COLUMNS}) VALUES ({MARKS}) RETURNING id"),
        };
        let mut q = bind_deal_columns(sqlx::query(AssertSqlSafe(sql)), deal)
            .bind(version)
            .bind(created_by)
            .bind(json(deal))
            .bind(created_at)
            .bind(updated_at);
        if let Some(r) = record {
            q = q.bind(r.id);
        }
        let row = q
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| conflict_on_unique(e, || "a deal with this id already exists".into()))?;
        let id: i64 = row.try_get(0)?;
        write_managers(tx, id, deal).await?;
        Ok(id)
    }

    pub(crate) async fn insert_deal_event(
        &self,
        tx: &mut Tx,
        deal_id: i64,
        event: &DealEvent,
    ) -> Result<()> {
        sqlx::query("INSERT INTO deal_events (deal_id, body) VALUES ($1, $2)")
            .bind(deal_id)
            .bind(json(event))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Restores one backed-up deal with its history (inside the restore transaction).
    pub(crate) async fn restore_deal(
        &self,
        tx: &mut Tx,
        record: &DealRecord,
        events: &[DealEventRecord],
    ) -> Result<()> {
        self.insert_deal(tx, Some(record), &record.deal).await?;
        for e in events {
            sqlx::query("INSERT INTO deal_events (id, deal_id, body) VALUES ($1, $2, $3)")
                .bind(e.id)
                .bind(record.id)
                .bind(json(&e.event))
                .execute(&mut **tx)
                .await
                .map_err(|err| {
                    conflict_on_unique(err, || format!("deal event {} appears twice", e.id))
                })?;
        }
        self.record_change(tx, "deal", record.id, Op::Insert, None)
            .await
    }

    /// Every deal event, for backups.
    pub(crate) async fn all_deal_events(&self, tx: &mut Tx) -> Result<Vec<DealEventRecord>> {
        let rows = sqlx::query("SELECT id, deal_id, body FROM deal_events ORDER BY id")
            .fetch_all(&mut **tx)
            .await?;
        rows.iter().map(event_from_row).collect()
    }
}

/// Binds the columns derived from the deal, `$1` to `$9`.
fn bind_deal_columns<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    deal: &Deal,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(deal.title.clone())
        .bind(deal.stage.as_str())
        .bind(deal.status.kind().as_str())
        .bind(deal.seller_org_id)
        .bind(deal.buyer_org_id)
        .bind(deal.district.clone())
        .bind(deal.field.map(|f| f.as_str()))
        .bind(deal.next_step.as_ref().map(|s| date(s.due_on)))
        .bind(
            deal.expected_close_on
                .map(|d| i64::from(chrono::Datelike::year(&d))),
        )
}

async fn write_managers(tx: &mut Tx, deal_id: i64, deal: &Deal) -> Result<()> {
    sqlx::query("DELETE FROM deal_managers WHERE deal_id = $1")
        .bind(deal_id)
        .execute(&mut **tx)
        .await?;
    for m in &deal.managers {
        sqlx::query(
            "INSERT INTO deal_managers (deal_id, account_id, share_bp) VALUES ($1, $2, $3)",
        )
        .bind(deal_id)
        .bind(m.account_id)
        .bind(i64::from(m.share_bp))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn deal_where(f: &DealFilter) -> Where {
    let mut w = Where::default();
    if let Some(m) = f.manager_id {
        w.and(
            "id IN (SELECT deal_id FROM deal_managers WHERE account_id = ?)",
            [Arg::Int(m)],
        );
    }
    if let Some(o) = f.party_org_id {
        w.and(
            "(seller_org_id = ? OR buyer_org_id = ?)",
            [Arg::Int(o), Arg::Int(o)],
        );
    }
    if let Some(d) = &f.district {
        w.and("district = ?", [Arg::Text(d.clone())]);
    }
    if let Some(x) = &f.field {
        w.and("field = ?", [Arg::Text(x.clone())]);
    }
    if let Some(x) = &f.stage {
        w.and("stage = ?", [Arg::Text(x.clone())]);
    }
    if let Some(x) = &f.status {
        w.and("status = ?", [Arg::Text(x.clone())]);
    }
    if let Some(day) = f.overdue_on {
        // Only deals still moving can be late: a won deal's next step is its performance.
        w.and(
            "next_due IS NOT NULL AND next_due < ? AND status IN ('open', 'paused')",
            [Arg::Text(date(day))],
        );
    }
    if let Some(y) = f.close_year {
        w.and("close_year = ?", [Arg::Int(i64::from(y))]);
    }
    if f.unmanaged {
        w.and(
            "id NOT IN (SELECT deal_id FROM deal_managers) AND status IN ('open', 'paused')",
            [],
        );
    }
    w
}

#[async_trait]
impl DealStore for SqlStore {
    async fn create_deal(&self, deal: &Deal, event: &DealEvent) -> Result<DealRecord> {
        let deal = checked(deal)?;
        let mut tx = self.write_tx().await?;
        let id = self.insert_deal(&mut tx, None, &deal).await?;
        self.insert_deal_event(&mut tx, id, event).await?;
        self.record_change(&mut tx, "deal", id, Op::Insert, None)
            .await?;
        tx.commit().await?;
        self.get_deal(id).await
    }

    async fn get_deal(&self, id: i64) -> Result<DealRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DEAL_COLUMNS} FROM deals WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        deal_from_row(&row.ok_or_else(|| StoreError::not_found("deal", id))?)
    }

    async fn update_deal(
        &self,
        id: i64,
        version: i64,
        deal: &Deal,
        events: &[DealEvent],
    ) -> Result<DealRecord> {
        let deal = checked(deal)?;
        let mut tx = self.write_tx().await?;
        expect_version(&mut tx, "deals", "deal", id, version).await?;
        let before = self.snapshot(&mut tx, "deal", id).await?;
        let q = sqlx::query(
            "UPDATE deals SET title = $1, stage = $2, status = $3, seller_org_id = $4, buyer_org_id = $5, district = $6, field = $7, next_due = $8, close_year = $9, \
             version = version + 1, body = $10, updated_at = $11 WHERE id = $12",
        );
        bind_deal_columns(q, &deal)
            .bind(json(&deal))
            .bind(ts(now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        write_managers(&mut tx, id, &deal).await?;
        for event in events {
            self.insert_deal_event(&mut tx, id, event).await?;
        }
        self.record_change(&mut tx, "deal", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_deal(id).await
    }

    async fn deal_events(&self, id: i64) -> Result<Vec<DealEventRecord>> {
        let rows =
            sqlx::query("SELECT id, deal_id, body FROM deal_events WHERE deal_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(event_from_row).collect()
    }

    async fn deals(&self, filter: &DealFilter, page: Page) -> Result<Paged<DealRecord>> {
        self.fetch_page(
            "deals",
            DEAL_COLUMNS,
            &deal_where(filter),
            "updated_at DESC, id DESC",
            page,
            deal_from_row,
        )
        .await
    }

    async fn all_deals(&self, filter: &DealFilter) -> Result<Vec<DealRecord>> {
        let w = deal_where(filter);
        let sql = format!(
            "SELECT {DEAL_COLUMNS} FROM deals{} ORDER BY updated_at DESC, id DESC",
            w.sql()
        );
        let rows = super::base::bind_all(sqlx::query(AssertSqlSafe(sql)), w.args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(deal_from_row).collect()
    }

    async fn stage_probabilities(&self) -> Result<StageProbabilities> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM settings WHERE key = $1")
            .bind(PROBABILITIES_KEY)
            .fetch_optional(&self.pool)
            .await?;
        match body {
            Some(b) => from_json("stage probabilities", &b),
            None => Ok(StageProbabilities::default()),
        }
    }

    async fn set_stage_probabilities(&self, probabilities: &StageProbabilities) -> Result<()> {
        probabilities.validate()?;
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "setting", PROBABILITIES_ID).await?;
        sqlx::query(
            "INSERT INTO settings (key, body, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(PROBABILITIES_KEY)
        .bind(json(probabilities))
        .bind(ts(now()))
        .execute(&mut *tx)
        .await?;
        self.record_change(&mut tx, "setting", PROBABILITIES_ID, Op::Update, before)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
