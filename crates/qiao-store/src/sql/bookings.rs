//! Instruments' bookable slots and their bookings.
//!
//! The rules (a slot's range, a series, overlaps, which step follows which, the voucher's
//! arithmetic) are the domain's (`qiao_domain::booking`); who may act is the operations'. This
//! file stores what they return and keeps the promises the rules cannot keep alone:
//!
//! - no two slots of an instrument overlap: new slots are checked against the stored ones
//!   inside the write transaction that inserts them;
//! - one active (requested or confirmed) booking per slot: checked inside the write transaction
//!   and, whatever happens above, enforced by the unique partial index
//!   `bookings_one_active_per_slot` (migration 0016);
//! - a booking's voucher amount is reserved, spent or released in the same transaction as the
//!   booking's step, from the balance read in that transaction (`vouchers.rs`), so concurrent
//!   bookings never spend more than the voucher holds;
//! - a step names the version it was computed from and is refused when the booking changed.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use qiao_domain::booking::{self, Booking, Fen, SlotSpec, SlotStatus, VoucherMove};
use qiao_domain::invalid::{Invalid, Rule};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, from_json, json, now, parse_ts, stale, ts};
use crate::booking_records::{
    BookingChange, BookingFilter, BookingRecord, SlotBackup, SlotFilter, SlotRecord,
};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{Page, Paged};
use crate::records::Op;

/// Offering slots and booking them.
#[async_trait]
pub trait BookingStore: Send + Sync {
    /// Offers `slots` on instrument `listing_id` (owned by `owner_org_id`), all or none;
    /// refused (naming the slot) when one overlaps another or a stored slot of the instrument.
    async fn create_slots(
        &self,
        listing_id: i64,
        owner_org_id: i64,
        slots: &[SlotSpec],
    ) -> Result<Vec<SlotRecord>>;
    /// One slot.
    async fn get_slot(&self, id: i64) -> Result<SlotRecord>;
    /// Withdraws a slot nobody holds; a conflict when an active booking holds it.
    async fn withdraw_slot(&self, id: i64) -> Result<SlotRecord>;
    /// Slots matching `filter`, in time order.
    async fn slots(&self, filter: &SlotFilter, page: Page) -> Result<Paged<SlotRecord>>;
    /// Stores a new booking, reserving its voucher amount; a conflict when the slot is
    /// withdrawn or already held, invalid (`voucher_amount`) when the voucher has not enough
    /// left.
    async fn create_booking(&self, booking: &Booking) -> Result<BookingRecord>;
    /// One booking.
    async fn get_booking(&self, id: i64) -> Result<BookingRecord>;
    /// Writes a step, moving the voucher's balance as it requires; a conflict (and nothing
    /// written) when the booking is no longer at the change's version.
    async fn update_booking(&self, change: &BookingChange) -> Result<BookingRecord>;
    /// Bookings matching `filter`, newest first.
    async fn bookings(&self, filter: &BookingFilter, page: Page) -> Result<Paged<BookingRecord>>;
}

