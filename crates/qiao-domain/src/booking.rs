//! Booking a shared instrument (共享大型仪器预约) by time slots, and 创新券 (innovation vouchers)
//! that pay part of it.
//!
//! The instrument's organisation offers [`Slot`]s: one at a time or a weekly series
//! ([`Series::expand`], at most [`MAX_SLOTS_PER_REQUEST`] a request), never two overlapping on
//! the same instrument ([`first_overlap`]). An organisation books an open slot with a purpose
//! ([`Booking::request`]); the owner confirms or declines it with a reason, the requester may
//! cancel it while it is only requested ([`Booking::apply`]):
//!
//! ```text
//! requested ──confirm──▶ confirmed
//!     ├──decline(reason)──▶ declined
//!     └──cancel (requester)──▶ cancelled
//! ```
//!
//! A voucher is a budget the commission grants to an enterprise. A booking may be paid partly by
//! one: the amount is *reserved* when the booking is requested, *spent* when it is confirmed and
//! *released* when it is declined or cancelled ([`VoucherBalance`]). Amounts are [`Fen`]
//! (0.01 元) in integers: exact, summable, never floats. The store runs the arithmetic inside the
//! write transaction, so two bookings can never spend the same yuan twice.
//!
//! Times are China Standard Time wall-clock times (`2026-12-07T09:00`), as the platform's
//! users read them; [`now_cst`] is the clock they are compared with.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Format, Invalid, Rule};

/// The most slots one request creates (a weekly series included).
pub const MAX_SLOTS_PER_REQUEST: usize = 200;
/// The most weeks a series spans.
pub const MAX_WEEKS: u32 = 52;
/// The longest slot: one day.
pub const MAX_SLOT_HOURS: i64 = 24;
/// How far ahead a slot may start: a year.
pub const MAX_DAYS_AHEAD: i64 = 366;
/// The largest amount a price or a voucher may be, in 分: 1 亿元.
pub const MAX_FEN: i64 = 10_000_000_000;

/// Now, as a wall-clock time in China Standard Time (UTC+8, no daylight saving).
pub fn now_cst() -> NaiveDateTime {
    (Utc::now() + Duration::hours(8)).naive_utc()
}

/// An amount of money in 分 (0.01 元). In JSON it is a string of yuan with two decimals
/// (`"1200.50"`); it reads a string (`"1200.5"`, `"1,200"`, `"800元"`) or a whole number of yuan,
/// never a float, so no amount is ever rounded on its way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

impl Fen {
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// Reads yuan written as digits with at most two decimals, thousands separators and an
    /// optional trailing 元; `None` for anything else (negative amounts included).
    pub fn parse_yuan(raw: &str) -> Option<Fen> {
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let s = s.strip_suffix('元').unwrap_or(&s).trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || whole.len() > 15
        {
            return None;
        }
        let mut cents: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        Some(Fen(whole.parse::<i64>().ok()? * 100 + cents))
    }

    /// `1200.50`: yuan with two decimals, as JSON carries it.
    pub fn yuan_text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }

    /// `1,200.50元`: as pages show it.
    pub fn display(self) -> String {
        let t = self.yuan_text();
        let (whole, frac) = t.split_once('.').unwrap_or((&t, "00"));
        let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{sign}{grouped}.{frac}元")
    }
}

impl Serialize for Fen {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.yuan_text())
    }
}

impl<'de> Deserialize<'de> for Fen {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Whole(u64),
            Text(String),
        }
        let bad = || {
            serde::de::Error::custom(
                "an amount in yuan: a string with at most two decimals (\"1200.50\") or a whole number",
            )
        };
        match Raw::deserialize(d).map_err(|_| bad())? {
            Raw::Whole(n) => i64::try_from(n)
                .ok()
                .and_then(|n| n.checked_mul(100))
                .map(Fen)
                .ok_or_else(bad),
            Raw::Text(t) => Fen::parse_yuan(&t).ok_or_else(bad),
        }
    }
}

