//! 创新券 (innovation vouchers) and their balances.
//!
//! A voucher's row carries its granted amount and two running sums, reserved and spent, in 分.
//! They change only inside a booking's write transaction ([`SqlStore::move_voucher`], called by
//! `bookings.rs`): the balance is read, the domain's arithmetic (`VoucherBalance`) decides, and
//! the new sums are written before the transaction commits. Writers hold the write lock (see
//! `write_tx`), so two bookings never read the same balance; the table's CHECK (reserved + spent
//! never above granted) would refuse an overspend even if that ever changed.

use async_trait::async_trait;
use qiao_domain::booking::{Fen, Voucher, VoucherBalance};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, bind_all, date, from_json, json, now, parse_ts, ts};
use crate::booking_records::{VoucherRecord, VoucherTotals};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{Page, Paged};
use crate::records::Op;

/// Issuing and reading vouchers.
#[async_trait]
pub trait VoucherStore: Send + Sync {
    /// Issues a voucher; a conflict when its number is taken.
    async fn create_voucher(&self, voucher: &Voucher) -> Result<VoucherRecord>;
    /// One voucher with its balance.
    async fn get_voucher(&self, id: i64) -> Result<VoucherRecord>;
    /// Vouchers, of one organisation if given, newest first.
    async fn vouchers(&self, org_id: Option<i64>, page: Page) -> Result<Paged<VoucherRecord>>;
    /// How many vouchers (of one organisation if given) and their sums.
    async fn voucher_totals(&self, org_id: Option<i64>) -> Result<VoucherTotals>;
}

pub(crate) const VOUCHER_COLUMNS: &str =
    "id, reserved_fen, spent_fen, created_by, body, created_at, updated_at";

pub(crate) fn voucher_from_row(row: &AnyRow) -> Result<VoucherRecord> {
    Ok(VoucherRecord {
        id: row.try_get("id")?,
        voucher: from_json("voucher", &row.try_get::<String, _>("body")?)?,
        reserved: Fen(row.try_get("reserved_fen")?),
        spent: Fen(row.try_get("spent_fen")?),
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
    })
}

fn org_where(org_id: Option<i64>) -> Where {
    let mut w = Where::default();
    if let Some(o) = org_id {
        w.and("org_id = ?", [Arg::Int(o)]);
    }
    w
}

impl SqlStore {
    /// Inserts a voucher (keeping the record's id, sums and stamps when restoring); its id.
    pub(crate) async fn insert_voucher(
        &self,
        tx: &mut Tx,
        record: Option<&VoucherRecord>,
        v: &Voucher,
    ) -> Result<i64> {
        let mut v = v.clone();
        v.validate()?;
        let t = ts(now());
        let (reserved, spent, created_by, created_at, updated_at) = match record {
            Some(r) => (
                r.reserved.0,
                r.spent.0,
                r.created_by,
                ts(r.created_at),
                ts(r.updated_at),
            ),
            None => (0, 0, self.actor, t.clone(), t),
        };
        const COLUMNS: &str = "number, org_id, granted_fen, reserved_fen, spent_fen, valid_from, valid_until, created_by, body, created_at, updated_at";
        const MARKS: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11";
        let sql = match record {
            Some(_) => {
                format!("INSERT INTO vouchers ({COLUMNS}, id) VALUES ({MARKS}, $12) RETURNING id")
            }
            None => format!("INSERT INTO vouchers ({COLUMNS}) VALUES ({MARKS}) RETURNING id"),
        };
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(v.number.clone())
            .bind(v.org_id)
            .bind(v.granted.0)
            .bind(reserved)
            .bind(spent)
            .bind(date(v.valid_from))
            .bind(date(v.valid_until))
            .bind(created_by)
            .bind(json(&v))
            .bind(created_at)
            .bind(updated_at);
        if let Some(r) = record {
            q = q.bind(r.id);
        }
        let number = v.number.clone();
        let id = q.fetch_one(&mut **tx).await.map_err(|e| {
            conflict_on_unique(e, || {
                format!("a voucher numbered `{number}` already exists; give another number")
            })
        })?;
        self.record_change(tx, "voucher", id, Op::Insert, None)
            .await?;
        Ok(id)
    }

    /// The voucher, read inside `tx` (under the write lock).
    pub(crate) async fn voucher_in(&self, tx: &mut Tx, id: i64) -> Result<VoucherRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {VOUCHER_COLUMNS} FROM vouchers WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        voucher_from_row(&row.ok_or_else(|| StoreError::not_found("voucher", id))?)
    }

    /// Moves voucher `id`'s balance inside `tx` by `step` (the domain's arithmetic, which may
    /// refuse), and writes the new sums with a change-feed row.
    pub(crate) async fn move_voucher(
        &self,
        tx: &mut Tx,
        id: i64,
        step: impl FnOnce(&VoucherRecord) -> Result<VoucherBalance>,
    ) -> Result<()> {
        let current = self.voucher_in(tx, id).await?;
        let next = step(&current)?;
        let before = self.snapshot(tx, "voucher", id).await?;
        sqlx::query(
            "UPDATE vouchers SET reserved_fen = $1, spent_fen = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(next.reserved.0)
        .bind(next.spent.0)
        .bind(ts(now()))
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.message().to_lowercase().contains("check") => {
                StoreError::Conflict(format!("voucher {id} has not enough left for this booking"))
            }
            _ => StoreError::Database(e),
        })?;
        self.record_change(tx, "voucher", id, Op::Update, before)
            .await
    }
}

#[async_trait]
impl VoucherStore for SqlStore {
    async fn create_voucher(&self, voucher: &Voucher) -> Result<VoucherRecord> {
        let mut tx = self.write_tx().await?;
        let id = self.insert_voucher(&mut tx, None, voucher).await?;
        tx.commit().await?;
        self.get_voucher(id).await
    }

    async fn get_voucher(&self, id: i64) -> Result<VoucherRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {VOUCHER_COLUMNS} FROM vouchers WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        voucher_from_row(&row.ok_or_else(|| StoreError::not_found("voucher", id))?)
    }

    async fn vouchers(&self, org_id: Option<i64>, page: Page) -> Result<Paged<VoucherRecord>> {
        self.fetch_page(
            "vouchers",
            VOUCHER_COLUMNS,
            &org_where(org_id),
            "id DESC",
            page,
            voucher_from_row,
        )
        .await
    }

    async fn voucher_totals(&self, org_id: Option<i64>) -> Result<VoucherTotals> {
        let w = org_where(org_id);
        // Sums are cast so both engines hand back a 64-bit integer (PostgreSQL's SUM of a
        // BIGINT is NUMERIC).
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(granted_fen), 0) AS BIGINT) AS g, \
             CAST(COALESCE(SUM(reserved_fen), 0) AS BIGINT) AS r, \
             CAST(COALESCE(SUM(spent_fen), 0) AS BIGINT) AS s FROM vouchers{}",
            w.sql()
        );
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), w.args())
            .fetch_one(&self.pool)
            .await?;
        Ok(VoucherTotals {
            count: row.try_get("n")?,
            balance: VoucherBalance {
                granted: Fen(row.try_get("g")?),
                reserved: Fen(row.try_get("r")?),
                spent: Fen(row.try_get("s")?),
            },
        })
    }
}
