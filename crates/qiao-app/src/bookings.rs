//! Booking a shared instrument's time slots, shared by the API and the pages.
//!
//! Who may do what:
//! - the instrument's organisation (its members) and admins offer slots, one or a weekly
//!   series, and withdraw a slot nobody holds; they confirm or decline (with a reason) the
//!   bookings of their instruments;
//! - anyone who may see the instrument sees its coming open slots; its owner sees the booked
//!   ones too;
//! - a member of another organisation books an open slot for it, with a purpose, and may let a
//!   创新券 of its organisation pay part of the price; the requesting organisation cancels while
//!   the booking waits for confirmation;
//! - a booking is read by the requesting organisation, the instrument's organisation, staff
//!   and admins; anyone else gets the 404 of a booking that does not exist ([`load`]).
//!
//! A voucher pays only at a registered provider: the instrument's organisation must be an
//! organisation of the platform (an instrument offers slots only when it has one, and the
//! check is repeated when the voucher is used). Qiao has no separate register of service
//! institutions, so being a platform organisation that owns the instrument listing is what
//! counts.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use chrono::NaiveDateTime;
use qiao_domain::booking::{
    Booking, BookingAction, BookingStatus, Fen, Series, SlotSpec, SlotStatus,
};
use qiao_domain::invalid::{Invalid, Record, Rule};
use qiao_domain::notification::{NotificationKind, Target, TargetKind};
use qiao_domain::{Account, Kind};
use qiao_store::{
    BookingChange, BookingFilter, BookingRecord, ListingRecord, Page, Paged, SlotFilter,
    SlotRecord, Store, StoreError,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::{disclosure, notifications};

/// Slots to offer: one, or a weekly series.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Offer {
    /// A single slot.
    One(SlotSpec),
    /// A weekly series (at most 200 slots).
    Weekly(Series),
}

/// A booking to make.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    /// What the instrument will be used for (shown to its owner).
    pub purpose: String,
    /// A 创新券 of the booking organisation that pays part of the price.
    #[serde(default)]
    pub voucher_id: Option<i64>,
    /// How much of the price the voucher pays, in yuan (at most the price, and what is left).
    #[serde(default)]
    pub voucher_amount: Option<Fen>,
}

/// A booking with the names its lists show.
#[derive(Debug, Clone, Serialize)]
pub struct BookingView {
    /// The booking.
    #[serde(flatten)]
    pub record: BookingRecord,
    /// The instrument's name.
    pub instrument: String,
    /// The requesting organisation's name.
    pub requester_name: String,
    /// The instrument's organisation's name.
    pub owner_name: String,
    /// The voucher's number, when one pays part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voucher_number: Option<String>,
    /// Whether the viewer may confirm or decline it.
    pub may_decide: bool,
    /// Whether the viewer may cancel it.
    pub may_cancel: bool,
}

/// The instrument listing `id` as `viewer` may see it; a 404 otherwise.
pub async fn instrument(
    store: &Arc<dyn Store>,
    viewer: Option<&Account>,
    id: i64,
) -> AppResult<ListingRecord> {
    disclosure::load(store, Kind::Instrument, id, viewer).await
}

/// Whether `user` manages the slots and bookings of an instrument owned by `owner_org_id`.
pub fn may_manage(user: &Account, owner_org_id: Option<i64>) -> bool {
    user.may_change(owner_org_id)
}

/// Offers slots on instrument `listing_id` as `user` at `now` (China Standard Time).
pub async fn offer(
    store: &Arc<dyn Store>,
    user: &Account,
    listing_id: i64,
    offer: Offer,
    now: NaiveDateTime,
) -> AppResult<Vec<SlotRecord>> {
    let record = instrument(store, Some(user), listing_id).await?;
    if !may_manage(user, record.owner_org_id) {
        return Err(AppError::forbidden(
            "slots are offered by the instrument's organisation (or an admin)",
        ));
    }
    let Some(owner) = record.owner_org_id else {
        return Err(AppError::Refused(
            "this instrument belongs to no organisation; give it one before offering slots".into(),
        ));
    };
    let slots = match offer {
        Offer::One(s) => {
            s.validate(now)?;
            vec![s]
        }
        Offer::Weekly(series) => series.expand(now)?,
    };
    Ok(store
        .acting_as(user.id)
        .create_slots(listing_id, owner, &slots)
        .await?)
}