impl JsonSchema for Fen {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Yuan".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]{1,2})?$",
            "description": "an amount in yuan with at most two decimals (\"1200.50\"); a whole number of yuan is accepted too. Kept exactly, in 分",
            "examples": ["1200.50"]
        })
    }
}

fn check_amount(c: &mut Checker, field: &str, amount: Fen) {
    c.ensure((0..=MAX_FEN).contains(&amount.0), field, || {
        Rule::OutOfRange {
            min: 0,
            max: MAX_FEN / 100,
            found: amount.0 as f64 / 100.0,
        }
    });
}

/// One slot to offer: a time range on the instrument, with its price if it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotSpec {
    /// When it starts (China Standard Time, `2026-12-07T09:00`).
    pub starts_at: NaiveDateTime,
    /// When it ends.
    pub ends_at: NaiveDateTime,
    /// What it costs, in yuan; none for a slot without a stated price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Fen>,
}

impl SlotSpec {
    /// Checks the range and the price at `now` (China Standard Time): it ends after it starts,
    /// lasts at most a day, starts in the future and at most a year ahead.
    pub fn validate(&self, now: NaiveDateTime) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.check(&mut c, now, "");
        c.finish()
    }

    fn check(&self, c: &mut Checker, now: NaiveDateTime, prefix: &str) {
        let f = |name: &str| format!("{prefix}{name}");
        c.ensure(self.starts_at > now, &f("starts_at"), || Rule::NotFuture {
            found: minute(self.starts_at),
            now: minute(now),
        });
        c.ensure(
            self.starts_at <= now + Duration::days(MAX_DAYS_AHEAD),
            &f("starts_at"),
            || Rule::OutOfRange {
                min: 0,
                max: MAX_DAYS_AHEAD,
                found: (self.starts_at - now).num_days() as f64,
            },
        );
        if self.ends_at <= self.starts_at {
            c.fail(
                f("ends_at"),
                Rule::Before {
                    other: "starts_at".into(),
                    found: minute(self.ends_at),
                    limit: minute(self.starts_at),
                },
            );
        } else if self.ends_at - self.starts_at > Duration::hours(MAX_SLOT_HOURS) {
            c.fail(
                f("ends_at"),
                Rule::OutOfRange {
                    min: 0,
                    max: MAX_SLOT_HOURS,
                    found: ((self.ends_at - self.starts_at).num_minutes() as f64 / 0.6).round()
                        / 100.0,
                },
            );
        }
        if let Some(p) = self.price {
            check_amount(c, &f("price"), p);
        }
    }
}

/// `2026-12-07 09:00`.
pub fn minute(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// A weekly series of slots: on the given weekdays, the same time range, for a number of weeks
/// from a first day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// The first day of the series.
    pub from: NaiveDate,
    /// The weekdays, 1 (Monday) to 7 (Sunday).
    pub weekdays: Vec<u8>,
    /// The time each slot starts (`09:00`).
    pub start_time: NaiveTime,
    /// The time each slot ends (`12:00`), later the same day.
    pub end_time: NaiveTime,
    /// How many weeks, 1 to 52.
    pub weeks: u32,
    /// What each slot costs, in yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Fen>,
}

