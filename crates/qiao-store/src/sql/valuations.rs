//! Saved valuations: versions attached to an achievement listing or a deal, and the reference
//! table (industry share ranges and defaults) staff edit.
//!
//! A save never changes an earlier version: it appends the next number for its subject, taken
//! inside the write transaction (writers hold the write lock, so two saves cannot take the same
//! number; the UNIQUE constraint would refuse it anyway). The inputs and the figures are stored
//! as the domain computed them, so a version reads back exactly as it was shown.

use async_trait::async_trait;
use qiao_domain::valuation::{Inputs, Reference, Valuation};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::base::{SqlStore, Tx, from_json, json, now, parse_ts, ts};
use crate::error::{Result, StoreError};
use crate::records::{Op, ValuationRecord, ValuationSubject};

/// The settings key of the valuation reference table.
pub(crate) const REFERENCE_KEY: &str = "valuation_reference";
/// The id the change feed names the reference table by (the stage probabilities are 1).
pub(crate) const REFERENCE_ID: i64 = 2;

/// The most versions one list returns (newest first).
pub const MAX_VERSIONS: u32 = 200;

/// Saving and reading valuations.
#[async_trait]
pub trait ValuationStore: Send + Sync {
    /// Stores a valuation as the next version of `subject`.
    async fn create_valuation(
        &self,
        subject: ValuationSubject,
        note: &str,
        inputs: &Inputs,
        result: &Valuation,
    ) -> Result<ValuationRecord>;
    /// One saved valuation.
    async fn get_valuation(&self, id: i64) -> Result<ValuationRecord>;
    /// The versions of `subject`, newest first, at most [`MAX_VERSIONS`].
    async fn valuations(&self, subject: ValuationSubject) -> Result<Vec<ValuationRecord>>;
    /// The reference table: the one staff saved, else the shipped one.
    async fn valuation_reference(&self) -> Result<Reference>;
    /// Replaces the reference table (validated first).
    async fn set_valuation_reference(&self, reference: &Reference) -> Result<()>;
}

pub(crate) const VALUATION_COLUMNS: &str =
    "id, subject_kind, subject_id, version, note, inputs, result, created_by, created_at";

pub(crate) fn valuation_from_row(row: &AnyRow) -> Result<ValuationRecord> {
    let kind: String = row.try_get("subject_kind")?;
    let id: i64 = row.try_get("subject_id")?;
    let subject = ValuationSubject::parse(&kind, id)
        .ok_or_else(|| StoreError::Corrupt(format!("valuation subject `{kind}`")))?;
    Ok(ValuationRecord {
        id: row.try_get("id")?,
        subject,
        version: row.try_get("version")?,
        note: row.try_get("note")?,
        inputs: from_json("valuation inputs", &row.try_get::<String, _>("inputs")?)?,
        result: from_json("valuation result", &row.try_get::<String, _>("result")?)?,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
    })
}

impl SqlStore {
    /// Writes a valuation row inside `tx` (a new save or a restore), with its change-feed row.
    pub(crate) async fn insert_valuation(&self, tx: &mut Tx, r: &ValuationRecord) -> Result<i64> {
        let (kind, subject_id) = r.subject.parts();
        // A restore keeps the id; the id's placeholder comes last, as SQLite numbers
        // parameters by first appearance.
        let sql = if r.id > 0 {
            "INSERT INTO valuations (subject_kind, subject_id, version, note, inputs, result, created_by, created_at, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        } else {
            "INSERT INTO valuations (subject_kind, subject_id, version, note, inputs, result, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        };
        let mut q = sqlx::query_scalar(sql)
            .bind(kind)
            .bind(subject_id)
            .bind(r.version)
            .bind(r.note.clone())
            .bind(json(&r.inputs))
            .bind(json(&r.result))
            .bind(r.created_by)
            .bind(ts(r.created_at));
        if r.id > 0 {
            q = q.bind(r.id);
        }
        let id: i64 = q.fetch_one(&mut **tx).await?;
        self.record_change(tx, "valuation", id, Op::Insert, None)
            .await?;
        Ok(id)
    }
}

#[async_trait]
impl ValuationStore for SqlStore {
    async fn create_valuation(
        &self,
        subject: ValuationSubject,
        note: &str,
        inputs: &Inputs,
        result: &Valuation,
    ) -> Result<ValuationRecord> {
        let mut checked = inputs.clone();
        checked.validate()?;
        let (kind, subject_id) = subject.parts();
        let mut tx = self.write_tx().await?;
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(version) FROM valuations WHERE subject_kind = $1 AND subject_id = $2",
        )
        .bind(kind)
        .bind(subject_id)
        .fetch_one(&mut *tx)
        .await?;
        let record = ValuationRecord {
            id: 0,
            subject,
            version: last.unwrap_or(0) + 1,
            note: note.trim().to_string(),
            inputs: checked,
            result: result.clone(),
            created_by: self.actor,
            created_at: now(),
        };
        let id = self.insert_valuation(&mut tx, &record).await?;
        tx.commit().await?;
        // Read back as stored: the timestamp at the precision kept, the numbers as their JSON
        // reads (serde_json may read a float one unit in the last place away from the one it
        // wrote), so the record returned equals every later read of it.
        self.get_valuation(id).await
    }

    async fn get_valuation(&self, id: i64) -> Result<ValuationRecord> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VALUATION_COLUMNS} FROM valuations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        valuation_from_row(&row.ok_or_else(|| StoreError::not_found("valuation", id))?)
    }

    async fn valuations(&self, subject: ValuationSubject) -> Result<Vec<ValuationRecord>> {
        let (kind, id) = subject.parts();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VALUATION_COLUMNS} FROM valuations WHERE subject_kind = $1 AND subject_id = $2 \
             ORDER BY version DESC LIMIT {MAX_VERSIONS}"
        )))
        .bind(kind)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(valuation_from_row).collect()
    }

    async fn valuation_reference(&self) -> Result<Reference> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM settings WHERE key = $1")
            .bind(REFERENCE_KEY)
            .fetch_optional(&self.pool)
            .await?;
        match body {
            Some(b) => from_json("valuation reference", &b),
            None => Ok(Reference::default()),
        }
    }

    async fn set_valuation_reference(&self, reference: &Reference) -> Result<()> {
        let mut reference = reference.clone();
        reference.validate()?;
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "setting", REFERENCE_ID).await?;
        sqlx::query(
            "INSERT INTO settings (key, body, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(REFERENCE_KEY)
        .bind(json(&reference))
        .bind(ts(now()))
        .execute(&mut *tx)
        .await?;
        self.record_change(&mut tx, "setting", REFERENCE_ID, Op::Update, before)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