/// Wall-clock times as stored: fixed width, so text order is time order.
fn wall(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn parse_wall(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .map_err(|e| StoreError::Corrupt(format!("slot time `{s}`: {e}")))
}

/// Whether an active booking holds the slot, as an integer on both engines.
const BOOKED: &str = "CAST(CASE WHEN EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = instrument_slots.id AND b.status IN ('requested', 'confirmed')) THEN 1 ELSE 0 END AS BIGINT) AS booked";

fn slot_columns() -> String {
    format!(
        "id, listing_id, owner_org_id, starts_at, ends_at, price_fen, status, created_by, created_at, {BOOKED}"
    )
}

fn slot_from_row(row: &AnyRow) -> Result<SlotRecord> {
    let status: String = row.try_get("status")?;
    Ok(SlotRecord {
        id: row.try_get("id")?,
        listing_id: row.try_get("listing_id")?,
        owner_org_id: row.try_get("owner_org_id")?,
        slot: SlotSpec {
            starts_at: parse_wall(&row.try_get::<String, _>("starts_at")?)?,
            ends_at: parse_wall(&row.try_get::<String, _>("ends_at")?)?,
            price: row.try_get::<Option<i64>, _>("price_fen")?.map(Fen),
        },
        status: SlotStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("slot status `{status}`")))?,
        booked: row.try_get::<i64, _>("booked")? != 0,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) const BOOKING_COLUMNS: &str = "id, version, created_by, body, created_at, updated_at";

pub(crate) fn booking_from_row(row: &AnyRow) -> Result<BookingRecord> {
    Ok(BookingRecord {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        booking: from_json("booking", &row.try_get::<String, _>("body")?)?,
    })
}

fn slot_where(f: &SlotFilter) -> Where {
    let mut w = Where::default();
    if let Some(l) = f.listing_id {
        w.and("listing_id = ?", [Arg::Int(l)]);
    }
    if let Some(t) = f.after {
        w.and("starts_at > ?", [Arg::Text(wall(t))]);
    }
    if f.offered_only {
        w.and("status = 'open'", []);
    }
    if f.open_only {
        w.and(
            "status = 'open' AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = instrument_slots.id AND b.status IN ('requested', 'confirmed'))",
            [],
        );
    }
    w
}

fn booking_where(f: &BookingFilter) -> Where {
    let mut w = Where::default();
    if let Some(o) = f.requester_org_id {
        w.and("requester_org_id = ?", [Arg::Int(o)]);
    }
    if let Some(o) = f.owner_org_id {
        w.and("owner_org_id = ?", [Arg::Int(o)]);
    }
    if let Some(v) = f.voucher_id {
        w.and("voucher_id = ?", [Arg::Int(v)]);
    }
    if let Some(s) = &f.status {
        w.and("status = ?", [Arg::Text(s.clone())]);
    }
    w
}

impl SqlStore {
    async fn slot_in(&self, tx: &mut Tx, id: i64) -> Result<SlotRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM instrument_slots WHERE id = $1",
            slot_columns()
        )))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        slot_from_row(&row.ok_or_else(|| StoreError::not_found("slot", id))?)
    }

    /// Inserts a slot row (keeping the record's id and stamp when restoring); its id.
    async fn insert_slot(
        &self,
        tx: &mut Tx,
        record: Option<&SlotRecord>,
        listing_id: i64,
        owner_org_id: i64,
        slot: &SlotSpec,
        status: SlotStatus,
    ) -> Result<i64> {
        const COLUMNS: &str = "listing_id, owner_org_id, starts_at, ends_at, price_fen, status, created_by, created_at";
        const MARKS: &str = "$1, $2, $3, $4, $5, $6, $7, $8";
        let (created_by, created_at) = match record {
            Some(r) => (r.created_by, ts(r.created_at)),
            None => (self.actor, ts(now())),
        };
        let sql = match record {
            Some(_) => format!(
                "INSERT INTO instrument_slots ({COLUMNS}, id) VALUES ({MARKS}, $9) RETURNING id"
            ),
            None => {
                format!("INSERT INTO instrument_slots ({COLUMNS}) VALUES ({MARKS}) RETURNING id")
            }
        };
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(listing_id)
            .bind(owner_org_id)
            .bind(wall(slot.starts_at))
            .bind(wall(slot.ends_at))
            .bind(slot.price.map(|p| p.0))
            .bind(status.as_str())
            .bind(created_by)
            .bind(created_at);
        if let Some(r) = record {
            q = q.bind(r.id);
        }
        let id = q
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| conflict_on_unique(e, || "a slot with this id already exists".into()))?;
        self.record_change(tx, "slot", id, Op::Insert, None).await?;
        Ok(id)
    }

    /// Inserts a booking row (keeping the record's id, version and stamps when restoring).
    async fn insert_booking(
        &self,
        tx: &mut Tx,
        record: Option<&BookingRecord>,
        b: &Booking,
    ) -> Result<i64> {
        const COLUMNS: &str = "slot_id, listing_id, owner_org_id, requester_org_id, status, voucher_id, voucher_fen, version, created_by, body, created_at, updated_at";
        const MARKS: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12";
        let t = ts(now());
        let (version, created_by, created_at, updated_at) = match record {
            Some(r) => (r.version, r.created_by, ts(r.created_at), ts(r.updated_at)),
            None => (1, self.actor, t.clone(), t),
        };
        let sql = match record {
            Some(_) => {
                format!("INSERT INTO bookings ({COLUMNS}, id) VALUES ({MARKS}, $13) RETURNING id")
            }
            None => format!("INSERT INTO bookings ({COLUMNS}) VALUES ({MARKS}) RETURNING id"),
        };
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(b.slot_id)
            .bind(b.listing_id)
            .bind(b.owner_org_id)
            .bind(b.requester_org_id)
            .bind(b.status.as_str())
            .bind(b.voucher_id)
            .bind(b.voucher_amount.0)
            .bind(version)
            .bind(created_by)
            .bind(json(b))
            .bind(created_at)
            .bind(updated_at);
        if let Some(r) = record {
            q = q.bind(r.id);
        }
        let slot = b.slot_id;
        let id = q.fetch_one(&mut **tx).await.map_err(|e| {
            conflict_on_unique(e, || {
                format!("slot {slot} is already booked; choose another slot")
            })
        })?;
        self.record_change(tx, "booking", id, Op::Insert, None)
            .await?;
        Ok(id)
    }

    /// Restores one backed-up slot with its bookings (inside the restore transaction).
    pub(crate) async fn restore_slot(&self, tx: &mut Tx, backup: &SlotBackup) -> Result<()> {
        let s = &backup.slot;
        self.insert_slot(tx, Some(s), s.listing_id, s.owner_org_id, &s.slot, s.status)
            .await?;
        for b in &backup.bookings {
            self.insert_booking(tx, Some(b), &b.booking).await?;
        }
        Ok(())
    }

    /// Every slot with its bookings, for backups (inside the backup's read transaction).
    pub(crate) async fn all_slots(&self, tx: &mut Tx) -> Result<Vec<SlotBackup>> {
        let mut bookings = std::collections::HashMap::<i64, Vec<BookingRecord>>::new();
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings ORDER BY id"
        )))
        .fetch_all(&mut **tx)
        .await?
        {
            let b = booking_from_row(&row)?;
            bookings.entry(b.booking.slot_id).or_default().push(b);
        }
        let mut out = Vec::new();
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM instrument_slots ORDER BY id",
            slot_columns()
        )))
        .fetch_all(&mut **tx)
        .await?
        {
            let slot = slot_from_row(&row)?;
            let bookings = bookings.remove(&slot.id).unwrap_or_default();
            out.push(SlotBackup { slot, bookings });
        }
        Ok(out)
    }
}