impl Series {
    /// The slots of the series, in time order, each checked at `now`; refused as a whole when
    /// a field is wrong or it would make more than [`MAX_SLOTS_PER_REQUEST`] slots. Slots of the
    /// first day that already began are left out (a series started today still counts).
    pub fn expand(&self, now: NaiveDateTime) -> Result<Vec<SlotSpec>, Invalid> {
        let mut c = Checker::default();
        c.ensure(!self.weekdays.is_empty(), "weekdays", || Rule::TooFew {
            min: 1,
            found: 0,
        });
        for (i, d) in self.weekdays.iter().enumerate() {
            c.ensure((1..=7).contains(d), &format!("weekdays[{i}]"), || {
                Rule::OutOfRange {
                    min: 1,
                    max: 7,
                    found: f64::from(*d),
                }
            });
        }
        c.ensure((1..=MAX_WEEKS).contains(&self.weeks), "weeks", || {
            Rule::OutOfRange {
                min: 1,
                max: i64::from(MAX_WEEKS),
                found: f64::from(self.weeks),
            }
        });
        c.ensure(self.end_time > self.start_time, "end_time", || {
            Rule::Before {
                other: "start_time".into(),
                found: self.end_time.format("%H:%M").to_string(),
                limit: self.start_time.format("%H:%M").to_string(),
            }
        });
        if let Some(p) = self.price {
            check_amount(&mut c, "price", p);
        }
        let mut days: Vec<u8> = self.weekdays.clone();
        days.sort_unstable();
        days.dedup();
        let per_week = days.iter().filter(|d| (1..=7).contains(*d)).count();
        let count = per_week * self.weeks.min(MAX_WEEKS) as usize;
        c.ensure(count <= MAX_SLOTS_PER_REQUEST, "weeks", || Rule::TooMany {
            max: MAX_SLOTS_PER_REQUEST,
            found: count,
        });
        c.finish()?;
        let mut out = Vec::with_capacity(count);
        for day in 0..i64::from(self.weeks) * 7 {
            let date = self.from + Duration::days(day);
            let wd = u8::try_from(date.weekday().number_from_monday()).unwrap_or(0);
            if !days.contains(&wd) {
                continue;
            }
            let slot = SlotSpec {
                starts_at: date.and_time(self.start_time),
                ends_at: date.and_time(self.end_time),
                price: self.price,
            };
            if slot.starts_at <= now {
                continue;
            }
            let mut c = Checker::default();
            slot.check(&mut c, now, &format!("slots[{}].", out.len()));
            c.finish()?;
            out.push(slot);
        }
        if out.is_empty() {
            return Err(Invalid::field("from", Rule::TooFew { min: 1, found: 0 }));
        }
        Ok(out)
    }
}

/// A weekday's Chinese name (1 = 周一).
pub fn weekday_zh(d: u8) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        .get(usize::from(d.saturating_sub(1)))
        .copied()
        .unwrap_or("?")
}

/// What a new slot overlaps: another new slot, or an existing one (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// `new[j]`.
    New(usize),
    /// `existing[k]`.
    Existing(usize),
}

/// The first new slot that overlaps another (new or existing), by index, with what it
/// overlaps. Ranges are half-open (a slot may start when another ends); existing slots
/// overlapping each other are not this request's business. Sorts once and sweeps: O(n log n)
/// in the slots given.
pub fn first_overlap(
    new: &[SlotSpec],
    existing: &[(NaiveDateTime, NaiveDateTime)],
) -> Option<(usize, Overlap)> {
    let mut all: Vec<(NaiveDateTime, NaiveDateTime, Overlap)> = existing
        .iter()
        .enumerate()
        .map(|(k, &(s, e))| (s, e, Overlap::Existing(k)))
        .chain(
            new.iter()
                .enumerate()
                .map(|(i, s)| (s.starts_at, s.ends_at, Overlap::New(i))),
        )
        .collect();
    all.sort_by_key(|&(s, e, _)| (s, e));
    // The slot seen so far that ends last: any slot starting before that end overlaps it.
    let mut reach: Option<(NaiveDateTime, Overlap)> = None;
    for (s, e, who) in all {
        if let Some((end, prev)) = reach
            && s < end
        {
            match (who, prev) {
                (Overlap::New(i), Overlap::New(j)) => {
                    return Some((i.max(j), Overlap::New(i.min(j))));
                }
                (Overlap::New(i), other @ Overlap::Existing(_))
                | (other @ Overlap::Existing(_), Overlap::New(i)) => return Some((i, other)),
                (Overlap::Existing(_), Overlap::Existing(_)) => {}
            }
        }
        if reach.is_none_or(|(end, _)| e > end) {
            reach = Some((e, who));
        }
    }
    None
}

