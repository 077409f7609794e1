//! What commission staff set: enterprise-support policies and regional targets. Both are kept
//! as JSON bodies (the domain decides their shape and rules) beside the columns lists filter
//! on; every write lands in the change feed with the acting account, like every other record.

use async_trait::async_trait;
use qiao_domain::{Policy, Target};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, from_json, json, now, parse_ts, ts};
use crate::error::{Result, StoreError};
use crate::query::{Page, Paged};
use crate::records::{Op, PolicyRecord, TargetFilter, TargetRecord};

/// Policies and targets: what commission staff set.
#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Stores a new, validated policy (change-feed entity `policy`).
    async fn create_policy(&self, policy: &Policy) -> Result<PolicyRecord>;
    /// One policy.
    async fn get_policy(&self, id: i64) -> Result<PolicyRecord>;
    /// Replaces a policy's fields.
    async fn update_policy(&self, id: i64, policy: &Policy) -> Result<PolicyRecord>;
    /// Deletes a policy.
    async fn delete_policy(&self, id: i64) -> Result<()>;
    /// Policies, newest first.
    async fn list_policies(&self, page: Page) -> Result<Paged<PolicyRecord>>;

    /// Stores validated targets in one transaction (change-feed entity `target`), in order.
    async fn create_targets(&self, targets: &[Target]) -> Result<Vec<TargetRecord>>;
    /// One target.
    async fn get_target(&self, id: i64) -> Result<TargetRecord>;
    /// Replaces a target's fields.
    async fn update_target(&self, id: i64, target: &Target) -> Result<TargetRecord>;
    /// Deletes a target.
    async fn delete_target(&self, id: i64) -> Result<()>;
    /// Targets matching `filter`, the latest year first.
    async fn list_targets(&self, filter: &TargetFilter, page: Page) -> Result<Paged<TargetRecord>>;
}

pub(crate) const POLICY_COLUMNS: &str = "id, body, created_at, updated_at";
pub(crate) const TARGET_COLUMNS: &str = "id, body, created_at, updated_at";

pub(crate) fn policy_from_row(row: &AnyRow) -> Result<PolicyRecord> {
    Ok(PolicyRecord {
        id: row.try_get("id")?,
        policy: from_json("policy", &row.try_get::<String, _>("body")?)?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

pub(crate) fn target_from_row(row: &AnyRow) -> Result<TargetRecord> {
    Ok(TargetRecord {
        id: row.try_get("id")?,
        target: from_json("target", &row.try_get::<String, _>("body")?)?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

impl SqlStore {
    /// Inserts a policy and its change in `tx`; an explicit `id` (restores) is kept.
    pub(crate) async fn insert_policy(
        &self,
        tx: &mut Tx,
        id: Option<i64>,
        p: &Policy,
        created: chrono::DateTime<chrono::Utc>,
        updated: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO policies (id, title, document_id, body, created_at, updated_at) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM policies)), $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id)
        .bind(&p.title)
        .bind(p.document_id)
        .bind(json(p))
        .bind(ts(created))
        .bind(ts(updated))
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "policy", id, Op::Insert, None)
            .await?;
        Ok(id)
    }

    /// Inserts a target and its change in `tx`; an explicit `id` (restores) is kept.
    pub(crate) async fn insert_target(
        &self,
        tx: &mut Tx,
        id: Option<i64>,
        t: &Target,
        created: chrono::DateTime<chrono::Utc>,
        updated: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO targets (id, region, year, document_id, body, created_at, updated_at) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM targets)), $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(&t.region)
        .bind(i64::from(t.year))
        .bind(t.document_id)
        .bind(json(t))
        .bind(ts(created))
        .bind(ts(updated))
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "target", id, Op::Insert, None)
            .await?;
        Ok(id)
    }

    /// Deletes a row of `table` (`policies` or `targets`) and records it as `entity`.
    async fn delete_plan(&self, table: &str, entity: &'static str, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, entity, id).await?;
        let done = sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE id = $1")))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found(entity, id));
        }
        self.record_change(&mut tx, entity, id, Op::Delete, before)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl PlanStore for SqlStore {
    async fn create_policy(&self, p: &Policy) -> Result<PolicyRecord> {
        let mut tx = self.write_tx().await?;
        let t = now();
        let id = self.insert_policy(&mut tx, None, p, t, t).await?;
        tx.commit().await?;
        self.get_policy(id).await
    }

    async fn get_policy(&self, id: i64) -> Result<PolicyRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {POLICY_COLUMNS} FROM policies WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        policy_from_row(&row.ok_or_else(|| StoreError::not_found("policy", id))?)
    }

    async fn update_policy(&self, id: i64, p: &Policy) -> Result<PolicyRecord> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "policy", id).await?;
        let done = sqlx::query(
            "UPDATE policies SET title = $1, document_id = $2, body = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(&p.title)
        .bind(p.document_id)
        .bind(json(p))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("policy", id));
        }
        self.record_change(&mut tx, "policy", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_policy(id).await
    }

    async fn list_policies(&self, page: Page) -> Result<Paged<PolicyRecord>> {
        self.fetch_page(
            "policies",
            POLICY_COLUMNS,
            &Where::default(),
            "id DESC",
            page,
            policy_from_row,
        )
        .await
    }

    async fn create_targets(&self, targets: &[Target]) -> Result<Vec<TargetRecord>> {
        let mut tx = self.write_tx().await?;
        let t = now();
        let mut ids = Vec::with_capacity(targets.len());
        for target in targets {
            ids.push(self.insert_target(&mut tx, None, target, t, t).await?);
        }
        tx.commit().await?;
        self.fetch_by_ids("targets", TARGET_COLUMNS, &ids, target_from_row)
            .await
    }

    async fn get_target(&self, id: i64) -> Result<TargetRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TARGET_COLUMNS} FROM targets WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        target_from_row(&row.ok_or_else(|| StoreError::not_found("target", id))?)
    }

    async fn update_target(&self, id: i64, t: &Target) -> Result<TargetRecord> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "target", id).await?;
        let done = sqlx::query(
            "UPDATE targets SET region = $1, year = $2, document_id = $3, body = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&t.region)
        .bind(i64::from(t.year))
        .bind(t.document_id)
        .bind(json(t))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("target", id));
        }
        self.record_change(&mut tx, "target", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_target(id).await
    }

    async fn list_targets(&self, f: &TargetFilter, page: Page) -> Result<Paged<TargetRecord>> {
        let mut w = Where::default();
        if let Some(region) = &f.region {
            w.and("region = ?", [Arg::Text(region.clone())]);
        }
        if let Some(year) = f.year {
            w.and("year = ?", [Arg::Int(i64::from(year))]);
        }
        self.fetch_page(
            "targets",
            TARGET_COLUMNS,
            &w,
            "year DESC, id",
            page,
            target_from_row,
        )
        .await
    }

    async fn delete_policy(&self, id: i64) -> Result<()> {
        self.delete_plan("policies", "policy", id).await
    }

    async fn delete_target(&self, id: i64) -> Result<()> {
        self.delete_plan("targets", "target", id).await
    }
}