/// Withdraws slot `id` nobody holds, as `user`.
pub async fn withdraw(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<SlotRecord> {
    let slot = get_slot(store, id).await?;
    if !may_manage(user, Some(slot.owner_org_id)) {
        return Err(AppError::forbidden(
            "a slot is withdrawn by the instrument's organisation (or an admin)",
        ));
    }
    Ok(store.acting_as(user.id).withdraw_slot(id).await?)
}

async fn get_slot(store: &Arc<dyn Store>, id: i64) -> AppResult<SlotRecord> {
    store.get_slot(id).await.map_err(|e| match e {
        StoreError::NotFound { .. } => AppError::not_found("slot", id),
        other => other.into(),
    })
}

/// The coming slots of instrument `listing_id` after `now`, in time order: the open ones, and
/// for its owner the booked ones too.
pub async fn coming_slots(
    store: &Arc<dyn Store>,
    viewer: Option<&Account>,
    listing_id: i64,
    now: NaiveDateTime,
    page: Page,
) -> AppResult<Paged<SlotRecord>> {
    let record = instrument(store, viewer, listing_id).await?;
    coming_slots_of(store, viewer, &record, now, page).await
}

/// [`coming_slots`] of an instrument the caller has already loaded for `viewer` (through
/// [`instrument`] or [`disclosure::load`], which check that the viewer may see it): the
/// instrument's own page shows its slots without reading the listing twice.
pub async fn coming_slots_of(
    store: &Arc<dyn Store>,
    viewer: Option<&Account>,
    record: &ListingRecord,
    now: NaiveDateTime,
    page: Page,
) -> AppResult<Paged<SlotRecord>> {
    let owner = viewer.is_some_and(|u| may_manage(u, record.owner_org_id));
    Ok(store
        .slots(
            &SlotFilter {
                listing_id: Some(record.id),
                after: Some(now),
                offered_only: true,
                open_only: !owner,
            },
            page,
        )
        .await?)
}

/// Books slot `slot_id` for `user`'s organisation at `now`.
pub async fn book(
    store: &Arc<dyn Store>,
    user: &Account,
    slot_id: i64,
    new: NewBooking,
    now: NaiveDateTime,
) -> AppResult<BookingRecord> {
    let Some(org) = user.org_id else {
        return Err(AppError::forbidden(
            "an organisation books an instrument: sign in with an account of your organisation",
        ));
    };
    let slot = get_slot(store, slot_id).await?;
    let listing = instrument(store, Some(user), slot.listing_id).await?;
    if slot.status != SlotStatus::Open {
        return Err(AppError::Conflict(format!(
            "slot {slot_id} was withdrawn by the instrument's owner; choose another slot"
        )));
    }
    let voucher = match (new.voucher_id, new.voucher_amount) {
        (None, None) => None,
        (None, Some(a)) if a == Fen::ZERO => None,
        (None, Some(_)) => {
            return Err(Invalid::field(
                "voucher_id",
                Rule::RequiredWith {
                    other: "voucher_amount".into(),
                },
            )
            .into());
        }
        (Some(_), None) => {
            return Err(Invalid::field(
                "voucher_amount",
                Rule::RequiredWith {
                    other: "voucher_id".into(),
                },
            )
            .into());
        }
        (Some(v), Some(a)) => {
            check_voucher(store, org, v, &slot, &listing).await?;
            Some((v, a))
        }
    };
    let booking = Booking::request(
        slot_id,
        slot.listing_id,
        slot.owner_org_id,
        org,
        slot.slot.clone(),
        &new.purpose,
        voucher,
        now,
    )?;
    let record = store.acting_as(user.id).create_booking(&booking).await?;
    let title = listing.listing.title().to_string();
    let when = slot_text(&record.booking.slot);
    notifications::notify(
        store,
        notifications::event(
            NotificationKind::BookingRequest,
            Target {
                kind: TargetKind::IncomingBooking,
                id: record.id,
            },
            format!("{}预约了《{title}》（{when}），请确认", user.display_name),
            format!(
                "{} booked “{title}” ({when}); please confirm",
                user.display_name
            ),
            vec![record.booking.owner_org_id],
            Vec::new(),
            Some(user.id),
        ),
    )
    .await;
    Ok(record)
}

/// A voucher may pay for `slot`: it is the booking organisation's, valid on the slot's day, and
/// the instrument's organisation is a registered provider (an organisation of the platform).
async fn check_voucher(
    store: &Arc<dyn Store>,
    org: i64,
    voucher_id: i64,
    slot: &SlotRecord,
    listing: &ListingRecord,
) -> AppResult<()> {
    let not_found = || {
        Invalid::field(
            "voucher_id",
            Rule::NotFound {
                record: Record::Voucher,
                id: voucher_id,
            },
        )
    };
    let v = match store.get_voucher(voucher_id).await {
        Ok(v) if v.voucher.org_id == org => v,
        Ok(_) | Err(StoreError::NotFound { .. }) => return Err(not_found().into()),
        Err(e) => return Err(e.into()),
    };
    let day = slot.slot.starts_at.date();
    if !v.voucher.valid_on(day) {
        return Err(Invalid::field(
            "voucher_id",
            Rule::NotValidOn {
                from: v.voucher.valid_from.to_string(),
                until: v.voucher.valid_until.to_string(),
                day: day.to_string(),
            },
        )
        .into());
    }
    if !registered_provider(store, listing.owner_org_id).await? {
        return Err(Invalid::field(
            "voucher_id",
            Rule::NotFound {
                record: Record::Organisation,
                id: listing.owner_org_id.unwrap_or(0),
            },
        )
        .into());
    }
    Ok(())
}

/// Whether an instrument owned by `owner_org_id` is at a registered provider: its organisation
/// is one of the platform's.
pub async fn registered_provider(
    store: &Arc<dyn Store>,
    owner_org_id: Option<i64>,
) -> AppResult<bool> {
    let Some(id) = owner_org_id else {
        return Ok(false);
    };
    match store.get_org(id).await {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Whether `user` may read `b`: the requesting organisation's members, the instrument's, staff
/// and admins.
pub fn may_read(user: &Account, b: &Booking) -> bool {
    user.is_staff()
        || user
            .org_id
            .is_some_and(|o| o == b.requester_org_id || o == b.owner_org_id)
}

/// Booking `id` if `user` may read it; the 404 of a missing one otherwise.
pub async fn load(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<BookingRecord> {
    match store.get_booking(id).await {
        Ok(r) if may_read(user, &r.booking) => Ok(r),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(AppError::not_found("booking", id)),
        Err(e) => Err(e.into()),
    }
}

/// Booking `id` with names and what `user` may do.
pub async fn view(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<BookingView> {
    let record = load(store, user, id).await?;
    Ok(views(store, user, vec![record]).await?.remove(0))
}

/// Names the bookings' instruments, organisations and vouchers (each read once).
pub async fn views(
    store: &Arc<dyn Store>,
    user: &Account,
    records: Vec<BookingRecord>,
) -> AppResult<Vec<BookingView>> {
    let mut titles = HashMap::<i64, String>::new();
    let mut orgs = HashMap::<i64, String>::new();
    let mut vouchers = HashMap::<i64, String>::new();
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let b = &record.booking;
        if let Entry::Vacant(slot) = titles.entry(b.listing_id) {
            slot.insert(match store.get_listing(b.listing_id).await {
                Ok(l) => l.listing.title().to_string(),
                Err(StoreError::NotFound { .. }) => format!("#{}", b.listing_id),
                Err(e) => return Err(e.into()),
            });
        }
        for o in [b.requester_org_id, b.owner_org_id] {
            if let Entry::Vacant(slot) = orgs.entry(o) {
                slot.insert(match store.get_org(o).await {
                    Ok(r) => r.org.name,
                    Err(StoreError::NotFound { .. }) => format!("#{o}"),
                    Err(e) => return Err(e.into()),
                });
            }
        }
        if let Some(v) = b.voucher_id
            && let Entry::Vacant(slot) = vouchers.entry(v)
        {
            slot.insert(match store.get_voucher(v).await {
                Ok(r) => r.voucher.number,
                Err(StoreError::NotFound { .. }) => format!("#{v}"),
                Err(e) => return Err(e.into()),
            });
        }
        let requested = b.status == BookingStatus::Requested;
        out.push(BookingView {
            instrument: titles[&b.listing_id].clone(),
            requester_name: orgs[&b.requester_org_id].clone(),
            owner_name: orgs[&b.owner_org_id].clone(),
            voucher_number: b.voucher_id.map(|v| vouchers[&v].clone()),
            may_decide: requested && may_manage(user, Some(b.owner_org_id)),
            may_cancel: requested && user.org_id == Some(b.requester_org_id),
            record,
        });
    }
    Ok(out)
}

/// Applies `action` to booking `id` as `user`, if it is still at `version`: the instrument's
/// organisation confirms or declines, the requesting one cancels.
pub async fn act(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    version: i64,
    action: BookingAction,
) -> AppResult<BookingRecord> {
    let current = load(store, user, id).await?;
    let b = &current.booking;
    if action.by_requester() {
        if user.org_id != Some(b.requester_org_id) {
            return Err(AppError::forbidden(
                "a booking is cancelled by the organisation that made it",
            ));
        }
    } else if !may_manage(user, Some(b.owner_org_id)) {
        return Err(AppError::forbidden(
            "a booking is confirmed or declined by the instrument's organisation (or an admin)",
        ));
    }
    if b.status != BookingStatus::Requested {
        return Err(AppError::Conflict(format!(
            "booking {id} is {} ({}); only a booking waiting for confirmation can be {}",
            b.status.label_en().to_lowercase(),
            b.status.label_zh(),
            match action {
                BookingAction::Confirm => "confirmed",
                BookingAction::Decline { .. } => "declined",
                BookingAction::Cancel => "cancelled",
            }
        )));
    }
    let next = b.apply(&action)?;
    let record = store
        .acting_as(user.id)
        .update_booking(&BookingChange {
            id,
            version,
            booking: next,
        })
        .await?;
    notify_step(store, user, &record).await;
    Ok(record)
}

/// A slot as a notification names it: its day and hours.
fn slot_text(slot: &SlotSpec) -> String {
    format!(
        "{} {}–{}",
        slot.starts_at.format("%Y-%m-%d"),
        slot.starts_at.format("%H:%M"),
        slot.ends_at.format("%H:%M")
    )
}

/// Tells the other side of a booking that it was confirmed, declined (with the reason) or
/// cancelled.
async fn notify_step(store: &Arc<dyn Store>, user: &Account, record: &BookingRecord) {
    let b = &record.booking;
    let title = match store.get_listing(b.listing_id).await {
        Ok(l) => l.listing.title().to_string(),
        Err(_) => format!("#{}", b.listing_id),
    };
    let when = slot_text(&b.slot);
    let reason = b.reason.clone().unwrap_or_default();
    let (target, org, zh, en) = match b.status {
        BookingStatus::Confirmed => (
            TargetKind::Booking,
            b.requester_org_id,
            format!("您对《{title}》（{when}）的预约已确认"),
            format!("Your booking of “{title}” ({when}) was confirmed"),
        ),
        BookingStatus::Declined => (
            TargetKind::Booking,
            b.requester_org_id,
            format!("您对《{title}》（{when}）的预约被拒绝：{reason}"),
            format!("Your booking of “{title}” ({when}) was declined: {reason}"),
        ),
        BookingStatus::Cancelled => (
            TargetKind::IncomingBooking,
            b.owner_org_id,
            format!("《{title}》（{when}）的预约已被预约方取消"),
            format!("The booking of “{title}” ({when}) was cancelled by its requester"),
        ),
        BookingStatus::Requested => return,
    };
    notifications::notify(
        store,
        notifications::event(
            NotificationKind::BookingStatus,
            Target {
                kind: target,
                id: record.id,
            },
            zh,
            en,
            vec![org],
            Vec::new(),
            Some(user.id),
        ),
    )
    .await;
}

/// Bookings made by `user`'s organisation (我的预约), newest first.
pub async fn mine(
    store: &Arc<dyn Store>,
    user: &Account,
    page: Page,
) -> AppResult<Paged<BookingRecord>> {
    org_bookings(store, user, page, |org| BookingFilter {
        requester_org_id: Some(org),
        ..Default::default()
    })
    .await
}

/// Bookings of the instruments of `user`'s organisation (预约管理), newest first (an admin's:
/// every provider's); `status` narrows them.
pub async fn incoming(
    store: &Arc<dyn Store>,
    user: &Account,
    status: Option<BookingStatus>,
    page: Page,
) -> AppResult<Paged<BookingRecord>> {
    // An admin decides for every provider (`may_manage`), so sees every provider's bookings.
    if user.role == qiao_domain::Role::Admin {
        let filter = BookingFilter {
            status: status.map(|s| s.as_str().to_string()),
            ..Default::default()
        };
        return Ok(store.bookings(&filter, page).await?);
    }
    org_bookings(store, user, page, |org| BookingFilter {
        owner_org_id: Some(org),
        status: status.map(|s| s.as_str().to_string()),
        ..Default::default()
    })
    .await
}

async fn org_bookings(
    store: &Arc<dyn Store>,
    user: &Account,
    page: Page,
    filter: impl FnOnce(i64) -> BookingFilter,
) -> AppResult<Paged<BookingRecord>> {
    let Some(org) = user.org_id else {
        return Ok(Paged {
            items: Vec::new(),
            total: 0,
            page: page.number,
            per_page: page.size,
        });
    };
    Ok(store.bookings(&filter(org), page).await?)
}