/// The overlap check of a request as a field error: `slots[i].starts_at` (or `starts_at` for a
/// single slot) names the first slot that overlaps.
pub fn check_no_overlap(
    new: &[SlotSpec],
    existing: &[(NaiveDateTime, NaiveDateTime)],
) -> Result<(), Invalid> {
    let range = |s: NaiveDateTime, e: NaiveDateTime| format!("{} – {}", minute(s), minute(e));
    match first_overlap(new, existing) {
        None => Ok(()),
        Some((i, other)) => {
            let field = if new.len() == 1 {
                "starts_at".to_string()
            } else {
                format!("slots[{i}].starts_at")
            };
            let with = match other {
                Overlap::New(j) => range(new[j].starts_at, new[j].ends_at),
                Overlap::Existing(k) => range(existing[k].0, existing[k].1),
            };
            Err(Invalid::field(
                field,
                Rule::SlotOverlap {
                    found: range(new[i].starts_at, new[i].ends_at),
                    with,
                },
            ))
        }
    }
}

coded_enum! {
    /// Whether a slot is still offered.
    pub enum SlotStatus {
        /// 开放: offered (booked or not: a booking says which).
        Open = ("open", "开放", "Open"),
        /// 已撤回: withdrawn by the owner before anyone booked it.
        Withdrawn = ("withdrawn", "已撤回", "Withdrawn"),
    }
}

coded_enum! {
    /// Where a booking stands.
    pub enum BookingStatus {
        /// 待确认: waiting for the owner.
        Requested = ("requested", "待确认", "Requested"),
        /// 已确认: the owner confirmed it.
        Confirmed = ("confirmed", "已确认", "Confirmed"),
        /// 已拒绝: the owner declined it, with a reason.
        Declined = ("declined", "已拒绝", "Declined"),
        /// 已取消: the requester cancelled it before confirmation.
        Cancelled = ("cancelled", "已取消", "Cancelled"),
    }
}

impl BookingStatus {
    /// Whether it holds its slot (requested or confirmed): at most one such booking per slot.
    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Requested | BookingStatus::Confirmed)
    }
}

/// A booking of one slot by one organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    /// The slot.
    pub slot_id: i64,
    /// The instrument listing.
    pub listing_id: i64,
    /// The instrument's organisation (the provider).
    pub owner_org_id: i64,
    /// The organisation that books.
    pub requester_org_id: i64,
    /// The slot's times and price, as they were when it was booked.
    pub slot: SlotSpec,
    /// What the requester will use the instrument for.
    pub purpose: String,
    /// Where it stands.
    pub status: BookingStatus,
    /// The owner's reason for a decline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The 创新券 paying part of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher_id: Option<i64>,
    /// How much of the price the voucher pays.
    #[serde(default)]
    pub voucher_amount: Fen,
}

/// What someone does to a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingAction {
    /// The owner confirms a requested booking.
    Confirm,
    /// The owner declines a requested booking, saying why.
    Decline {
        /// Why (shown to the requester).
        reason: String,
    },
    /// The requester cancels a booking not yet confirmed.
    Cancel,
}

impl BookingAction {
    /// Whether the requester takes it (the others are the owner's).
    pub fn by_requester(&self) -> bool {
        matches!(self, BookingAction::Cancel)
    }

    /// The status it leads to.
    pub fn target(&self) -> BookingStatus {
        match self {
            BookingAction::Confirm => BookingStatus::Confirmed,
            BookingAction::Decline { .. } => BookingStatus::Declined,
            BookingAction::Cancel => BookingStatus::Cancelled,
        }
    }
}

/// The most characters of a purpose or a reason.
pub const MAX_NOTE: usize = 2_000;

