//! What the booking and voucher stores hand back: slots, bookings and vouchers with their ids,
//! stamps and running balances, and the filters their lists take.

use chrono::{DateTime, NaiveDateTime, Utc};
use qiao_domain::booking::{Booking, Fen, SlotSpec, SlotStatus, Voucher, VoucherBalance};
use serde::{Deserialize, Serialize};

/// A stored slot of an instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotRecord {
    /// Id.
    pub id: i64,
    /// The instrument listing.
    pub listing_id: i64,
    /// The instrument's organisation.
    pub owner_org_id: i64,
    /// Its times and price.
    #[serde(flatten)]
    pub slot: SlotSpec,
    /// Offered or withdrawn.
    pub status: SlotStatus,
    /// Whether an active (requested or confirmed) booking holds it. Read, not stored: a
    /// backup leaves it out and a restore reads it back from the bookings.
    #[serde(default)]
    pub booked: bool,
    /// The account that offered it.
    pub created_by: Option<i64>,
    /// When it was offered.
    pub created_at: DateTime<Utc>,
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingRecord {
    /// Id.
    pub id: i64,
    /// Rises by one with every write; a step computed from an older read is refused.
    pub version: i64,
    /// The account that booked.
    pub created_by: Option<i64>,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields.
    #[serde(flatten)]
    pub booking: Booking,
}

/// A step of a booking: its new fields, checked against the version it was computed from.
#[derive(Debug, Clone)]
pub struct BookingChange {
    /// The booking.
    pub id: i64,
    /// The version the change was computed from.
    pub version: i64,
    /// The booking after the step.
    pub booking: Booking,
}

/// A stored voucher with its balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoucherRecord {
    /// Id.
    pub id: i64,
    /// Its fields.
    #[serde(flatten)]
    pub voucher: Voucher,
    /// Reserved by requested bookings.
    pub reserved: Fen,
    /// Spent by confirmed bookings.
    pub spent: Fen,
    /// The staff account that issued it.
    pub created_by: Option<i64>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When its balance last changed.
    pub updated_at: DateTime<Utc>,
}

impl VoucherRecord {
    /// Granted, reserved and spent.
    pub fn balance(&self) -> VoucherBalance {
        VoucherBalance {
            granted: self.voucher.granted,
            reserved: self.reserved,
            spent: self.spent,
        }
    }
}

/// Which slots to list.
#[derive(Debug, Clone, Default)]
pub struct SlotFilter {
    /// Only this instrument's.
    pub listing_id: Option<i64>,
    /// Only slots starting after this time.
    pub after: Option<NaiveDateTime>,
    /// Only slots still offered (not withdrawn).
    pub offered_only: bool,
    /// Only slots offered and not booked.
    pub open_only: bool,
}

/// Which bookings to list; `None` means any. The caller decides visibility by setting
/// `requester_org_id` or `owner_org_id` after checking who may read them.
#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    /// Only bookings made by this organisation.
    pub requester_org_id: Option<i64>,
    /// Only bookings of this organisation's instruments.
    pub owner_org_id: Option<i64>,
    /// Only bookings paid partly by this voucher.
    pub voucher_id: Option<i64>,
    /// Only this status (code).
    pub status: Option<String>,
}

/// Sums over vouchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VoucherTotals {
    /// How many.
    pub count: i64,
    /// Granted, reserved and spent, summed.
    #[serde(flatten)]
    pub balance: VoucherBalance,
}

/// A slot and its bookings, as a backup keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotBackup {
    /// The slot.
    pub slot: SlotRecord,
    /// Every booking of it, oldest first.
    pub bookings: Vec<BookingRecord>,
}
