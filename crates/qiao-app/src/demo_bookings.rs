//! Demo instrument slots, a 创新券 and bookings, so booking is not empty on the first start: four
//! shared instruments offer slots for the coming four weeks, the demo enterprise (上海砺能动力电池)
//! holds a voucher issued by the demo `staff` account, one of its bookings is confirmed with
//! half the price paid by the voucher, and another waits for the provider's confirmation.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime, NaiveTime};
use qiao_domain::booking::{Booking, BookingAction, Fen, Series, Voucher};
use qiao_domain::{Kind, Listing};
use qiao_store::{BookingChange, ListingFilter, ListingRecord, Page, Store};

use crate::error::AppResult;

/// A weekly offer: instrument title as `demo/records.jsonl` writes it, weekdays, start (hour,
/// minute), end, price in yuan.
type WeeklyOffer = (&'static str, &'static [u8], (u32, u32), (u32, u32), i64);

/// The demo's weekly offers.
const OFFERS: [WeeklyOffer; 5] = [
    (
        "场发射扫描电子显微镜",
        &[1, 2, 3, 4, 5],
        (9, 0),
        (12, 0),
        1800,
    ),
    (
        "场发射扫描电子显微镜",
        &[1, 2, 3, 4, 5],
        (14, 0),
        (17, 0),
        1800,
    ),
    ("场发射透射电子显微镜", &[2, 4], (9, 0), (11, 0), 2400),
    ("X 射线衍射仪", &[1, 3, 5], (10, 0), (12, 0), 600),
    ("X 射线光电子能谱仪", &[2, 4], (9, 0), (12, 0), 2400),
];

/// The demo enterprise's voucher: number, amount in yuan.
const VOUCHER: (&str, i64) = ("MH-CXQ-2026-0001", 50_000);

/// What was loaded.
#[derive(Debug, Default, Clone, Copy)]
pub struct Loaded {
    /// Slots offered.
    pub slots: usize,
    /// Bookings made.
    pub bookings: usize,
}

/// Offers the demo slots from tomorrow, issues the voucher and makes the two bookings, at
/// `now` (China Standard Time).
pub async fn load(
    store: &Arc<dyn Store>,
    staff_id: i64,
    enterprise: (i64, i64),
    now: NaiveDateTime,
) -> AppResult<Loaded> {
    let (member_id, org_id) = enterprise;
    let instruments = store
        .list_listings(
            &ListingFilter {
                kind: Some(Kind::Instrument),
                ..Default::default()
            },
            Page {
                number: 1,
                size: Page::MAX_SIZE,
            },
        )
        .await?
        .items;
    let find = |title: &str| -> Option<&ListingRecord> {
        instruments
            .iter()
            .find(|r| matches!(&r.listing, Listing::Instrument(i) if i.title == title))
    };
    let mut loaded = Loaded::default();
    let mut first_of = Vec::new();
    for (title, weekdays, (h0, m0), (h1, m1), price) in OFFERS {
        let (Some(record), Some(owner)) = (find(title), find(title).and_then(|r| r.owner_org_id))
        else {
            continue;
        };
        let series = Series {
            from: now.date() + Duration::days(1),
            weekdays: weekdays.to_vec(),
            start_time: NaiveTime::from_hms_opt(h0, m0, 0).unwrap_or_default(),
            end_time: NaiveTime::from_hms_opt(h1, m1, 0).unwrap_or_default(),
            weeks: 4,
            price: Some(Fen(price * 100)),
        };
        let slots = store
            .create_slots(record.id, owner, &series.expand(now)?)
            .await?;
        loaded.slots += slots.len();
        if let Some(s) = slots.into_iter().next() {
            first_of.push(s);
        }
    }
    let voucher = store
        .acting_as(staff_id)
        .create_voucher(&Voucher {
            number: VOUCHER.0.into(),
            org_id,
            granted: Fen(VOUCHER.1 * 100),
            valid_from: now.date(),
            valid_until: now.date() + Duration::days(365),
            note: Some("闵行区 2026 年度科技创新券（第一批）".into()),
        })
        .await?;
    let writer = store.acting_as(member_id);
    // The first SEM slot, half paid by the voucher, confirmed by the provider.
    if let Some(slot) = first_of.first() {
        let half = Fen(slot.slot.price.unwrap_or_default().0 / 2);
        let b = Booking::request(
            slot.id,
            slot.listing_id,
            slot.owner_org_id,
            org_id,
            slot.slot.clone(),
            "固态电解质粉体的形貌观察与能谱面扫（6 个样品）",
            Some((voucher.id, half)),
            now,
        )?;
        let r = writer.create_booking(&b).await?;
        let confirmed = r.booking.apply(&BookingAction::Confirm)?;
        store
            .update_booking(&BookingChange {
                id: r.id,
                version: r.version,
                booking: confirmed,
            })
            .await?;
        loaded.bookings += 1;
    }
    // The first XRD slot, paid in full, waiting for confirmation.
    if let Some(slot) = first_of
        .iter()
        .find(|s| find("X 射线衍射仪").is_some_and(|r| r.id == s.listing_id))
    {
        let b = Booking::request(
            slot.id,
            slot.listing_id,
            slot.owner_org_id,
            org_id,
            slot.slot.clone(),
            "正极材料烧结样品的物相鉴定（4 个样品）",
            None,
            now,
        )?;
        writer.create_booking(&b).await?;
        loaded.bookings += 1;
    }
    Ok(loaded)
}