impl Booking {
    /// A new booking of `slot` (of `listing_id`, owned by `owner_org_id`) for
    /// `requester_org_id`, at `now`; `voucher` pays `amount` of it. Checks the purpose, that the
    /// slot has not begun, that an organisation does not book its own instrument, and that the
    /// voucher pays no more than the price (nothing when the slot has none).
    #[expect(clippy::too_many_arguments, reason = "one booking's facts, each named")]
    pub fn request(
        slot_id: i64,
        listing_id: i64,
        owner_org_id: i64,
        requester_org_id: i64,
        slot: SlotSpec,
        purpose: &str,
        voucher: Option<(i64, Fen)>,
        now: NaiveDateTime,
    ) -> Result<Booking, Invalid> {
        let mut c = Checker::default();
        let purpose = purpose.trim().to_string();
        c.text("purpose", &purpose, MAX_NOTE);
        c.ensure(slot.starts_at > now, "slot_id", || Rule::NotFuture {
            found: minute(slot.starts_at),
            now: minute(now),
        });
        c.ensure(requester_org_id != owner_org_id, "slot_id", || {
            Rule::OwnInstrument
        });
        let amount = voucher.map_or(Fen::ZERO, |(_, a)| a);
        if voucher.is_some() {
            let price = slot.price.unwrap_or(Fen::ZERO);
            c.ensure(amount.0 > 0, "voucher_amount", || Rule::AtLeast {
                min: 0,
                found: amount.0 as f64 / 100.0,
            });
            c.ensure(amount <= price, "voucher_amount", || Rule::OverPrice {
                found: amount.yuan_text(),
                limit: price.yuan_text(),
            });
        }
        c.finish()?;
        Ok(Booking {
            slot_id,
            listing_id,
            owner_org_id,
            requester_org_id,
            slot,
            purpose,
            status: BookingStatus::Requested,
            reason: None,
            voucher_id: voucher.map(|(id, _)| id),
            voucher_amount: amount,
        })
    }

    /// Applies `action`: the changed booking, or why not. Only a requested booking changes.
    /// Who may act is the operations' check.
    pub fn apply(&self, action: &BookingAction) -> Result<Booking, Invalid> {
        if self.status != BookingStatus::Requested {
            return Err(Invalid::field(
                "status",
                Rule::NotOneOf {
                    found: self.status.as_str().into(),
                    allowed: vec![BookingStatus::Requested.as_str().into()],
                },
            ));
        }
        let mut next = self.clone();
        next.status = action.target();
        if let BookingAction::Decline { reason } = action {
            let mut c = Checker::default();
            let r = reason.trim().to_string();
            c.text("reason", &r, MAX_NOTE);
            c.finish()?;
            next.reason = Some(r);
        }
        Ok(next)
    }

    /// What the voucher's balance must do when this booking moves to `next`'s status.
    pub fn voucher_move(&self, next: BookingStatus) -> VoucherMove {
        if self.voucher_id.is_none() || self.voucher_amount == Fen::ZERO {
            return VoucherMove::None;
        }
        match (self.status, next) {
            (BookingStatus::Requested, BookingStatus::Confirmed) => VoucherMove::Spend,
            (BookingStatus::Requested, BookingStatus::Declined | BookingStatus::Cancelled) => {
                VoucherMove::Release
            }
            _ => VoucherMove::None,
        }
    }
}

/// How a booking's step moves its voucher's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoucherMove {
    /// Nothing.
    None,
    /// Reserved becomes spent.
    Spend,
    /// Reserved becomes left again.
    Release,
}

/// 创新券: a budget the commission grants to an enterprise, spent on instrument time at the
/// platform's providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Voucher {
    /// Its number (`SH-2026-0001`), unique.
    pub number: String,
    /// The enterprise it was granted to.
    pub org_id: i64,
    /// The amount granted, in yuan.
    pub granted: Fen,
    /// The first day it may pay.
    pub valid_from: NaiveDate,
    /// The last day it may pay.
    pub valid_until: NaiveDate,
    /// A note (the programme, the batch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Voucher {
    /// Checks the number, the amount (more than zero) and the validity period.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.number = self.number.trim().to_string();
        c.text("number", &self.number, 40);
        c.ensure(self.granted.0 > 0, "granted", || Rule::AtLeast {
            min: 0,
            found: self.granted.0 as f64 / 100.0,
        });
        check_amount(&mut c, "granted", self.granted);
        c.ensure(self.valid_until >= self.valid_from, "valid_until", || {
            Rule::Before {
                other: "valid_from".into(),
                found: self.valid_until.to_string(),
                limit: self.valid_from.to_string(),
            }
        });
        if let Some(n) = &self.note {
            c.max_len("note", n, 500);
        }
        c.finish()
    }

    /// Whether it may pay on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        (self.valid_from..=self.valid_until).contains(&day)
    }
}