#[async_trait]
impl BookingStore for SqlStore {
    async fn create_slots(
        &self,
        listing_id: i64,
        owner_org_id: i64,
        slots: &[SlotSpec],
    ) -> Result<Vec<SlotRecord>> {
        let (Some(first), Some(last)) = (
            slots.iter().map(|s| s.starts_at).min(),
            slots.iter().map(|s| s.ends_at).max(),
        ) else {
            return Ok(Vec::new());
        };
        let mut tx = self.write_tx().await?;
        // Only stored slots inside the request's span can overlap it; read under the write
        // lock, so no slot is added between this check and the inserts.
        let rows = sqlx::query(
            "SELECT starts_at, ends_at FROM instrument_slots WHERE listing_id = $1 AND status = 'open' AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at",
        )
        .bind(listing_id)
        .bind(wall(last))
        .bind(wall(first))
        .fetch_all(&mut *tx)
        .await?;
        let mut existing = Vec::with_capacity(rows.len());
        for r in rows {
            existing.push((
                parse_wall(&r.try_get::<String, _>("starts_at")?)?,
                parse_wall(&r.try_get::<String, _>("ends_at")?)?,
            ));
        }
        booking::check_no_overlap(slots, &existing)?;
        let mut ids = Vec::with_capacity(slots.len());
        for s in slots {
            ids.push(
                self.insert_slot(&mut tx, None, listing_id, owner_org_id, s, SlotStatus::Open)
                    .await?,
            );
        }
        tx.commit().await?;
        self.fetch_by_ids("instrument_slots", &slot_columns(), &ids, slot_from_row)
            .await
    }

    async fn get_slot(&self, id: i64) -> Result<SlotRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM instrument_slots WHERE id = $1",
            slot_columns()
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        slot_from_row(&row.ok_or_else(|| StoreError::not_found("slot", id))?)
    }

    async fn withdraw_slot(&self, id: i64) -> Result<SlotRecord> {
        let mut tx = self.write_tx().await?;
        let slot = self.slot_in(&mut tx, id).await?;
        if slot.booked {
            return Err(StoreError::Conflict(format!(
                "slot {id} is booked; decline or wait for the booking to end before withdrawing it"
            )));
        }
        if slot.status == SlotStatus::Open {
            let before = self.snapshot(&mut tx, "slot", id).await?;
            sqlx::query("UPDATE instrument_slots SET status = $1 WHERE id = $2")
                .bind(SlotStatus::Withdrawn.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            self.record_change(&mut tx, "slot", id, Op::Update, before)
                .await?;
        }
        tx.commit().await?;
        self.get_slot(id).await
    }

    async fn slots(&self, filter: &SlotFilter, page: Page) -> Result<Paged<SlotRecord>> {
        self.fetch_page(
            "instrument_slots",
            &slot_columns(),
            &slot_where(filter),
            "starts_at, id",
            page,
            slot_from_row,
        )
        .await
    }

    async fn create_booking(&self, booking: &Booking) -> Result<BookingRecord> {
        let mut tx = self.write_tx().await?;
        let slot = self.slot_in(&mut tx, booking.slot_id).await?;
        if slot.listing_id != booking.listing_id || slot.owner_org_id != booking.owner_org_id {
            return Err(StoreError::Corrupt(format!(
                "booking names slot {} of another instrument",
                slot.id
            )));
        }
        if slot.status != SlotStatus::Open {
            return Err(StoreError::Conflict(format!(
                "slot {} was withdrawn by the instrument's owner; choose another slot",
                slot.id
            )));
        }
        if slot.booked {
            return Err(StoreError::Conflict(format!(
                "slot {} is already booked; choose another slot",
                slot.id
            )));
        }
        let mut b = booking.clone();
        // The slot's times and price as stored now, whatever the caller read before.
        b.slot = slot.slot.clone();
        if let Some(voucher_id) = b.voucher_id {
            let amount = b.voucher_amount;
            let price = b.slot.price.unwrap_or(Fen::ZERO);
            if amount > price {
                return Err(Invalid::field(
                    "voucher_amount",
                    Rule::OverPrice {
                        found: amount.yuan_text(),
                        limit: price.yuan_text(),
                    },
                )
                .into());
            }
            self.move_voucher(&mut tx, voucher_id, |v| {
                if v.voucher.org_id != b.requester_org_id {
                    return Err(StoreError::not_found("voucher", voucher_id));
                }
                Ok(v.balance().reserve(amount)?)
            })
            .await?;
        }
        let id = self.insert_booking(&mut tx, None, &b).await?;
        tx.commit().await?;
        self.get_booking(id).await
    }

    async fn get_booking(&self, id: i64) -> Result<BookingRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        booking_from_row(&row.ok_or_else(|| StoreError::not_found("booking", id))?)
    }

    async fn update_booking(&self, change: &BookingChange) -> Result<BookingRecord> {
        let id = change.id;
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let current = booking_from_row(&row.ok_or_else(|| StoreError::not_found("booking", id))?)?;
        if current.version != change.version {
            return Err(stale("booking", id));
        }
        let next = &change.booking;
        if next.slot_id != current.booking.slot_id
            || next.voucher_id != current.booking.voucher_id
            || next.voucher_amount != current.booking.voucher_amount
        {
            return Err(StoreError::Corrupt(format!(
                "a step of booking {id} may not change its slot or voucher"
            )));
        }
        let step = current.booking.voucher_move(next.status);
        if let (Some(voucher_id), true) = (next.voucher_id, step != VoucherMove::None) {
            let amount = next.voucher_amount;
            self.move_voucher(&mut tx, voucher_id, |v| Ok(v.balance().apply(step, amount)))
                .await?;
        }
        let before = self.snapshot(&mut tx, "booking", id).await?;
        sqlx::query(
            "UPDATE bookings SET status = $1, version = version + 1, body = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(next.status.as_str())
        .bind(json(next))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("slot {} is already booked", next.slot_id)))?;
        self.record_change(&mut tx, "booking", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_booking(id).await
    }

    async fn bookings(&self, filter: &BookingFilter, page: Page) -> Result<Paged<BookingRecord>> {
        self.fetch_page(
            "bookings",
            BOOKING_COLUMNS,
            &booking_where(filter),
            "id DESC",
            page,
            booking_from_row,
        )
        .await
    }
}