/// A voucher's money: granted, reserved by bookings waiting for confirmation, spent by confirmed
/// ones. Left is what remains; it is never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct VoucherBalance {
    /// Granted.
    pub granted: Fen,
    /// Reserved by requested bookings.
    pub reserved: Fen,
    /// Spent by confirmed bookings.
    pub spent: Fen,
}

impl VoucherBalance {
    /// What is left to reserve.
    pub fn left(&self) -> Fen {
        Fen(self.granted.0 - self.reserved.0 - self.spent.0)
    }

    /// Reserves `amount`; refused (naming `voucher_amount`) when more than is left.
    pub fn reserve(&self, amount: Fen) -> Result<VoucherBalance, Invalid> {
        if amount.0 < 0 || amount > self.left() {
            return Err(Invalid::field(
                "voucher_amount",
                Rule::OverBalance {
                    found: amount.yuan_text(),
                    left: self.left().yuan_text(),
                },
            ));
        }
        Ok(VoucherBalance {
            reserved: Fen(self.reserved.0 + amount.0),
            ..*self
        })
    }

    /// Applies a booking's move of `amount` (reserved before).
    pub fn apply(&self, m: VoucherMove, amount: Fen) -> VoucherBalance {
        let amount = Fen(amount.0.min(self.reserved.0));
        match m {
            VoucherMove::None => *self,
            VoucherMove::Spend => VoucherBalance {
                reserved: Fen(self.reserved.0 - amount.0),
                spent: Fen(self.spent.0 + amount.0),
                ..*self
            },
            VoucherMove::Release => VoucherBalance {
                reserved: Fen(self.reserved.0 - amount.0),
                ..*self
            },
        }
    }
}

/// Parses a wall-clock time from a form or a query: `2026-12-07T09:00`, `2026-12-07 09:00`
/// (seconds optional); the field's format error otherwise.
pub fn parse_minute(field: &str, raw: &str) -> Result<NaiveDateTime, Invalid> {
    let s = raw.trim().replace(' ', "T");
    NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            Invalid::field(
                field,
                Rule::BadFormat {
                    found: raw.chars().take(40).collect(),
                    format: Format::DateTime,
                },
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        parse_minute("t", s).unwrap()
    }

    fn slot(a: &str, b: &str) -> SlotSpec {
        SlotSpec {
            starts_at: t(a),
            ends_at: t(b),
            price: Some(Fen(80_000)),
        }
    }

    const NOW: &str = "2026-12-01T08:00";

    #[test]
    fn yuan_are_read_exactly_and_floats_refused() {
        assert_eq!(Fen::parse_yuan("1200.5"), Some(Fen(120_050)));
        assert_eq!(Fen::parse_yuan("1,200.05元"), Some(Fen(120_005)));
        assert_eq!(Fen::parse_yuan("0.1"), Some(Fen(10)));
        assert_eq!(Fen::parse_yuan("1.005"), None);
        assert_eq!(Fen::parse_yuan("-3"), None);
        assert_eq!(Fen::parse_yuan(""), None);
        assert_eq!(Fen::parse_yuan("1e3"), None);
        assert_eq!(serde_json::from_str::<Fen>("800").unwrap(), Fen(80_000));
        assert_eq!(serde_json::from_str::<Fen>("\"0.07\"").unwrap(), Fen(7));
        assert!(serde_json::from_str::<Fen>("0.1").is_err());
        assert_eq!(serde_json::to_string(&Fen(120_050)).unwrap(), "\"1200.50\"");
        assert_eq!(Fen(123_456_789).display(), "1,234,567.89元");
        assert_eq!(Fen(5).display(), "0.05元");
    }

    #[test]
    fn a_slot_ends_after_it_starts_within_a_day_and_in_the_future() {
        let now = t(NOW);
        assert!(
            slot("2026-12-02T09:00", "2026-12-02T12:00")
                .validate(now)
                .is_ok()
        );
        let fields = |s: SlotSpec| -> Vec<String> {
            s.validate(now)
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            fields(slot("2026-12-02T09:00", "2026-12-02T09:00")),
            ["ends_at"]
        );
        assert_eq!(
            fields(slot("2026-12-02T09:00", "2026-12-03T10:00")),
            ["ends_at"]
        );
        assert_eq!(
            fields(slot("2026-11-30T09:00", "2026-11-30T10:00")),
            ["starts_at"]
        );
        assert_eq!(
            fields(slot("2028-01-02T09:00", "2028-01-02T10:00")),
            ["starts_at"]
        );
        let mut costly = slot("2026-12-02T09:00", "2026-12-02T10:00");
        costly.price = Some(Fen(MAX_FEN + 1));
        assert_eq!(fields(costly), ["price"]);
    }

    #[test]
    fn a_weekly_series_expands_in_order_and_is_capped() {
        let now = t(NOW);
        let series = Series {
            from: "2026-12-01".parse().unwrap(), // a Tuesday
            weekdays: vec![1, 3],
            start_time: "09:00:00".parse().unwrap(),
            end_time: "11:30:00".parse().unwrap(),
            weeks: 2,
            price: Some(Fen(50_000)),
        };
        let slots = series.expand(now).unwrap();
        let starts: Vec<String> = slots.iter().map(|s| minute(s.starts_at)).collect();
        assert_eq!(
            starts,
            [
                "2026-12-02 09:00",
                "2026-12-07 09:00",
                "2026-12-09 09:00",
                "2026-12-14 09:00"
            ]
        );
        assert!(slots.iter().all(|s| s.price == Some(Fen(50_000))));

        let too_many = Series {
            weekdays: vec![1, 2, 3, 4, 5],
            weeks: 41,
            ..series.clone()
        };
        let e = too_many.expand(now).unwrap_err();
        assert_eq!(e.0[0].field, "weeks");
        assert_eq!(
            e.0[0].rule,
            Rule::TooMany {
                max: 200,
                found: 205
            }
        );
        // 5 × 40 = 200 is allowed.
        assert_eq!(
            Series {
                weeks: 40,
                ..too_many
            }
            .expand(now)
            .unwrap()
            .len(),
            200
        );
        let bad = Series {
            weekdays: vec![0, 8],
            end_time: "08:00:00".parse().unwrap(),
            weeks: 0,
            ..series
        };
        let fields: Vec<String> = bad
            .expand(now)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["weekdays[0]", "weekdays[1]", "weeks", "end_time"]);
    }

    #[test]
    fn overlaps_are_found_among_new_slots_and_against_existing_ones() {
        let existing = [(t("2026-12-02T09:00"), t("2026-12-02T12:00"))];
        // Touching ends do not overlap.
        assert_eq!(
            first_overlap(&[slot("2026-12-02T12:00", "2026-12-02T13:00")], &existing),
            None
        );
        assert_eq!(
            first_overlap(&[slot("2026-12-02T11:00", "2026-12-02T13:00")], &existing),
            Some((0, Overlap::Existing(0)))
        );
        // A long slot containing a later short one.
        assert_eq!(
            first_overlap(
                &[
                    slot("2026-12-03T08:00", "2026-12-03T18:00"),
                    slot("2026-12-03T20:00", "2026-12-03T21:00"),
                    slot("2026-12-03T10:00", "2026-12-03T11:00"),
                ],
                &existing
            ),
            Some((2, Overlap::New(0)))
        );
        // A long existing slot reaching over a later new one.
        let long = [(t("2026-12-04T00:00"), t("2026-12-04T23:00"))];
        assert_eq!(
            first_overlap(
                &[
                    slot("2026-12-04T01:00", "2026-12-04T02:00"),
                    slot("2026-12-04T22:00", "2026-12-04T23:30")
                ],
                &long
            ),
            Some((0, Overlap::Existing(0)))
        );
        let e = check_no_overlap(&[slot("2026-12-02T10:00", "2026-12-02T11:00")], &existing)
            .unwrap_err();
        assert_eq!(e.0[0].field, "starts_at");
        // Existing slots overlapping each other are none of this request's business.
        let two = [existing[0], existing[0]];
        assert_eq!(
            first_overlap(&[slot("2026-12-05T10:00", "2026-12-05T11:00")], &two),
            None
        );
    }

    fn booking(voucher: Option<(i64, Fen)>) -> Result<Booking, Invalid> {
        Booking::request(
            1,
            2,
            10,
            20,
            slot("2026-12-02T09:00", "2026-12-02T12:00"),
            " 测试样品的 XRD 物相分析 ",
            voucher,
            t(NOW),
        )
    }

    #[test]
    fn a_booking_moves_only_from_requested_and_a_decline_needs_a_reason() {
        let b = booking(None).unwrap();
        assert_eq!(b.purpose, "测试样品的 XRD 物相分析");
        let confirmed = b.apply(&BookingAction::Confirm).unwrap();
        assert_eq!(confirmed.status, BookingStatus::Confirmed);
        assert_eq!(
            confirmed.apply(&BookingAction::Cancel).unwrap_err().0[0].field,
            "status"
        );
        let e = b
            .apply(&BookingAction::Decline {
                reason: "  ".into(),
            })
            .unwrap_err();
        assert_eq!(e.0[0].field, "reason");
        let declined = b
            .apply(&BookingAction::Decline {
                reason: "设备检修".into(),
            })
            .unwrap();
        assert_eq!(declined.reason.as_deref(), Some("设备检修"));
        assert!(!declined.status.is_active());
        assert!(BookingStatus::Requested.is_active() && BookingStatus::Confirmed.is_active());
    }

    #[test]
    fn a_booking_refuses_the_past_its_own_instrument_and_a_voucher_above_the_price() {
        let late = Booking::request(
            1,
            2,
            10,
            10,
            slot("2026-12-02T09:00", "2026-12-02T12:00"),
            "x",
            None,
            t("2026-12-02T09:30"),
        )
        .unwrap_err();
        assert_eq!(late.0.len(), 2);
        assert!(late.0.iter().all(|e| e.field == "slot_id"));
        let e = booking(Some((5, Fen(80_001)))).unwrap_err();
        assert_eq!(e.0[0].field, "voucher_amount");
        assert!(booking(Some((5, Fen(0)))).is_err());
        let b = booking(Some((5, Fen(30_000)))).unwrap();
        assert_eq!(b.voucher_move(BookingStatus::Confirmed), VoucherMove::Spend);
        assert_eq!(
            b.voucher_move(BookingStatus::Cancelled),
            VoucherMove::Release
        );
        assert_eq!(
            booking(None)
                .unwrap()
                .voucher_move(BookingStatus::Confirmed),
            VoucherMove::None
        );
    }

    #[test]
    fn a_voucher_never_reserves_more_than_is_left() {
        let v = VoucherBalance {
            granted: Fen(100_000),
            ..Default::default()
        };
        let r = v.reserve(Fen(60_000)).unwrap();
        assert_eq!(r.left(), Fen(40_000));
        let e = r.reserve(Fen(40_001)).unwrap_err();
        assert_eq!(e.0[0].field, "voucher_amount");
        let spent = r.apply(VoucherMove::Spend, Fen(60_000));
        assert_eq!(
            (spent.reserved, spent.spent, spent.left()),
            (Fen(0), Fen(60_000), Fen(40_000))
        );
        let released = r.apply(VoucherMove::Release, Fen(60_000));
        assert_eq!(released, v);
        let mut voucher = Voucher {
            number: " SH-1 ".into(),
            org_id: 1,
            granted: Fen(0),
            valid_from: "2026-12-01".parse().unwrap(),
            valid_until: "2026-11-01".parse().unwrap(),
            note: None,
        };
        let fields: Vec<String> = voucher
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["granted", "valid_until"]);
        assert_eq!(voucher.number, "SH-1");
    }
}
